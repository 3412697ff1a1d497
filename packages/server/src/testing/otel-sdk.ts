import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';

/**
 * Test helpers for the tests that drive the real OpenTelemetry JS SDK. Partial successes and failed
 * exports reach the SDK's diag logger: this routes its warnings and errors into `problems` (undo with
 * `diag.disable()`), so a test can require that none appeared.
 */
export function recordSdkProblems(problems: string[]): void {
  const record = (...args: unknown[]) => problems.push(args.map(String).join(' '));
  const logger: DiagLogger = { error: record, warn: record, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, DiagLogLevel.WARN);
}

/** The exact percentile as the server defines it: the value at rank floor(q * (n - 1)). */
export function exact(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** A seeded generator of uniform values in (0, 1), so test data is the same on every run. */
export function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state + 0.5) / 2 ** 31;
  };
}
