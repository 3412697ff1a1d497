import * as shared from '@pulseboard/shared';
import fc from 'fast-check';
import Type, { type TSchema } from 'typebox';
import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { checkerOf } from './check.ts';

const point = (t: number) => ({
  t,
  rate: 40.5,
  errorRate: t % 2 ? 0.01 : null,
  p50: 12,
  p95: 40,
  p99: null,
  count: 400,
});
const redResponse = {
  from: 0,
  to: 3000,
  step: 1000,
  series: [
    { service: 'api', route: null, interval: 1000, points: [point(0), point(1000), point(2000)] },
    { total: true, points: [point(0), point(1000)] },
  ],
};

/** Every response and message schema the page checks, with a valid sample (TypeBox's own, or a real shape). */
const schemas = (Object.entries(shared) as [string, unknown][]).filter(
  (entry): entry is [string, TSchema] => entry[0].endsWith('Schema') && typeof entry[1] === 'object',
);
const samples: [string, TSchema, unknown][] = [
  ['RedResponseSchema (real shape)', shared.RedResponseSchema, redResponse],
  ...schemas.flatMap(([name, schema]): [string, TSchema, unknown][] => {
    try {
      return [[name, schema, Value.Create(schema)]];
    } catch {
      return []; // TypeBox cannot invent a string for a pattern: the keyword goes to Value.Check anyway
    }
  }),
];

type Path = (string | number)[];
function paths(value: unknown, at: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [at];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [at, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...at, k]))];
}

/** A copy of `value` with the thing at `path` replaced (or deleted with `undefined` in an object). */
function mutate(value: unknown, path: Path, replacement: unknown, remove: boolean): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (remove && !Array.isArray(parent)) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

const odd = fc.constantFrom<unknown>(
  null,
  undefined,
  0,
  -1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'x',
  true,
  [],
  {},
);

describe('checkerOf', () => {
  it.each(samples)('accepts what Value.Check accepts: %s', (_, schema, sample) => {
    expect(Value.Check(schema, sample)).toBe(true);
    expect(checkerOf(schema)(sample)).toBe(true);
  });

  it('answers as Value.Check does for responses with one part changed or removed (seed 42)', () => {
    fc.assert(
      fc.property(
        fc.nat(samples.length - 1),
        fc.nat(),
        fc.oneof(fc.jsonValue(), odd),
        fc.boolean(),
        (which, at, replacement, remove) => {
          const [, schema, sample] = samples[which]!;
          const all = paths(sample);
          const changed = mutate(sample, all[at % all.length]!, replacement, remove);
          expect(checkerOf(schema)(changed)).toBe(Value.Check(schema, changed));
        },
      ),
      { seed: 42, numRuns: 3000 },
    );
  });

  it('leaves keywords it does not build to TypeBox (never looser)', () => {
    const schema = Type.Object({ name: Type.String({ maxLength: 3 }), n: Type.Integer({ minimum: 0 }) });
    const check = checkerOf(schema);
    expect(check({ name: 'abc', n: 1 })).toBe(true);
    expect(check({ name: 'abcd', n: 1 })).toBe(false);
    expect(check({ name: 'abc', n: -1 })).toBe(false);
    expect(check({ name: 'abc', n: 1.5 })).toBe(false);
    expect(checkerOf(Type.Object({ a: Type.Number() }, { additionalProperties: false }))({ a: 1, b: 2 })).toBe(false);
  });
});
