import { bench, describe } from 'vitest';
import { logNormalValues } from '../testing/test-app.ts';
import { decodeSketch, encodeSketch, mergeEncoded } from './codec.ts';
import { mergedQuantiles } from './encoded-merge.ts';
import { Sketch } from './sketch.ts';

const RED = [0.5, 0.95, 0.99];

// `npm run bench:micro`: the sketch operations every ingest request and rollup row pays for.
const values = logNormalValues(10_000, 7);
const sketches = Array.from({ length: 100 }, (_, i) => {
  const s = new Sketch();
  for (let k = i * 100; k < (i + 1) * 100; k++) s.add(values[k]!);
  return s;
});
const encoded = sketches.map(encodeSketch);

describe('sketch', () => {
  bench('add 10,000 log-normal latencies', () => {
    const s = new Sketch();
    for (let i = 0; i < values.length; i++) s.add(values[i]!);
  });
  bench('merge 100 sketches of 100 values', () => {
    const s = new Sketch();
    for (const other of sketches) s.merge(other);
  });
  bench('encode 100 sketches', () => {
    for (const s of sketches) encodeSketch(s);
  });
  bench('decode 100 sketches', () => {
    for (const bytes of encoded) decodeSketch(bytes);
  });
  // What a rollup rebuild's sketch_merge_all and a view's bucket do: many stored sketches decoded into one.
  bench('decode 100 sketches into one', () => {
    const into = new Sketch();
    for (const bytes of encoded) decodeSketch(bytes, into);
  });
  bench('merge 100 encoded sketches (the SQLite sketch_merge path)', () => {
    let into: Buffer | null = null;
    for (const bytes of encoded) into = mergeEncoded(into, bytes);
  });
  // An output bucket of a view that takes five stored rows (5 min from 1 min rows): its three percentiles.
  const fives = Array.from({ length: 20 }, (_, i) => encoded.slice(i * 5, i * 5 + 5));
  const out: (number | null)[] = [];
  bench('percentiles of 20 buckets of 5 encoded sketches, merged as bytes', () => {
    for (const five of fives) mergedQuantiles(five, RED, out);
  });
  bench('percentiles of 20 buckets of 5 encoded sketches, decoded into a sketch', () => {
    for (const five of fives) {
      const s = new Sketch();
      for (const bytes of five) decodeSketch(bytes, s);
      s.quantiles(RED, out);
    }
  });
});
