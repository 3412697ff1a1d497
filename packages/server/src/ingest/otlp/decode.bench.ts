import { bench, describe } from 'vitest';
import { buildOtlpWorkload } from '../../../../../bench/otlp-workload.ts';
import { DEFAULT_LIMITS } from '../native/decode.ts';
import { Conversion } from './convert.ts';
import { decodeMetricsProtobuf } from './decode-protobuf.ts';

// `npm run bench:micro`: decoding OTLP protobuf exports of 10 s of one service (200 histogram points each).
const workload = buildOtlpWorkload({
  observations: 200_000,
  secondsPerBody: 10,
  end: 1_800_000_000_000,
  marginMs: 5_000,
  seed: 42,
  cumulative: false,
});
const bodies = workload.bodies.slice(0, 20);
const limits = { ...DEFAULT_LIMITS, maxAgeMs: 400 * 86_400_000 };

describe('OTLP decode', () => {
  bench('decode 20 protobuf exports', () => {
    for (const body of bodies) decodeMetricsProtobuf(body);
  });
  // Conversion groups points into series by their shared attributes objects (convert.ts).
  bench('decode and convert 20 protobuf exports', () => {
    for (const body of bodies) new Conversion(1_800_000_000_000, limits).run(decodeMetricsProtobuf(body));
  });
});
