import { bench, describe } from 'vitest';
import { buildWorkload } from '../../../../../bench/workload.ts';
import { DEFAULT_LIMITS, decodeNativeBatch } from './decode.ts';

// `npm run bench:micro`: parsing and validating native bodies as the benchmark's clients send them.
const END = 1_800_000_000_000;
const workload = buildWorkload({ observations: 20_000, perBody: 10_000, end: END, seed: 42, marginMs: 5_000 });
const limits = { ...DEFAULT_LIMITS, maxAgeMs: 400 * 86_400_000 };

describe('native decode', () => {
  bench('JSON.parse + validate a 10,000-observation body', () => {
    decodeNativeBatch(JSON.parse(workload.bodies[0]!.toString('utf8')), END, limits);
  });
});
