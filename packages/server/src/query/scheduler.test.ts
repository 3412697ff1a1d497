import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import type { QueryCost } from './cost.ts';
import { QueryScheduler, type QuerySteps } from './scheduler.ts';

describe('QueryScheduler', () => {
  it('runs a light read at once, without letting other work in between its steps', async () => {
    const { scheduler, log, read } = setup();
    setImmediate(() => log.push('other'));
    expect(await scheduler.run(read('light', 10, 3))).toBe('light');
    expect(log).toEqual(['light:0', 'light:1', 'light:2']);
  });

  it('gives the event loop back between the steps of a heavy read', async () => {
    const { scheduler, log, read } = setup();
    setImmediate(() => log.push('other'));
    await scheduler.run(read('heavy', 1000, 3));
    expect(log.indexOf('other')).toBeGreaterThan(0);
    expect(log.indexOf('other')).toBeLessThan(log.indexOf('heavy:2'));
  });

  it('runs heavy reads one at a time in arrival order and refuses one past the queue with 503', async () => {
    const { scheduler, log, read, refused } = setup({ maxQueued: 2 });
    const runs = ['a', 'b', 'c', 'd'].map((name) => scheduler.run(read(name, 1000, 2)));
    const results = await Promise.allSettled(runs);
    expect(results.slice(0, 3).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const rejected = results[3] as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(AppError);
    expect(rejected.reason).toMatchObject({ statusCode: 503, headers: { 'retry-after': '1' } });
    expect(refused()).toBe(1);
    expect(log).toEqual(['a:0', 'a:1', 'b:0', 'b:1', 'c:0', 'c:1']);
    // The queue drained: a new heavy read runs.
    expect(await scheduler.run(read('e', 1000, 1))).toBe('e');
  });

  it('frees the turn of a heavy read that throws', async () => {
    const { scheduler } = setup({ maxQueued: 0 });
    async function* failing(): QuerySteps<string> {
      yield cost(1000);
      throw new Error('store failed');
    }
    await expect(scheduler.run(failing())).rejects.toThrow('store failed');
    await expect(scheduler.run(failing())).rejects.toThrow('store failed');
  });
});

function cost(rows: number): QueryCost {
  return { label: 'red', from: 0, to: 1, series: 1, points: 1, rows };
}

function setup(options: { maxQueued?: number } = {}) {
  const log: string[] = [];
  let refusals = 0;
  const scheduler = new QueryScheduler({
    maxRunning: 1,
    maxQueued: options.maxQueued ?? 4,
    // Every step of a heavy read ends its slice, so the order of events does not depend on timing.
    sliceMs: 0,
    heavyCost: 100,
    onRefused: () => refusals++,
  });
  /** A read of `steps` chunks that announces `rows` as its cost and returns its name; each chunk awaits, as a store read does. */
  async function* read(name: string, rows: number, steps: number): QuerySteps<string> {
    yield cost(rows);
    for (let i = 0; i < steps; i++) {
      await Promise.resolve();
      log.push(`${name}:${i}`);
      yield;
    }
    return name;
  }
  return { scheduler, log, read, refused: () => refusals };
}
