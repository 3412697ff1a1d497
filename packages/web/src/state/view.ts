import { parseTimeParam } from '@pulseboard/shared';

export type Page = { name: 'overview' } | { name: 'service'; service: string } | { name: 'rules' };
export type RouteSort = 'route' | 'count' | 'p99' | 'errorRate';
export const ROUTE_SORTS: readonly RouteSort[] = ['route', 'count', 'p99', 'errorRate'];

/** Everything a link reproduces. `to === 'now'` is live; absolute `from`/`to` (epoch ms) is a paused view. */
export interface ViewState {
  page: Page;
  from: string;
  to: string;
  /** Empty: every service. */
  services: string[];
  /** Response-time chart: one service, or null for all the selected ones. */
  latency: string | null;
  metric: string | null;
  stat: string | null;
  sort: RouteSort;
  desc: boolean;
}

export const PRESETS = ['5m', '15m', '1h', '6h', '24h', '7d'] as const;
const DEFAULT_FROM = 'now-1h';

const SERVICE_PATH = /^\/services\/([^/]+)\/?$/;
const RULES_PATH = /^\/rules\/?$/;

export function parseView(pathname: string, search: string): ViewState {
  const q = new URLSearchParams(search);
  const match = SERVICE_PATH.exec(pathname);
  const service = match?.[1] ? safeDecode(match[1]) : null;
  const now = Date.now();
  let from = q.get('from') ?? DEFAULT_FROM;
  let to = q.get('to') ?? 'now';
  const fromMs = parseTimeParam(from, now);
  const toMs = parseTimeParam(to, now);
  if (fromMs === null || toMs === null || fromMs >= toMs) [from, to] = [DEFAULT_FROM, 'now'];
  const sort = q.get('sort');
  return {
    page: service ? { name: 'service', service } : RULES_PATH.test(pathname) ? { name: 'rules' } : { name: 'overview' },
    from,
    to,
    services: [...new Set(q.getAll('service').filter((s) => s.length > 0))],
    latency: q.get('latency'),
    metric: q.get('metric'),
    stat: q.get('stat'),
    sort: ROUTE_SORTS.find((s) => s === sort) ?? 'count',
    desc: q.get('dir') !== 'asc',
  };
}

/** The path and query string of a view; defaults are left out so links stay short. */
export function viewUrl(view: ViewState): string {
  const q = new URLSearchParams();
  if (view.from !== DEFAULT_FROM) q.set('from', view.from);
  if (view.to !== 'now') q.set('to', view.to);
  for (const s of view.services) q.append('service', s);
  if (view.latency) q.set('latency', view.latency);
  if (view.page.name === 'service') {
    if (view.metric) q.set('metric', view.metric);
    if (view.stat) q.set('stat', view.stat);
    if (view.sort !== 'count') q.set('sort', view.sort);
    if (!view.desc) q.set('dir', 'asc');
  }
  const path =
    view.page.name === 'service'
      ? `/services/${encodeURIComponent(view.page.service)}`
      : view.page.name === 'rules'
        ? '/rules'
        : '/';
  const text = q.toString();
  return text ? `${path}?${text}` : path;
}

export const isLive = (view: Pick<ViewState, 'to'>) => view.to === 'now';

/** The view's window in epoch ms at `now`. */
export function resolveWindow(view: Pick<ViewState, 'from' | 'to'>, now: number): { from: number; to: number } {
  return { from: parseTimeParam(view.from, now) ?? now - 3_600_000, to: parseTimeParam(view.to, now) ?? now };
}

const UNITS: [string, number][] = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** 3_600_000 -> `1h`: the largest unit that divides the span (whole seconds at least). */
export function spanText(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000)) * 1000;
  const [unit, size] = UNITS.find(([, size]) => seconds % size === 0) ?? ['s', 1000];
  return `${seconds / size}${unit}`;
}

/**
 * The view's window with the one before it in front ([from - span, to)): the stat cards load both at once to
 * compare them. A live view stays live (`now-2h` for `now-1h`).
 */
export function withPreviousWindow(view: Pick<ViewState, 'from' | 'to'>, now: number): { from: string; to: string } {
  const { from, to } = resolveWindow(view, now);
  const span = to - from;
  return isLive(view)
    ? { from: `now-${spanText(2 * span)}`, to: 'now' }
    : { from: String(from - span), to: String(to) };
}

/** Live -> paused freezes the current window; paused -> live keeps its length and follows now. */
export function toggleLive(view: ViewState, now: number): Pick<ViewState, 'from' | 'to'> {
  const { from, to } = resolveWindow(view, now);
  if (isLive(view)) return { from: String(from), to: String(to) };
  return { from: `now-${spanText(to - from)}`, to: 'now' };
}

/** The preset (`1h`) a live view shows, if any: `now-1d` shows as `24h`. */
export function activePreset(view: Pick<ViewState, 'from' | 'to'>): string | null {
  if (!isLive(view)) return null;
  const span = -(parseTimeParam(view.from, 0) ?? 0);
  return PRESETS.find((p) => parseTimeParam(`now-${p}`, 0) === -span) ?? null;
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
