import { describe, expect, it } from 'vitest';
import { SAMPLE_WIDTH } from '../../store/rows.ts';
import { DEFAULT_LIMITS } from '../native/decode.ts';
import { ingestExport, loadCumulativeSeries, type OtlpAnswer, type OtlpRest, settleExport } from './off-thread.ts';

const NOW = 1_795_881_943_600;
const context = {
  now: NOW,
  liveFrom: NOW - 60_000,
  directBefore: [],
  limits: { ...DEFAULT_LIMITS, maxAgeMs: 86_400_000 },
};

/** An export of one cumulative monotonic sum `requests` of service `service`, at `time`. */
function counter(service: string, value: number, time: number): Uint8Array {
  const point = { startTimeUnixNano: `${NOW - 60_000}000000`, timeUnixNano: `${time}000000`, asDouble: value };
  const metric = { name: 'requests', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [point] } };
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: service } }] };
  return Buffer.from(JSON.stringify({ resourceMetrics: [{ resource, scopeMetrics: [{ metrics: [metric] }] }] }));
}

describe('the OTLP worker share', () => {
  it('makes an export wait while an unsettled one holds its series, then diffs it against what committed', () => {
    loadCumulativeSeries([], true);
    const answers = new Map<number, { value: number | undefined; states: OtlpRest['states'] }>();
    const send = (id: number, body: Uint8Array) => {
      const answer: OtlpAnswer = (work) => {
        const { packed, rest } = work();
        // The counter's rows in the 10 s tier (columns: series, t, count, sum, ...; the delta is spread over the
        // time it covers): the delta it adds.
        const block = packed.rows.samples[1];
        let value: number | undefined;
        for (let o = 0; block && o < block.columns.length; o += SAMPLE_WIDTH)
          value = (value ?? 0) + block.columns[o + 3]!;
        answers.set(id, {
          value: value === undefined ? undefined : Math.round(value * 1e9) / 1e9,
          states: rest.states,
        });
      };
      ingestExport({ id, body, contentType: 'application/json', context }, answer);
    };
    send(1, counter('a', 5, NOW - 3000));
    send(2, counter('a', 8, NOW - 2000));
    send(3, counter('b', 1, NOW - 2000));
    // Export 2 waits for export 1's series; export 3 has its own.
    expect([...answers.keys()]).toEqual([1, 3]);
    expect(answers.get(1)).toMatchObject({ value: 5, states: [{ time: NOW - 3000 }] });
    // Export 1's write failed: export 2 is diffed against nothing and counts in full.
    settleExport(1, false);
    expect(answers.get(2)).toMatchObject({ value: 8, states: [{ time: NOW - 2000 }] });
    settleExport(2, true);
    send(4, counter('a', 9, NOW - 1000));
    expect(answers.get(4)).toMatchObject({ value: 1, states: [{ time: NOW - 1000 }] });
    settleExport(4, true);
    // A retried export (no newer point) adds nothing and holds nothing.
    send(5, counter('a', 9, NOW - 1000));
    expect(answers.get(5)).toEqual({ value: undefined, states: [] });
  });
});
