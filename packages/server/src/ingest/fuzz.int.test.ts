import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAlive, FUZZ_SEED, storedSnapshot } from '../testing/fuzz.ts';
import { startTestApp } from '../testing/test-app.ts';

// Property-based fuzz of native ingest (issue 11): hostile bodies get a coded 4xx and store nothing.
const NOW = 1_800_000_000_000;
const BODY_LIMIT = 64 * 1024;
const TYPES = ['gauge', 'counter', 'histogram'] as const;

// One name per type, so a valid batch can never be refused for a type conflict.
const goodItem = fc
  .record({
    service: fc.constantFrom('fuzz-a', 'fuzz-b'),
    type: fc.constantFrom(...TYPES),
    // Counters and histograms refuse negative values, so valid ones stay at or above zero.
    value: fc.double({ min: 0, max: 1e6, noNaN: true }),
    timestamp: fc.option(fc.integer({ min: NOW - 3_600_000, max: NOW }), { nil: undefined }),
    route: fc.constantFrom('/a', '/b'),
  })
  .map(({ type, route, ...rest }) => ({ ...rest, type, name: `fuzz.${type}`, attributes: { route } }));

/** A good item with one field made hostile: wrong types, out-of-range numbers, oversized strings or maps. */
const badItem = fc.oneof(
  fc.constantFrom<unknown>(null, 7, 'item', [], true),
  goodItem.chain((item) =>
    fc
      .oneof(
        fc.constantFrom<Record<string, unknown>>(
          { service: '' },
          { service: 42 },
          { service: 'x'.repeat(257) },
          { name: null },
          { type: 'summary' },
          { type: ['gauge'] },
          { value: 'NaN' },
          { value: 'Infinity' },
          { value: 1e301 },
          { value: -1e301 },
          { value: null },
          { value: { n: 1 } },
          { timestamp: -1 },
          { timestamp: 'yesterday' },
          { timestamp: 1e20 },
          { timestamp: NOW + 86_400_000 },
          { points: 'many' },
          { points: [[NOW]] },
          { points: [[NOW, 'x']] },
          { points: [[NOW, 1e305]] },
          { attributes: 'a=b' },
          { attributes: { nested: { deep: [1, 2] } } },
          { attributes: { v: 'y'.repeat(5000) } },
          { attributes: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])) },
          { unit: 12 },
        ),
        // Missing required fields.
        fc.constantFrom('service', 'name', 'type').map((key) => ({ [key]: undefined })),
      )
      .map((patch) => ({ ...item, ...patch })),
  ),
);

/** Arbitrary JSON, nested or not, with `metrics` sometimes present so the schema path is exercised too. */
const arbitraryBody = fc.oneof(
  fc.jsonValue(),
  fc.jsonValue().map((metrics) => ({ metrics })),
  fc.array(fc.jsonValue(), { maxLength: 5 }).map((metrics) => ({ metrics })),
);

describe('POST /api/v1/metrics under fuzz', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>['app'];
  beforeAll(async () => {
    ({ app } = await startTestApp({ bodyLimitBytes: BODY_LIMIT }, () => NOW));
  });
  afterAll(() => app.close());

  it('accepts every valid batch whole', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(goodItem, { minLength: 1, maxLength: 20 }), async (metrics) => {
        const res = await post(JSON.stringify({ metrics }));
        expect(res.json()).toEqual({ accepted: metrics.length });
      }),
      { seed: FUZZ_SEED, numRuns: 60, endOnFailure: true },
    );
  });

  it('refuses a batch with any bad item, naming it, and stores none of its good items', async () => {
    const batch = fc
      .tuple(fc.array(goodItem, { minLength: 1, maxLength: 5 }), fc.array(badItem, { minLength: 1, maxLength: 3 }))
      .chain(([good, bad]) => fc.shuffledSubarray([...good, ...bad], { minLength: good.length + bad.length }));
    await fc.assert(
      fc.asyncProperty(batch, async (metrics) => {
        const before = await storedSnapshot(app);
        const res = await post(JSON.stringify({ metrics }));
        expect([400, 413]).toContain(res.statusCode);
        expectCodedError(res.json());
        expect(await storedSnapshot(app)).toEqual(before);
      }),
      { seed: FUZZ_SEED, numRuns: 150, endOnFailure: true },
    );
    await expectAlive(app);
  });

  it('answers arbitrary JSON, non-JSON and wrong content types with a coded 4xx, or 202 for a real batch', async () => {
    const request = fc.oneof(
      arbitraryBody.map((body) => ({ body: JSON.stringify(body) ?? 'null', type: 'application/json' })),
      fc.string({ maxLength: 200 }).map((body) => ({ body, type: 'application/json' })),
      // Deep nesting, written as text: JSON.stringify itself would overflow the stack on the way.
      fc.nat({ max: 20_000 }).map((depth) => ({
        body: `{"metrics":[${'['.repeat(depth)}${']'.repeat(depth)}]}`,
        type: 'application/json',
      })),
      fc.nat({ max: 10 }).map((extra) => ({
        body: JSON.stringify({ metrics: [{ service: 's'.repeat(BODY_LIMIT + extra) }] }),
        type: 'application/json',
      })),
      fc
        .tuple(fc.jsonValue(), fc.constantFrom('text/plain', 'application/x-protobuf', 'application/xml'))
        .map(([body, type]) => ({ body: JSON.stringify(body) ?? 'null', type })),
    );
    await fc.assert(
      fc.asyncProperty(request, async ({ body, type }) => {
        const before = await storedSnapshot(app);
        const res = await post(body, type);
        if (res.statusCode === 202) {
          // Only a well-formed batch may be accepted: arbitrary values reach it as `{metrics: []}`.
          expect(isBatch(JSON.parse(body))).toBe(true);
          return;
        }
        expect([400, 413, 415]).toContain(res.statusCode);
        expectCodedError(res.json());
        expect(await storedSnapshot(app)).toEqual(before);
      }),
      { seed: FUZZ_SEED, numRuns: 200, endOnFailure: true },
    );
    await expectAlive(app);
  });

  function post(payload: string, type = 'application/json') {
    return app.inject({ method: 'POST', url: '/api/v1/metrics', headers: { 'content-type': type }, payload });
  }
});

function expectCodedError(body: unknown): void {
  expect(body).toMatchObject({ code: expect.stringMatching(/^PULSE_ERR_/), message: expect.any(String) });
}

function isBatch(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('metrics' in body) || !Array.isArray(body.metrics)) return false;
  return body.metrics.every((m: unknown) => typeof m === 'object' && m !== null && 'service' in m && 'type' in m);
}
