import type { Span } from '../query/steps.ts';
import type { DirtyRow } from '../store/store.ts';

/** A dirty bucket: the version to clear it by, and when writes first and last marked it (epoch ms). */
export interface DirtyMark {
  t: number;
  version: number;
  first: number;
  last: number;
  /** The store's count of marks as last read (see `Store.loadDirty`); 0 when made here and not read yet. */
  stored: number;
}

/**
 * Coarse buckets (tiers MATERIALIZED_FROM up) that have new data in the tier below and must be rebuilt
 * from it. Each mark carries a version, so a rebuild that raced with a newer write leaves the mark on.
 */
export class DirtyBuckets {
  private readonly byTier = new Map<number, Map<number, DirtyMark>>();
  private version = 0;

  /** Marks stored before a restart count as written at time 0: due at once. */
  constructor(marks: Iterable<DirtyRow> = []) {
    for (const [tier, t, stored] of marks) this.add(tier, t, 0, stored);
  }

  /** A write into the bucket at `at`; `stored` is the store's count when read from it (see `sync`). */
  add(tier: number, t: number, at: number, stored?: number): void {
    let buckets = this.byTier.get(tier);
    if (!buckets) this.byTier.set(tier, (buckets = new Map()));
    const mark = buckets.get(t);
    buckets.set(t, {
      t,
      version: ++this.version,
      first: mark?.first ?? at,
      last: at,
      stored: stored ?? mark?.stored ?? 0,
    });
  }

  /**
   * Where instances share the store: takes in the marks stored now, `rows`, read from `readAt` on. A mark
   * new here or marked again since (another instance wrote into the bucket) is added at `at`; one no longer
   * stored was rebuilt by another instance and goes, unless it was made here after the read began.
   */
  sync(rows: readonly DirtyRow[], at: number, readAt: number): void {
    const stored = new Set<string>();
    for (const [tier, t, marks] of rows) {
      stored.add(`${tier}:${t}`);
      if (this.byTier.get(tier)?.get(t)?.stored !== marks) this.add(tier, t, at, marks);
    }
    for (const [tier, buckets] of this.byTier) {
      for (const [t, mark] of buckets) if (!stored.has(`${tier}:${t}`) && mark.last < readAt) buckets.delete(t);
    }
  }

  get size(): number {
    let n = 0;
    for (const buckets of this.byTier.values()) n += buckets.size;
    return n;
  }

  /**
   * `tier`'s dirty buckets (of `res` ms) as spans of consecutive ones, oldest first, at most `max`: where
   * there would be more, the shortest gaps between them are taken in too (a clean bucket read from the finer
   * tier is still exact), so a read is split into a bounded number of parts.
   */
  spans(tier: number, res: number, max: number): Span[] {
    const starts = [...(this.byTier.get(tier)?.keys() ?? [])].sort((a, b) => a - b);
    const spans: Span[] = [];
    for (const t of starts) {
      const last = spans.at(-1);
      if (last && last.to === t) last.to = t + res;
      else spans.push({ from: t, to: t + res });
    }
    if (spans.length <= max) return spans;
    const gaps = spans.slice(1).map((span, i) => span.from - spans[i]!.to);
    // Gaps up to the (n - max)th shortest are closed: at least n - max of them, so at most `max` spans stay.
    const widest = [...gaps].sort((a, b) => a - b)[spans.length - max - 1]!;
    const merged: Span[] = [spans[0]!];
    gaps.forEach((gap, i) => {
      if (gap <= widest) merged.at(-1)!.to = spans[i + 1]!.to;
      else merged.push(spans[i + 1]!);
    });
    return merged;
  }

  has(tier: number, from: number, to: number): boolean {
    for (const t of this.byTier.get(tier)?.keys() ?? []) if (t >= from && t < to) return true;
    return false;
  }

  /** Dirty buckets of `tier` starting before `before`, oldest first. */
  list(tier: number, before: number): DirtyMark[] {
    return [...(this.byTier.get(tier)?.values() ?? [])].filter((m) => m.t < before).sort((a, b) => a.t - b.t);
  }

  /** Clears a mark unless it was set again since `version`; true when cleared. */
  clear(tier: number, t: number, version: number): boolean {
    const buckets = this.byTier.get(tier);
    if (buckets?.get(t)?.version !== version) return false;
    buckets.delete(t);
    return true;
  }
}
