/**
 * Command-line flags of the benches: `--flag value` or `--flag=value`. Each bench names its flags and what
 * each does with its value; an unknown flag or a bad number fails with the bench's usage line.
 */
export interface FlagReader {
  /** The flag's value: the text after `=`, else the next argument. */
  text(): string | undefined;
  /** The value as a positive integer (`_` allowed as a digit separator, as in 10_000_000). */
  positive(): number;
  /** A comma-separated list of positive integers. */
  positives(): number[];
}

export function parseFlags(
  argv: readonly string[],
  usage: string,
  flags: Record<string, (value: FlagReader) => void>,
): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? arg.split('=', 2) : [arg, undefined];
    if (flag === '--help' || flag === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const handle = flags[flag!];
    if (!handle) throw new Error(`unknown argument ${arg}\n${usage}`);
    let taken: string | undefined;
    let took = false;
    const text = (): string | undefined => {
      if (!took) {
        took = true;
        taken = inline ?? argv[++i];
      }
      return taken;
    };
    const positive = (t: string | undefined): number => {
      const n = Number((t ?? '').replaceAll('_', ''));
      if (!Number.isInteger(n) || n <= 0)
        throw new Error(`${flag} needs a positive integer, got ${t ?? 'nothing'}\n${usage}`);
      return n;
    };
    handle({
      text,
      positive: () => positive(text()),
      positives: () => (text() ?? '').split(',').map(positive),
    });
  }
}
