import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import type { SampleBatch } from '../model.ts';
import { startTestApp } from '../testing/test-app.ts';

describe('Aggregator', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('answers 503 with Retry-After past the queue bound, and commits what it accepted', async () => {
    const handle = await startTestApp({ maxPendingObservations: 1000 });
    close = () => handle.app.close();
    const { aggregator } = handle.app.core;
    const first = aggregator.submit(batch(800));
    const second = aggregator.submit(batch(800)).catch((error: unknown) => error);
    await expect(first).resolves.toBe(800);
    const rejected = await second;
    expect(rejected).toBeInstanceOf(AppError);
    expect(rejected).toMatchObject({ statusCode: 503, code: 'PULSE_ERR_OVERLOADED', headers: { 'retry-after': '1' } });
    // Once the queue has drained, the same batch is accepted.
    await expect(aggregator.submit(batch(800))).resolves.toBe(800);
  });
});

describe('ingested observations', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('counts a weighted value (an OTLP histogram bucket) as the observations it stands for', async () => {
    const handle = await startTestApp();
    close = () => handle.app.close();
    const { aggregator, metrics } = handle.app.core;
    const weighted = { ...batch(2)[0]!, weights: [10, 5] };
    await expect(aggregator.submit([weighted, ...batch(3)])).resolves.toBe(5);
    expect((await metrics.ingested.get()).values[0]?.value).toBe(18);
  });
});

function batch(n: number): SampleBatch {
  const t = Date.now();
  return [
    {
      identity: { service: 's', name: 'http.server.request.duration', kind: 'histogram', unit: 'ms', attributes: {} },
      timestamps: Array.from({ length: n }, () => t),
      values: Array.from({ length: n }, (_, i) => i),
    },
  ];
}
