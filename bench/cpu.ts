/**
 * Who used the CPU during a timed phase: the server, this client, or something else on the machine.
 * On a 2-core box another process (a test run, a build) can halve the ingest figure, so the report says
 * how much foreign work overlapped the measurement instead of leaving the reader to guess.
 */
import { readFileSync } from 'node:fs';

/** Busy (non-idle, non-iowait) CPU seconds of the whole machine since boot, from /proc/stat. */
function machineBusySeconds(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu  user nice system idle iowait irq softirq steal ...  (clock ticks, 100 per second)
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
  } catch {
    return null;
  }
}

const clientSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

export interface CpuSplit {
  /** CPU seconds used by each party during the phase. */
  server: number;
  client: number;
  other: number;
}

/** Starts a measurement; call the returned function at the end of the phase. */
export function cpuSplit(serverSeconds: () => number | null): () => CpuSplit | null {
  const machine0 = machineBusySeconds();
  const server0 = serverSeconds();
  const client0 = clientSeconds();
  return () => {
    const machine1 = machineBusySeconds();
    const server1 = serverSeconds();
    if (machine0 === null || machine1 === null || server0 === null || server1 === null) return null;
    const server = server1 - server0;
    const client = clientSeconds() - client0;
    // Tick rounding can make this slightly negative; it means "none".
    return { server, client, other: Math.max(0, machine1 - machine0 - server - client) };
  };
}
