import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runPeriodically } from './periodic.ts';

describe('runPeriodically', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs a job that throws and runs it again next tick, instead of ending the process', async () => {
    vi.useFakeTimers();
    const lines: { msg: string }[] = [];
    const app = Fastify({
      logger: { level: 'error', stream: { write: (line: string) => lines.push(JSON.parse(line)) } },
    });
    let runs = 0;
    runPeriodically(app, 'rebuilding coarse buckets', 1000, async () => {
      runs++;
      throw new Error('NOT NULL constraint failed');
    });
    await app.ready();
    await vi.advanceTimersByTimeAsync(5_500);
    expect(runs).toBe(5);
    // The same failure is logged once a minute, not on every tick.
    expect(lines.map((l) => l.msg)).toEqual(['rebuilding coarse buckets failed; trying again every 1000 ms']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lines.length).toBe(2);
    await app.close();
  });
});
