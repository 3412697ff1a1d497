import { describe, expect, it } from 'vitest';
import type { SeriesIdentity } from '../model.ts';
import { describeSeries, SeriesRegistry, seriesToAdd } from './series-registry.ts';

const LIMITS = { maxSeries: 100, maxServices: 10, maxSeriesPerService: 100, maxSeriesBytes: 10_000 };

async function registry(stored: ReturnType<typeof describeSeries>[] = []) {
  async function* rows() {
    yield* stored;
  }
  return SeriesRegistry.load(rows(), LIMITS);
}

const identity = (route: string): SeriesIdentity => ({
  service: 'checkout',
  name: 'http.server.request.duration',
  kind: 'histogram',
  unit: 'ms',
  attributes: { 'http.route': route },
});
const samples = (route: string) => ({ identity: identity(route), timestamps: [1], values: [1] });

describe('series ids where the store assigns them (a shared PostgreSQL store)', () => {
  it('hands out provisional ids, then finds the series by the id the store gave it', async () => {
    const reg = await registry();
    reg.provisionalIds = true;
    const { created } = reg.resolve([samples('/a'), samples('/b')]);
    expect(created.map((r) => r.id)).toEqual([-1, -2]);

    reg.renumber(created[0]!, 7);
    expect(reg.get(7)).toBe(created[0]);
    expect(reg.get(-1)).toBeUndefined();
    expect(reg.largestId).toBe(7);
    // A request naming the same series again gets the same record, now with the stored id.
    expect(reg.resolve([samples('/a')]).records[0]!.id).toBe(7);
    // A write naming a series still provisional (its creating write has not committed) adds it too.
    expect(seriesToAdd(reg.resolve([samples('/a'), samples('/b')]).records, [])).toEqual([created[1]]);
  });

  it('adopts series other instances stored, but not one it knows by key', async () => {
    const reg = await registry();
    reg.provisionalIds = true;
    const [mine] = reg.resolve([samples('/a')]).created;
    const theirs = describeSeries(5, 'checkout\u0000x\u0000{}', { ...identity('/x'), name: 'x', attributes: {} });
    const sameKey = { ...mine!, id: 4 };
    expect(reg.adopt(sameKey)).toBe(false);
    expect(reg.adopt(theirs)).toBe(true);
    expect(reg.get(5)).toBe(theirs);
    expect(reg.size).toBe(2);
  });

  it('keeps its own ids where the store takes them (SQLite)', async () => {
    const reg = await registry();
    const { created } = reg.resolve([samples('/a')]);
    expect(created[0]!.id).toBe(1);
    expect(seriesToAdd(created, created)).toEqual(created);
  });
});

describe('a dry run of new series (trial)', () => {
  it('admits series up to the limit, each on top of those before, refuses the rest, and registers nothing', async () => {
    const reg = await registry([describeSeries(1, 'known', identity('/known'))]);
    const trial = reg.trial();
    const outcomes = Array.from({ length: 150 }, (_, i) => trial.admit(samples(`/r${i}`)));
    const refused = outcomes.filter((o) => o instanceof Error);
    // 100 series a service: one stored, 99 new admitted, 51 refused with the limit's one refusal.
    expect(trial.created).toHaveLength(99);
    expect(refused).toHaveLength(51);
    expect(new Set(refused).size).toBe(1);
    expect(refused[0]).toMatchObject({ code: 'PULSE_ERR_CARDINALITY', limit: 'series' });
    expect(reg.size).toBe(1);
    // What resolve does with the same batch: the first refusal thrown, nothing registered.
    expect(() => reg.resolve(Array.from({ length: 150 }, (_, i) => samples(`/r${i}`)))).toThrow(refused[0] as Error);
    expect(reg.size).toBe(1);
  });
});
