import type { MetaWriter } from './store/meta-writer.ts';
import type { Store } from './store/store.ts';

/** How often the server notes that it is up; a stop is known to this precision. */
export const ALIVE_EVERY_MS = 5_000;
/** Stops kept, newest last: a server restarted a thousand times within its retention forgets the oldest. */
const MAX_STOPS = 1_000;
/**
 * With a shared store (several instances may run), a start is after a stop of them all only when no instance
 * noted being up for longer than this: the others note every ALIVE_EVERY_MS, give or take a loaded timer.
 */
export const SHARED_STOP_AFTER_MS = 2 * ALIVE_EVERY_MS;
const ALIVE_KEY = 'alive_at';
const STOPS_KEY = 'stopped';

/**
 * When Pulseboard itself was not running. No service can have sent anything then, so a bucket of that time
 * without data is not a quiet service: charts drew every service's rate as 0 and the health map scored every
 * service as failing for the time the server was restarting. The server notes the time every few seconds
 * and when it stops; on start, the time since the last note is a stop. With a store shared by several
 * instances (PostgreSQL), every instance notes, so the last note is the newest of any: an instance restarting
 * while others run finds a note seconds old, which is no outage (the others kept receiving); one starting
 * after all stopped finds the time they were all down. The instances read the stops again as they note, so
 * each learns a stop the first one up after it noted.
 */
export class Downtime {
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    /** [from, to) ranges, oldest first, none overlapping. */
    private stops: [number, number][],
    private readonly meta: MetaWriter,
    private readonly now: () => number,
    private readonly keepMs: number,
    /** The shared store, read again as the instance notes (null for a server alone). */
    private readonly shared: Pick<Store, 'getMeta'> | null,
  ) {}

  /**
   * Reads the stops noted before, adds the one that ended now (from the last note of being up: with a
   * `shared` store, only one longer than SHARED_STOP_AFTER_MS), drops those older than `keepMs`, and starts
   * noting that this server is up.
   */
  static async start(
    store: Pick<Store, 'getMeta'>,
    meta: MetaWriter,
    now: () => number,
    keepMs: number,
    shared = false,
  ) {
    const [aliveText, stopsText] = await Promise.all([store.getMeta(ALIVE_KEY), store.getMeta(STOPS_KEY)]);
    const started = now();
    const stops = parseStops(stopsText);
    const alive = Number(aliveText);
    const stoppedAfter = shared ? SHARED_STOP_AFTER_MS : 0;
    const stopped = aliveText != null && Number.isFinite(alive) && alive < started - stoppedAfter;
    if (stopped) stops.push([alive, started]);
    const kept = keptStops(stops, started, keepMs);
    const downtime = new Downtime(kept, meta, now, keepMs, shared ? store : null);
    // Shared: written only with news, so an instance starting does not drop a stop another has just written.
    if (!shared || stopped) meta.set(STOPS_KEY, JSON.stringify(kept));
    downtime.noteAlive();
    downtime.timer = setInterval(() => downtime.tick(), ALIVE_EVERY_MS);
    downtime.timer.unref();
    return downtime;
  }

  /** Whether the server was stopped for the whole of [from, to). Asked per bucket and service: a binary search. */
  coversAll(from: number, to: number): boolean {
    let lo = 0;
    let hi = this.stops.length;
    // The first stop starting after `from`; the one before it is the only one that can cover [from, to).
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.stops[mid]![0] <= from) lo = mid + 1;
      else hi = mid;
    }
    const stop = this.stops[lo - 1];
    return stop !== undefined && to <= stop[1];
  }

  /** How much of [from, to) the server was stopped for (ms): time no service could send in. */
  overlapMs(from: number, to: number): number {
    let down = 0;
    for (const [a, b] of this.stops) if (a < to && b > from) down += Math.min(b, to) - Math.max(a, from);
    return down;
  }

  /** Notes the time as the server stops (a clean stop then ends exactly here); call before the store closes. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.noteAlive();
  }

  private noteAlive(): void {
    this.meta.set(ALIVE_KEY, String(this.now()));
  }

  private tick(): void {
    this.noteAlive();
    if (this.shared) void this.readShared(this.shared);
  }

  /**
   * Takes the stops another instance noted, and writes back the union when it holds one of ours the store
   * lacks (two instances starting together each wrote theirs; the later write won).
   */
  private async readShared(store: Pick<Store, 'getMeta'>): Promise<void> {
    let text: string | null | undefined;
    try {
      text = await store.getMeta(STOPS_KEY);
    } catch {
      // Read again at the next note: the stops only annotate charts.
      return;
    }
    const stored = parseStops(text);
    const union = keptStops([...stored, ...this.stops], this.now(), this.keepMs);
    this.stops = union;
    if (JSON.stringify(union) !== JSON.stringify(keptStops(stored, this.now(), this.keepMs))) {
      this.meta.set(STOPS_KEY, JSON.stringify(union));
    }
  }
}

/** The stops ending within `keepMs` of `now`, oldest first, overlapping ones joined, at most MAX_STOPS. */
function keptStops(stops: readonly [number, number][], now: number, keepMs: number): [number, number][] {
  const sorted = stops.filter(([, to]) => to > now - keepMs).sort((a, b) => a[0] - b[0]);
  const joined: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = joined[joined.length - 1];
    if (last && from < last[1]) last[1] = Math.max(last[1], to);
    else joined.push([from, to]);
  }
  return joined.slice(-MAX_STOPS);
}

function parseStops(text: string | null | undefined): [number, number][] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (r): r is [number, number] =>
        Array.isArray(r) && r.length === 2 && Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[0] < r[1],
    );
  } catch {
    // A value this version cannot read is dropped: the stops only annotate charts.
    return [];
  }
}
