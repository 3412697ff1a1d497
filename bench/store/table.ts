/** The store bench's printed table: one column per phase, measured in the same run. */

export interface PhaseResult {
  name: string;
  instances: number;
  observations: number;
  accepted: number;
  wallMs: number;
  obsPerSec: number;
  retries: number;
  /** Worst per-instance ack p99, ms. */
  ackP99Ms: number;
  /** Kernel high-water mark of each instance's resident memory (VmHWM), bytes. */
  peakRssBytes: (number | null)[];
  /** CPU seconds of all instances during ingest, per second of ingest wall time. */
  serverCores: number;
  rebuildMs: number;
  query: { runs: number; p50: number; p95: number; p99: number; ok: boolean; problems: string[] };
  /** Total count each instance answered for the whole hour sent, against what was sent. */
  readBack: number[];
  /** 1/5/15-minute load averages when the phase ended. */
  load: string;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (b: number | null): string => (b === null ? 'n/a' : `${Math.round(b / 1024 / 1024)} MiB`);
const msText = (n: number): string => (n < 100 ? n.toFixed(1) : int(n));

const width = 27;
const line = (label: string, cells: string[]): void =>
  console.log(`  ${label.padEnd(32)}${cells.map((c) => c.padStart(width)).join('')}`);

/** The ingest rate of each set-up in every round, and their medians: the figure to quote under shared load. */
export function printRounds(rounds: PhaseResult[][]): void {
  if (rounds.length < 2) return;
  const setUps = rounds[0]!;
  const rates = setUps.map((_, i) => rounds.map((r) => r[i]!.obsPerSec).sort((a, b) => a - b));
  const median = (xs: number[]): number =>
    xs.length % 2 ? xs[xs.length >> 1]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2;
  console.log(`
All ${rounds.length} rounds (order rotated each round)`);
  line(
    'observations/s, each round',
    setUps.map((_, i) => rounds.map((r) => `${Math.round(r[i]!.obsPerSec / 1000)}k`).join(' ')),
  );
  line(
    'observations/s, median',
    rates.map((xs) => int(median(xs))),
  );
  line(
    '  vs the first set-up',
    rates.map((xs) => `${(median(xs) / median(rates[0]!)).toFixed(2)}x`),
  );
}

export function printTable(phases: PhaseResult[], options: { connections: number }, title: string): void {
  console.log(`
${title}`);
  line(
    '',
    phases.map((p) => p.name),
  );
  line(
    '',
    phases.map((p) => `${p.instances} instance${p.instances > 1 ? 's' : ''}`),
  );
  line(
    'observations/s',
    phases.map((p) => int(p.obsPerSec)),
  );
  const sqlite = phases.find((p) => p.name === 'SQLite');
  const onePg = phases.find((p) => p.name === 'PostgreSQL' && p.instances === 1);
  if (sqlite)
    line(
      '  vs SQLite',
      phases.map((p) => `${(p.obsPerSec / sqlite.obsPerSec).toFixed(2)}x`),
    );
  if (onePg)
    line(
      '  vs one PostgreSQL instance',
      phases.map((p) => (p.name === 'PostgreSQL' ? `${(p.obsPerSec / onePg.obsPerSec).toFixed(2)}x` : '')),
    );
  line(
    'ingest wall time',
    phases.map((p) => `${(p.wallMs / 1000).toFixed(1)} s`),
  );
  line(
    `ack p99 (${options.connections} connections in all)`,
    phases.map((p) => `${msText(p.ackP99Ms)} ms`),
  );
  line(
    '503/429 retries',
    phases.map((p) => int(p.retries)),
  );
  line(
    'server CPU during ingest',
    phases.map((p) => `${p.serverCores.toFixed(2)} cores`),
  );
  line(
    'peak RSS per instance',
    phases.map((p) => p.peakRssBytes.map(mib).join(' / ')),
  );
  line(
    'coarse-bucket rebuild wait',
    phases.map((p) => `${(p.rebuildMs / 1000).toFixed(1)} s`),
  );
  line(
    'RED query p50 / p95 / p99',
    phases.map((p) => `${msText(p.query.p50)} / ${msText(p.query.p95)} / ${msText(p.query.p99)} ms`),
  );
  line(
    '  runs, answer check',
    phases.map((p) => `${p.query.runs}, ${p.query.ok ? 'ok' : 'FAILED'}`),
  );
  line(
    'count sent',
    phases.map((p) => int(p.observations)),
  );
  line(
    'count read back, per instance',
    phases.map((p) => p.readBack.map(int).join(' & ')),
  );
  line(
    '  verdict',
    phases.map((p) =>
      p.readBack.every((n) => n === p.observations) && p.accepted === p.observations ? 'equal' : 'MISMATCH',
    ),
  );
  line(
    'load average at end (1/5/15 m)',
    phases.map((p) => p.load),
  );
  for (const p of phases)
    for (const problem of p.query.problems) console.log(`  ${p.name} x${p.instances} query check: ${problem}`);
}
