import type { MetaWriter } from './store/meta-writer.ts';
import type { Store } from './store/store.ts';

/** How often the server notes that it is up; a stop is known to this precision. */
export const ALIVE_EVERY_MS = 5_000;
/** Stops kept, newest last: a server restarted a thousand times within its retention forgets the oldest. */
const MAX_STOPS = 1_000;
const ALIVE_KEY = 'alive_at';
const STOPS_KEY = 'stopped';

/**
 * When Pulseboard itself was not running. No service can have sent anything then, so a bucket of that time
 * without data is not a quiet service: charts drew every service's rate as 0 and the health map scored every
 * service as failing for the time the server was restarting. The server notes the time every few seconds
 * and when it stops; on start, the time since the last note is a stop. Kept only for a server running
 * alone: an instance of several restarting is no outage (the others kept receiving).
 */
export class Downtime {
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    /** [from, to) ranges, oldest first. */
    private readonly stops: [number, number][],
    private readonly meta: MetaWriter | null,
    private readonly now: () => number,
  ) {}

  /** Nothing known or noted (an instance of a cluster). */
  static none(): Downtime {
    return new Downtime([], null, () => 0);
  }

  /**
   * Reads the stops noted before, adds the one that ended now (from the last note of being up), drops those
   * older than `keepMs`, and starts noting that this server is up.
   */
  static async start(store: Pick<Store, 'getMeta'>, meta: MetaWriter, now: () => number, keepMs: number) {
    const [aliveText, stopsText] = await Promise.all([store.getMeta(ALIVE_KEY), store.getMeta(STOPS_KEY)]);
    const started = now();
    const stops = parseStops(stopsText);
    const alive = Number(aliveText);
    if (aliveText != null && Number.isFinite(alive) && alive < started) stops.push([alive, started]);
    const kept = stops.filter(([, to]) => to > started - keepMs).slice(-MAX_STOPS);
    const downtime = new Downtime(kept, meta, now);
    meta.set(STOPS_KEY, JSON.stringify(kept));
    downtime.noteAlive();
    downtime.timer = setInterval(() => downtime.noteAlive(), ALIVE_EVERY_MS);
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
    this.meta?.set(ALIVE_KEY, String(this.now()));
  }
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
