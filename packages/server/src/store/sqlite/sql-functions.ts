import type Database from 'better-sqlite3';
import { decodeSketch, encodeSketch, mergeEncoded } from '../../sketch/codec.ts';
import { Sketch } from '../../sketch/sketch.ts';

/**
 * The SQL functions the bucket tables need: `sketch_merge(a, b)` for additive upserts, and the aggregates
 * `sketch_merge_all(sketch)` and `latest(t, value)` for building a coarse bucket from finer ones.
 */
export function registerSqlFunctions(db: Database.Database): void {
  db.function('sketch_merge', { deterministic: true }, (a: unknown, b: unknown) =>
    mergeEncoded(a as Buffer | null, b as Buffer | null),
  );
  db.aggregate('sketch_merge_all', {
    start: () => null,
    step: (acc: unknown, blob: unknown) =>
      blob ? decodeSketch(blob as Buffer, (acc as Sketch | null) ?? new Sketch()) : acc,
    result: (acc: unknown) => (acc ? encodeSketch(acc as Sketch) : null),
  });
  // One accumulator per group, updated in place (a new pair per row was garbage on every rebuild).
  const latest = {
    start: () => ({ t: Number.NEGATIVE_INFINITY, value: null as unknown }),
    step: (acc: { t: number; value: unknown }, t: unknown, value: unknown) => {
      if ((t as number) >= acc.t) {
        acc.t = t as number;
        acc.value = value;
      }
      return acc;
    },
    result: (acc: { t: number; value: unknown }) => acc.value,
  };
  // Two arguments (time, value): the driver's types only describe one-argument aggregates.
  db.aggregate('latest', latest as unknown as Parameters<typeof db.aggregate>[1]);
}
