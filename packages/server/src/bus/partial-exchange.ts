import { type LiveSeconds, liveStats, mergeSecondStats } from '../aggregate/live-stats.ts';
import { type FramePartial, frameOf, type ServicePartial } from '../live/second-window.ts';
import type { SecondFrame } from './bus.ts';
import type { ReceivedPartial } from './partial-codec.ts';

export interface PartialExchangeOptions {
  /** This instance's id: its own partials echoed back by the channel are ignored. */
  self: string;
  /** How long after this instance closed a second it waits for the others' partials of it. */
  waitMs: number;
  /** An instance whose newest partial is this much older than a second is not waited for in that second. */
  memberTtlMs: number;
  /** Sends the merged frame (to the local bus). Frames go out in order of their seconds. */
  emit: (frame: SecondFrame) => void;
  /** A partial that came after its second's frame went out (or from too far ahead), left out of the frame. */
  onLate?: (from: string) => void;
  /** Timers; tests pass a fake clock. */
  schedule?: (run: () => void, ms: number) => () => void;
}

interface Pending {
  partials: FramePartial[];
  from: Set<string>;
  /** This instance closed the second: its own partial is in, and the wait has started. */
  closed: boolean;
  cancel: (() => void) | null;
}

/** Partials for seconds further ahead of this instance's newest closed one are not kept (a clock far ahead). */
const MAX_AHEAD_MS = 10_000;

/**
 * Builds each second's frame from every instance's partial of it. A second's frame goes out as soon as
 * every instance heard from lately (within `memberTtlMs`) has sent its partial, or `waitMs` after this
 * instance closed it, whichever comes first; partials that come later miss the live frame (they are in
 * their instance's store). Instances are known only by their partials, which each sends every second, even
 * empty: one that stops (killed, cut off from Redis) is waited for until `memberTtlMs` has passed.
 */
export class PartialExchange {
  private readonly pending = new Map<number, Pending>();
  /** Instance -> the newest second it sent a partial of. */
  private readonly heard = new Map<string, number>();
  /** The newest second whose frame went out. */
  private sent = Number.NEGATIVE_INFINITY;
  private newestClosed = Number.NEGATIVE_INFINITY;
  private readonly schedule: (run: () => void, ms: number) => () => void;

  constructor(private readonly options: PartialExchangeOptions) {
    this.schedule =
      options.schedule ??
      ((run, ms) => {
        const timer = setTimeout(run, ms);
        return () => clearTimeout(timer);
      });
  }

  /** Other instances heard from within `memberTtlMs` of the newest second this one closed. */
  get peers(): number {
    let n = 0;
    for (const t of this.heard.values()) if (t >= this.newestClosed - this.options.memberTtlMs) n++;
    return n;
  }

  /** This instance closed second t with `partial`; its frame goes out once the others' are in. */
  closeLocal(t: number, partial: FramePartial): void {
    if (t <= this.sent) return;
    this.newestClosed = Math.max(this.newestClosed, t);
    // Instances gone for good (each restart is a new id) are forgotten.
    for (const [instance, newest] of this.heard) {
      if (newest < this.newestClosed - this.options.memberTtlMs) this.heard.delete(instance);
    }
    const entry = this.entry(t);
    entry.partials.push(partial);
    entry.closed = true;
    entry.cancel = this.schedule(() => this.finish(t), this.options.waitMs);
    if (this.complete(t)) this.finish(t);
  }

  /** A partial from the channel. */
  receive({ from, t, partial }: ReceivedPartial): void {
    if (from === this.options.self) return;
    this.heard.set(from, Math.max(this.heard.get(from) ?? t, t));
    const tooFarAhead = Number.isFinite(this.newestClosed) && t > this.newestClosed + MAX_AHEAD_MS;
    if (t <= this.sent || tooFarAhead) {
      this.options.onLate?.(from);
      return;
    }
    const entry = this.entry(t);
    if (entry.from.has(from)) return;
    entry.from.add(from);
    entry.partials.push(partial);
    if (entry.closed && this.complete(t)) this.finish(t);
  }

  /** Stops the waits; frames not yet sent are dropped. */
  close(): void {
    for (const entry of this.pending.values()) entry.cancel?.();
    this.pending.clear();
  }

  private entry(t: number): Pending {
    let entry = this.pending.get(t);
    if (!entry) this.pending.set(t, (entry = { partials: [], from: new Set(), closed: false, cancel: null }));
    return entry;
  }

  private complete(t: number): boolean {
    const entry = this.pending.get(t);
    if (!entry) return false;
    for (const [instance, newest] of this.heard) {
      if (newest >= t - this.options.memberTtlMs && !entry.from.has(instance)) return false;
    }
    return true;
  }

  /** Sends second t's frame, and before it those of earlier seconds this instance closed (in order). */
  private finish(t: number): void {
    const due = [...this.pending.keys()].filter((s) => s <= t && this.pending.get(s)!.closed).sort((a, b) => a - b);
    for (const second of due) {
      const entry = this.pending.get(second)!;
      this.pending.delete(second);
      entry.cancel?.();
      this.sent = Math.max(this.sent, second);
      this.options.emit(frameOf(second, mergePartials(second, entry.partials)));
    }
    // Partials of seconds now behind the newest frame can no longer be used.
    for (const second of this.pending.keys()) if (second <= this.sent) this.pending.delete(second);
  }
}

/** Several instances' partials of second t added up per service (counts and sums added, sketches merged). */
export function mergePartials(t: number, partials: readonly FramePartial[]): FramePartial {
  if (partials.length === 1) return partials[0]!;
  const sums: LiveSeconds = new Map();
  const intervals = new Map<string, number>();
  for (const partial of partials) {
    for (const [service, { stats, interval }] of partial) {
      mergeSecondStats(liveStats(sums, service, t), stats);
      intervals.set(service, Math.max(intervals.get(service) ?? interval, interval));
    }
  }
  const merged = new Map<string, ServicePartial>();
  for (const [service, stats] of sums.get(t) ?? []) merged.set(service, { stats, interval: intervals.get(service)! });
  return merged;
}
