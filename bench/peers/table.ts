/** The peer comparison as one table: each figure for both systems and how Pulseboard compares. */
export interface Row {
  figure: string;
  ours: number;
  theirs: number;
  /** Ingest rates: higher is better; times, memory and CPU: lower is. */
  higherIsBetter: boolean;
}

const number = (n: number): string =>
  n >= 1000 ? Math.round(n).toLocaleString('en-US') : n >= 10 ? n.toFixed(1) : n.toFixed(2);

/**
 * `ratio` is Pulseboard / VictoriaMetrics; `advantage` reads the same way for every row (above 1x
 * Pulseboard is ahead): the ratio for rates, its inverse for times, memory and CPU.
 */
export function printTable(rows: readonly Row[]): void {
  const width = Math.max(...rows.map((r) => r.figure.length), 6);
  console.log(
    `${'figure'.padEnd(width)}  ${'Pulseboard'.padStart(12)}  ${'VictoriaM.'.padStart(12)}  ${'ratio'.padStart(8)}  advantage`,
  );
  for (const r of rows) {
    const ratio = r.theirs > 0 ? r.ours / r.theirs : Number.NaN;
    const advantage = r.higherIsBetter ? ratio : 1 / ratio;
    console.log(
      `${r.figure.padEnd(width)}  ${number(r.ours).padStart(12)}  ${number(r.theirs).padStart(12)}  ${ratio.toFixed(3).padStart(8)}  ${Number.isFinite(advantage) ? `${advantage.toFixed(2)}x` : 'n/a'}`,
    );
  }
}
