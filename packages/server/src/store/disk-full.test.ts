import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../metrics.ts';
import { DiskFullWatch } from './disk-full.ts';

describe('DiskFullWatch', () => {
  it('logs a full disk once a minute however many writes fail, counts each, and says when writes work again', async () => {
    const { watch, lines, metrics, clock } = setup();
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    for (let i = 0; i < 100; i++) expect(watch.check(full)?.statusCode).toBe(503);
    clock.now += 59_000;
    watch.check(full);
    expect(lines).toEqual([
      'error database disk full (/data/p.db): writes answer 503 with Retry-After until space is freed',
    ]);
    clock.now += 1_000;
    watch.check(full);
    expect(lines).toHaveLength(2);
    expect((await metrics.diskFull.get()).values[0]?.value).toBe(102);
    watch.wrote();
    watch.wrote();
    expect(lines.slice(2)).toEqual(['info database writable again (/data/p.db)']);
    // A new episode is logged at once.
    watch.check(full);
    expect(lines).toHaveLength(4);
  });

  it('leaves other errors alone', () => {
    const { watch, lines } = setup();
    expect(watch.check(Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT' }))).toBeNull();
    expect(watch.check(new Error('x'))).toBeNull();
    expect(watch.check(null)).toBeNull();
    watch.wrote();
    expect(lines).toEqual([]);
  });
});

function setup() {
  const lines: string[] = [];
  const clock = { now: 1_000_000 };
  const log = {
    error: (_fields: unknown, message: string) => lines.push(`error ${message}`),
    info: (_fields: unknown, message: string) => lines.push(`info ${message}`),
  } as unknown as FastifyBaseLogger;
  const metrics = createMetrics();
  const watch = new DiskFullWatch({ file: '/data/p.db', metrics, log, now: () => clock.now });
  return { watch, lines, metrics, clock };
}
