import { CPU_METRIC, type LiveServiceStats, MEMORY_METRIC, parseSignal } from '@pulseboard/shared';

/**
 * An alert signal's value in a live second, for the signals frames carry (RED, and CPU and memory averages);
 * undefined for the others, which only the alert's own evaluations update.
 */
export function liveSignalValue(signal: string, stats: LiveServiceStats | undefined): number | null | undefined {
  const parsed = parseSignal(signal);
  if (!parsed) return undefined;
  if (parsed.kind === 'red') {
    if (!stats) return null;
    return parsed.name === 'rate' ? stats.rate : stats[parsed.name];
  }
  if (parsed.stat !== 'avg') return undefined;
  if (parsed.metric === CPU_METRIC) return stats ? stats.cpu : null;
  if (parsed.metric === MEMORY_METRIC) return stats ? stats.memory : null;
  return undefined;
}
