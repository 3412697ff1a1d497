import { bench, describe } from 'vitest';
import { logNormalValues } from '../testing/test-app.ts';
import { decodeSketch, encodeSketch, mergeEncoded } from './codec.ts';
import { Sketch } from './sketch.ts';

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
  bench('merge 100 encoded sketches (the SQLite sketch_merge path)', () => {
    let into: Buffer | null = null;
    for (const bytes of encoded) into = mergeEncoded(into, bytes);
  });
});
