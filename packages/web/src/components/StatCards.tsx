import { CPU_METRIC, MEMORY_METRIC, type ServiceStats } from '@pulseboard/shared';
import { useMemo } from 'react';
import type { Services } from '../api/endpoints.ts';
import { formatBytes, formatChange, formatCount, formatMs, formatPercent, formatRate } from '../format.ts';
import type { LiveQuery } from '../hooks/useLiveQuery.ts';
import { useRed } from '../hooks/useRed.ts';
import { useLastMinute, useOverview } from '../hooks/useResources.ts';
import { useSeries } from '../hooks/useSeries.ts';
import { useLiveFeed } from '../live/LiveProvider.tsx';
import { activePreset, resolveWindow, spanText, withPreviousWindow } from '../state/view.ts';
import { type TotalRow, totalRows } from './charts/red-rows.ts';
import { Sparkline } from './charts/Sparkline.tsx';
import { comparable, coverage, rateOverData, splitWindows } from './stat-cards.ts';

type Range = { from: string; to: string };
/** Which way is better, for the colour of the change: rate has no better direction. */
type Better = 'down' | 'none';

interface Card {
  label: string;
  /** The last complete minute. */
  now: number | null;
  /** The whole window, and the one before it. */
  window: number | null;
  previous: number | null;
  format: (v: number | null) => string;
  better: Better;
  spark: (number | null)[];
}

const SPARK_POINTS = 60;
/** Below this share of the window with data, the window's figure says how much it had. */
const FULL_COVERAGE = 0.95;

/** Per-bucket totals of a gauge across services: mean (CPU) or sum (memory); null where none reported. */
function gaugeSpark(query: LiveQuery<{ series: { points: { value: number | null }[] }[] }>, mean: boolean) {
  const series = query.data?.series ?? [];
  const length = Math.max(0, ...series.map((s) => s.points.length));
  return Array.from({ length }, (_, i) => {
    const values = series.map((s) => s.points[i]?.value).filter((v): v is number => typeof v === 'number');
    if (values.length === 0) return null;
    const sum = values.reduce((a, b) => a + b, 0);
    return mean ? sum / values.length : sum;
  });
}

/** A request figure per bucket, null where the bucket had no requests (a gap, not a 0). */
const sparkOf = (rows: TotalRow[], value: (r: TotalRow) => number | null) =>
  rows.map((r) => (r.count > 0 ? value(r) : null));

/**
 * The selected services together: the last complete minute, the window's figure, the change against the
 * window before (when both have comparable data), and a sparkline of the window.
 */
export function StatCards({
  range,
  services,
  activeAlerts,
}: {
  range: Range;
  services: Services;
  activeAlerts: number | null;
}) {
  const feed = useLiveFeed();
  const overview = useOverview(range, services);
  const minute = useLastMinute(range, services);
  // Both windows in one load, so coverage and the rate over the time with data come from the same buckets.
  const both = useMemo(() => withPreviousWindow(range, feed.now()), [range, feed]);
  const red = useRed({ range: both, services, maxPoints: 2 * SPARK_POINTS });
  const total = overview.data?.total;
  // Only services that report CPU or memory have those series (asking for them otherwise is a 404).
  const gauge = (metric: string, value: number | null | undefined) => ({
    range,
    metric: value == null ? null : metric,
    stat: 'avg',
    services,
    maxPoints: SPARK_POINTS,
  });
  const cpu = useSeries(gauge(CPU_METRIC, total?.cpu));
  const memory = useSeries(gauge(MEMORY_METRIC, total?.memory));
  const { from, to } = resolveWindow(range, feed.now());
  const span = to - from;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` marks live changes inside the buckets.
  const windows = useMemo(() => {
    const buckets = red.data;
    if (!buckets) return null;
    const split = splitWindows(totalRows(buckets, null), buckets.window.to, span);
    return { ...split, coverage: coverage(split.current), previousCoverage: coverage(split.previous) };
  }, [red.data, red.version, span]);
  const current = windows?.current ?? [];
  // A minute before any selected service's first data has no figures (its 0/s would read as a quiet minute).
  const existed = minute.data && (minute.data.since ?? minute.data.from) < minute.data.to;
  const last = existed ? minute.data?.total : undefined;
  const pick = (key: keyof ServiceStats) => ({
    now: last ? last[key] : null,
    window: total ? total[key] : null,
    previous: total ? total.previous[key] : null,
  });
  const cards: Card[] = [
    {
      label: 'Requests/s',
      now: last ? last.rate : null,
      window: windows ? rateOverData(windows.current) : null,
      previous: windows ? rateOverData(windows.previous) : null,
      format: formatRate,
      better: 'none',
      spark: sparkOf(current, (r) => r.rate),
    },
    {
      label: 'Error rate',
      ...pick('errorRate'),
      format: formatPercent,
      better: 'down',
      spark: sparkOf(current, (r) => r.errorRate),
    },
    { label: 'p50 latency', ...pick('p50'), format: formatMs, better: 'down', spark: sparkOf(current, (r) => r.p50) },
    { label: 'p95 latency', ...pick('p95'), format: formatMs, better: 'down', spark: sparkOf(current, (r) => r.p95) },
    { label: 'p99 latency', ...pick('p99'), format: formatMs, better: 'down', spark: sparkOf(current, (r) => r.p99) },
    { label: 'CPU', ...pick('cpu'), format: formatPercent, better: 'down', spark: gaugeSpark(cpu, true) },
    { label: 'Memory', ...pick('memory'), format: formatBytes, better: 'down', spark: gaugeSpark(memory, false) },
  ];
  const windowText = activePreset(range) ?? spanText(span);
  const compare = windows !== null && comparable(windows.coverage, windows.previousCoverage);
  const partial =
    windows && windows.coverage > 0 && windows.coverage < FULL_COVERAGE ? Math.round(windows.coverage * 100) : null;
  return (
    <section aria-label="Summary" className="stat-cards" data-testid="stat-cards" data-state={overview.status}>
      {overview.status === 'error' && (
        <div className="panel" role="alert">
          <span className="error-text">Could not load the summary: {overview.error?.message}</span>{' '}
          <button type="button" onClick={overview.retry}>
            Retry
          </button>
        </div>
      )}
      {cards.map((card) => (
        <StatCard
          key={card.label}
          card={card}
          loading={overview.status === 'loading'}
          windowText={windowText}
          partial={partial}
          compare={compare}
        />
      ))}
      <div className="panel stat-card" data-testid="stat-Active alerts">
        <div className="stat-label muted">Active alerts</div>
        <div className="stat-value">{formatCount(activeAlerts)}</div>
        <div className="stat-window muted">firing</div>
      </div>
    </section>
  );
}

function StatCard(props: {
  card: Card;
  loading: boolean;
  windowText: string;
  partial: number | null;
  compare: boolean;
}) {
  const { card, loading, windowText, compare } = props;
  // The share of the window with requests qualifies a figure; a card without one ("–") has nothing to qualify.
  const partial = card.window === null ? null : props.partial;
  const change = compare ? formatChange(card.window, card.previous) : null;
  const arrow = change ? { up: '▲', down: '▼', flat: '▶' }[change.direction] : '';
  const tone =
    !change || change.direction === 'flat' || card.better === 'none'
      ? 'neutral'
      : change.direction === card.better
        ? 'good'
        : 'bad';
  return (
    <div className="panel stat-card" data-testid={`stat-${card.label}`}>
      <div className="stat-label muted">
        {card.label}{' '}
        <span
          className="stat-when"
          title="The big number is the last complete minute (its percentiles and error rate over the part of it every selected service has sent; for services newer than that minute, the minute so far); the line under it the window"
        >
          last min
        </span>
      </div>
      <div className="stat-value">{loading ? '…' : card.format(card.now)}</div>
      <div
        className="stat-window muted"
        data-testid="stat-window"
        title={partial === null ? undefined : `Only ${partial}% of the ${windowText} had data; the rest is left out`}
      >
        {windowText}: {loading ? '…' : card.format(card.window)}
        {partial !== null && ` (data ${partial}%)`}
      </div>
      <div className={`stat-change ${tone}`} data-testid="stat-change">
        {change ? (
          <>
            <span aria-hidden="true">{arrow}</span> {change.text}
            <span className="muted"> vs prev. {windowText}</span>
          </>
        ) : (
          <span
            className="muted"
            title="The window before has no data, or data for a much smaller or larger share of its time"
          >
            no comparison
          </span>
        )}
      </div>
      <Sparkline values={card.spark} />
    </div>
  );
}
