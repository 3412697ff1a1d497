import type { RedResponse } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { getJson, startTestApp } from '../../../testing/test-app.ts';
import { JSON_TYPE } from '../test-encoder.ts';

const BASE = 1_795_881_900_000;
const RATE = 20;
/** An SDK's batch span processor sends what ended since its last export every 5 s, here 0.4 s past the second. */
const EXPORT_EVERY = 5000;
const sentAt = (i: number) => BASE + i * EXPORT_EVERY + 400;

/** OTLP/JSON SERVER spans of `cart`, 10 ms each, one ending every 1000 / RATE ms in [from, to). */
function spansEndingIn(from: number, to: number) {
  const spans = [];
  for (let end = Math.ceil(from / 50) * 50 + 25; end < to; end += 1000 / RATE) {
    spans.push({
      name: 'POST /checkout',
      kind: 2,
      startTimeUnixNano: `${end - 10}000000`,
      endTimeUnixNano: `${end}000000`,
      attributes: [{ key: 'http.route', value: { stringValue: '/checkout' } }],
    });
  }
  return {
    resourceSpans: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cart' } }] }, scopeSpans: [{ spans }] },
    ],
  };
}

async function exportBatch(app: FastifyInstance, i: number) {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/traces',
    headers: JSON_TYPE,
    payload: JSON.stringify(spansEndingIn(sentAt(i - 1), sentAt(i))),
  });
  expect(response.statusCode).toBe(200);
}

describe('a trace-only service whose spans arrive in 5 s batches', () => {
  it('reads at its rate up to its newest span, between batches too: no dip, no zeros at the right edge', async () => {
    let now = BASE;
    const { app } = await startTestApp({}, () => now);
    for (let i = 1; i <= 12; i++) {
      now = sentAt(i);
      await exportBatch(app, i);
      if (i < 3) continue; // one late batch alone is data sent once, not yet a way of sending
      // Read between this batch and the next, when the seconds since its newest span have not arrived yet.
      for (const wait of [2500, 4900]) {
        now = sentAt(i) + wait;
        const { body } = await getJson<RedResponse>(app, `/api/v1/red?service=cart&from=${BASE}&to=${now}`);
        const [series] = body.series;
        const when = `${wait} ms after batch ${i}`;
        expect(series?.interval, when).toBeGreaterThanOrEqual(EXPORT_EVERY);
        // Complete just after its newest span, not up to now (its quiet seconds would read 0), nor to the end of
        // that span's second (the next batch brings the rest of it: read as sent, it dipped).
        expect(series?.until, when).toBe(sentAt(i) - 25 + 1);
        const rates = series?.points.map((p) => p.rate) ?? [];
        // Every whole bucket after the first (which begins before the service's first span) at its rate; the
        // newest, down to a fraction of a second of it, near it.
        for (const rate of rates.slice(1, -1)) expect(rate, `${when}: ${rates}`).toBe(RATE);
        expect(Math.abs(rates.at(-1)! - RATE) / RATE, `${when}: ${rates}`).toBeLessThan(0.08);
      }
    }
  });
});
