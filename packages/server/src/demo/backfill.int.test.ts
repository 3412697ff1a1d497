import { DemoGenerator } from '@pulseboard/demo';
import type { RedResponse } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { noteTierWritten } from '../core.ts';
import { getJson, startTestApp } from '../testing/test-app.ts';
import { backfillDemo } from './backfill.ts';

const HOUR = 3_600_000;

describe('demo backfill', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('writes history the 10 s and 1 min tiers agree on, and nothing in the 1 s tier', async () => {
    const now = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
    const handle = await startTestApp({}, () => now);
    close = () => handle.app.close();
    const { app } = handle;
    const { core } = app;
    const progress: number[] = [];
    // The page asks for the services before the history is written (the live demo runs meanwhile).
    expect((await getJson<{ services: unknown[] }>(app, '/api/v1/services')).body.services).toEqual([]);
    await backfillDemo({
      generator: new DemoGenerator({ seed: 7, origin: now }),
      store: core.store,
      registry: core.registry,
      from: now - 2 * HOUR,
      to: now,
      onProgress: (done) => progress.push(done),
      stopped: () => false,
      onTierWritten: (tier, t) => noteTierWritten(core, tier, t),
      onServicesSeen: (seen) => core.query.services.seen(seen),
    });
    expect(progress.at(-1)).toBe(1);
    const services = await getJson<{ services: { name: string }[] }>(app, '/api/v1/services');
    expect(services.body.services).toHaveLength(5);

    const from = now - HOUR;
    const read = (maxPoints: number) =>
      getJson<RedResponse>(app, `/api/v1/red?from=${from}&to=${now}&maxPoints=${maxPoints}`);
    const fine = (await read(300)).body; // 20 s steps: the 10 s tier
    const coarse = (await read(60)).body; // 1 min steps: the 1 min tier
    expect(fine.step).toBe(20_000);
    expect(coarse.step).toBe(60_000);
    const total = (r: RedResponse) => r.series.reduce((n, s) => n + s.points.reduce((m, p) => m + p.count, 0), 0);
    expect(total(fine)).toBeGreaterThan(10_000);
    expect(total(fine)).toBe(total(coarse));
    expect(await core.store.readRed({ tier: 0, services: ['api-gateway'], byRoute: false, from: 0, to: now })).toEqual(
      [],
    );

    // A 1 s view of that history shows each 10 s bucket's average rate, not one spike and nine zeros.
    const perSecond = (
      await getJson<RedResponse>(app, `/api/v1/red?service=api-gateway&from=${now - 60_000}&to=${now}&maxPoints=60`)
    ).body;
    expect(perSecond.step).toBe(1000);
    const rates = perSecond.series[0]!.points.map((p) => p.rate);
    expect(Math.min(...rates)).toBeGreaterThan(0);
    for (let i = 0; i < 60; i += 10) expect(new Set(rates.slice(i, i + 10)).size).toBe(1);
  });
});
