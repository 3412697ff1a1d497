import { afterEach, describe, expect, it } from 'vitest';
import { DecodePool } from './decode-pool.ts';
import { DEFAULT_LIMITS } from './native/decode.ts';

const context = {
  now: Date.now(),
  liveFrom: Number.NEGATIVE_INFINITY,
  directBefore: [],
  limits: { ...DEFAULT_LIMITS, maxAgeMs: 86_400_000 },
};

const body = () =>
  Buffer.from(
    JSON.stringify({ metrics: [{ service: 's', name: 'm', type: 'counter', value: 2, timestamp: context.now }] }),
  );

describe('DecodePool', () => {
  let pool: DecodePool | null = null;
  afterEach(async () => {
    await pool?.close();
  });

  it('starts workers on first use and stops them once idle; the next body starts one again', async () => {
    pool = new DecodePool({ maxQueuedBytes: 1 << 20, workers: 1, idleMs: 100 });
    expect(pool.running).toBe(0);
    const { packed } = await pool.native(body(), context);
    expect(packed.observations).toBe(1);
    expect(pool.running).toBe(1);
    await expect.poll(() => pool?.running, { timeout: 5_000 }).toBe(0);
    expect((await pool.native(body(), context)).packed.identities[0]?.service).toBe('s');
  }, 30_000);

  it('refuses a body with 503 while too many bytes wait, and answers bad bodies with their error', async () => {
    pool = new DecodePool({ maxQueuedBytes: 10, workers: 1 });
    const first = pool.native(body(), context);
    await expect(pool.native(body(), context)).rejects.toMatchObject({ code: 'PULSE_ERR_OVERLOADED' });
    await first;
    await expect(pool.native(Buffer.from('{'), context)).rejects.toMatchObject({ code: 'PULSE_ERR_VALIDATION' });
  }, 30_000);

  it('refuses a body of millions of empty objects with a 400 naming the limit, before parsing it', async () => {
    pool = new DecodePool({ maxQueuedBytes: 1 << 25, workers: 1 });
    const dense = Buffer.from(`{"metrics":[${Array(2_100_000).fill('{}').join(',')}]}`);
    await expect(pool.native(dense, context)).rejects.toMatchObject({
      code: 'PULSE_ERR_VALIDATION',
      message: expect.stringContaining('more than 2,000,000 JSON objects and arrays'),
    });
    expect((await pool.native(body(), context)).packed.observations).toBe(1);
  }, 30_000);

  it('counts the native jobs in flight as folds coming (failed ones too, until answered), not OTLP metrics or logs jobs', async () => {
    pool = new DecodePool({ maxQueuedBytes: 1 << 20, workers: 2 });
    const jobs = [pool.native(body(), context), pool.native(Buffer.from('{'), context).catch(() => null)];
    expect(pool.foldsComing).toBe(2);
    await Promise.all(jobs);
    expect(pool.foldsComing).toBe(0);
    const otlp = pool.otlp(Buffer.from('{}'), 'application/json', context);
    expect(pool.foldsComing).toBe(0);
    await otlp;
    // Logs bring no fold: a commit waiting for folds coming must not wait for them.
    const logs = pool.countLogs(
      Buffer.from('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{}]}]}]}'),
      'application/json',
    );
    expect(pool.foldsComing).toBe(0);
    expect(await logs).toBe(1);
  }, 30_000);

  it('answers the jobs of a worker that ran out of memory with an error, and the process and the pool go on', async () => {
    pool = new DecodePool({ maxQueuedBytes: 1 << 24, workers: 1, workerHeapMb: 24 });
    // 900,000 empty ResourceMetrics (field 1, length 0; under the decoder's count limit): 1.8 MB that decode
    // into far more than 24 MB.
    const hostile = Buffer.alloc(1_800_000);
    for (let i = 0; i < hostile.length; i += 2) hostile[i] = 0x0a;
    await expect(pool.otlp(hostile, 'application/x-protobuf', context)).rejects.toThrow(/decode worker stopped/);
    expect((await pool.native(body(), context)).packed.observations).toBe(1);
  }, 60_000);
});
