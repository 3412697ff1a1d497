import { encodeSketch } from '../sketch/codec.ts';
import { Sketch } from '../sketch/sketch.ts';
import type { RowsBuilder } from '../store/rows.ts';
import type { SeriesRecord } from '../store/store.ts';
import type { BucketBudget } from './bucket-budget.ts';
import { addExplicit, type LayoutCounts, spreadInto } from './explicit-counts.ts';
import type { FoldInput } from './fold.ts';

/** One RED rollup row being built: a service's (or service route's) requests in one bucket. */
export interface PendingRed {
  service: string;
  route: string | null;
  t: number;
  count: number;
  errors: number;
  sketch: Sketch;
  /** Explicit histogram points not yet spread into `sketch` (see explicit-counts.ts). */
  layouts: LayoutCounts[] | null;
}

/**
 * The RED rollup rows of one tier, per service or per service and route, found by group (the service, or
 * service and route) and then by bucket start: a number key per row instead of a text key built per
 * value or point, which was a string allocation and a hash on the hot path.
 */
export class RedRows {
  private readonly groups = new Map<string, Map<number, PendingRed>>();

  /** `budget`: every row opened takes one from it (a request's fold). */
  constructor(
    private readonly byRoute: boolean,
    private readonly budget?: BucketBudget,
  ) {}

  /** The group text of `record` in these rows. */
  groupOf(record: SeriesRecord): string {
    return this.byRoute ? `${record.service}\u0000${record.route ?? ''}` : record.service;
  }

  /** The row of `group` at bucket `t`, or undefined. */
  find(group: string, t: number): PendingRed | undefined {
    return this.groups.get(group)?.get(t);
  }

  /** The row of `group` at bucket `t`, created empty (with `sketch`, or a new one) on first use. */
  row(group: string, record: SeriesRecord, t: number, sketch?: Sketch): PendingRed {
    let rows = this.groups.get(group);
    if (!rows) this.groups.set(group, (rows = new Map()));
    let row = rows.get(t);
    if (!row) {
      this.budget?.spend(1);
      const route = this.byRoute ? record.route : null;
      row = { service: record.service, route, t, count: 0, errors: 0, sketch: sketch ?? new Sketch(), layouts: null };
      rows.set(t, row);
    }
    return row;
  }

  /**
   * Adds a series bucket. The first contributor's sketch is taken over rather than copied (`copy` false)
   * when nothing else reads it afterwards, which saves an allocation per row on the hot path.
   */
  addBucket(group: string, record: SeriesRecord, t: number, count: number, sketch: Sketch, copy: boolean): void {
    const existing = this.find(group, t);
    const row = existing ?? this.row(group, record, t, copy ? copySketch(sketch) : sketch);
    if (existing) existing.sketch.merge(sketch);
    row.count += count;
    if (record.isError) row.errors += count;
  }

  /** Adds a series' values and explicit points straight into the rows (tiers without per-series sketches). */
  addValues(
    group: string,
    res: number,
    { record, timestamps, values, weights, explicit }: FoldInput,
    bins: Float64Array,
  ) {
    // Values arrive grouped by time, so the row of the previous value is usually the one needed.
    let row: PendingRed | undefined;
    for (let i = 0; i < values.length; i++) {
      const ts = timestamps[i]!;
      const t = ts - (ts % res);
      if (row?.t !== t) row = this.row(group, record, t);
      const weight = weights ? weights[i]! : 1;
      row.count += weight;
      if (record.isError) row.errors += weight;
      row.sketch.addBinned(values[i]!, bins[i]!, weight);
    }
    for (const p of explicit ?? []) {
      const t = p.time - (p.time % res);
      if (row?.t !== t) row = this.row(group, record, t);
      row.count += p.count;
      if (record.isError) row.errors += p.count;
      addExplicit((row.layouts ??= []), p);
    }
  }

  /** Every row, with its waiting explicit points spread into its sketch. */
  *settled(): Generator<PendingRed> {
    for (const rows of this.groups.values()) {
      for (const row of rows.values()) {
        if (row.layouts) spreadInto(row.layouts, row.sketch);
        row.layouts = null;
        yield row;
      }
    }
  }

  /** Adds the rows (settled first) to what the store writes, as `tier`'s. */
  writeTo(into: RowsBuilder, tier: number): void {
    for (const b of this.settled()) {
      const route = this.byRoute ? b.route : undefined;
      into.red(tier, b.service, route, b.t, b.count, b.errors, encodeSketch(b.sketch));
    }
  }
}

export function copySketch(sketch: Sketch): Sketch {
  const copy = new Sketch();
  copy.merge(sketch);
  return copy;
}
