import { againstTarget, type HealthResponse } from '@pulseboard/shared';
import { formatMs, formatPercent } from '../../format.ts';
import type { PageConfig } from '../../theme/page-config.ts';

export type HealthCell = HealthResponse['cells'][number];

/** Why a cell has its score, in sentences for the hover card. */
/**
 * A cell of a service that sent nothing although it had before: scored 0 (it may be down), but drawn apart
 * from a cell of failing requests, which a solid dark red says.
 */
export function isSilent(cell: HealthCell): boolean {
  return cell.score === 0 && (cell.errorRate === null || cell.p99 === null);
}

export function explainCell(cell: HealthCell, targets: PageConfig['healthTargets']): string[] {
  if (cell.down) return ['No data: Pulseboard itself was not running then.'];
  if (cell.score === null) return ['No data yet: the service had not reported before this time.'];
  if (cell.errorRate === null || cell.p99 === null) {
    return ['Silent: no requests in this interval although the service reported before, so it scores 0.'];
  }
  const errorScore = againstTarget(cell.errorRate, targets.errorRate);
  const p99Score = againstTarget(cell.p99, targets.p99Ms);
  return [
    `Error rate ${formatPercent(cell.errorRate)} against a target of ${formatPercent(targets.errorRate)}: ${errorScore.toFixed(2)}`,
    `p99 ${formatMs(cell.p99)} against a target of ${formatMs(targets.p99Ms)}: ${p99Score.toFixed(2)}`,
    'The score is the worse of the two: 1 within a target, falling to 0 at 5x it.',
  ];
}

export interface HeatmapGrid {
  times: number[];
  rows: { service: string; cells: (HealthCell | undefined)[] }[];
  /** Services left out to stay within `limit` rows. */
  hidden: number;
}

/**
 * Services x times in name order; `only` limits to the selected services. Past `limit` services, the ones that
 * were worst at some point in the range are kept, so trouble is never the part left out.
 */
export function heatmapGrid(res: HealthResponse, only: readonly string[] | null, limit: number): HeatmapGrid {
  const times = [...new Set(res.cells.map((c) => c.t))].sort((a, b) => a - b);
  const column = new Map(times.map((t, i) => [t, i]));
  const wanted = only ? new Set(only) : null;
  const byService = new Map<string, (HealthCell | undefined)[]>();
  for (const service of res.services) {
    if (!wanted || wanted.has(service)) byService.set(service, new Array(times.length));
  }
  for (const cell of res.cells) {
    const row = byService.get(cell.service);
    const i = column.get(cell.t);
    if (row && i !== undefined) row[i] = cell;
  }
  const ranked = [...byService].map(([service, cells]) => ({
    service,
    cells,
    worst: cells.reduce((low, c) => Math.min(low, c?.score ?? 1), 1),
  }));
  ranked.sort((a, b) => a.worst - b.worst || a.service.localeCompare(b.service));
  const rows = ranked.slice(0, limit).map(({ service, cells }) => ({ service, cells }));
  rows.sort((a, b) => a.service.localeCompare(b.service));
  return { times, rows, hidden: ranked.length - rows.length };
}
