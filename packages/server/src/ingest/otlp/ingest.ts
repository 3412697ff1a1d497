import type { Aggregator } from '../../aggregate/aggregator.ts';
import type { SeriesRegistry } from '../../aggregate/series-registry.ts';
import { AppError } from '../../errors.ts';
import type { Store } from '../../store/store.ts';
import type { IngestLimits } from '../native/decode.ts';
import { Conversion, type Entry } from './convert.ts';
import { CumulativeTracker, type NextStates } from './cumulative.ts';
import { KeyedLock } from './keyed-lock.ts';
import { deltaEntry } from './kinds.ts';
import type { OtlpExport } from './model.ts';

export interface OtlpIngestDeps {
  store: Store;
  registry: SeriesRegistry;
  aggregator: Aggregator;
  now: () => number;
  limits: IngestLimits;
}

export interface IngestResult {
  /** Data points refused, for partialSuccess.rejectedDataPoints. */
  rejected: number;
  message: string;
}

/** Registry refusals that concern one series, so only that series' points are refused. */
const SERIES_REFUSALS: Partial<Record<string, string>> = {
  PULSE_ERR_CARDINALITY: 'over their service\u2019s series limit',
  PULSE_ERR_TYPE_CONFLICT: 'whose metric name already has another type',
};

/**
 * Decoded export -> durable samples: converts, turns cumulative points into deltas under a per-series lock,
 * submits everything as one aggregator batch with the cumulative state it advances, and only then moves
 * the in-memory state on. Overload and store failures reject the whole request and change nothing.
 */
export class OtlpIngest {
  private readonly tracker: CumulativeTracker;
  private readonly locks = new KeyedLock();

  constructor(private readonly deps: OtlpIngestDeps) {
    this.tracker = new CumulativeTracker(deps.store.loadCumulativeState());
  }

  async ingest(request: OtlpExport): Promise<IngestResult> {
    const c = new Conversion(this.deps.now(), this.deps.limits).run(request);
    const keys = [...new Set(c.cumulative.map((p) => p.key))];
    const release = keys.length > 0 ? await this.locks.acquire(keys) : null;
    try {
      const { deltas, next } = this.tracker.diff(c.cumulative);
      for (const delta of deltas) deltaEntry(c, delta);
      await this.submit(c, c.entries, next);
      this.tracker.commit(next);
      return { rejected: c.rejections.count, message: c.rejections.message() };
    } finally {
      release?.();
    }
  }

  private async submit(c: Conversion, entries: Entry[], next: NextStates): Promise<void> {
    if (entries.length === 0 && next.size === 0) return;
    let admitted = entries;
    let pending: Promise<number>;
    try {
      pending = this.deps.aggregator.submit(toBatch(admitted), this.tracker.rows(next));
    } catch (error) {
      // Some series cannot be created (limit, type): find which, one by one, and store the rest.
      if (!isSeriesRefusal(error)) throw error;
      admitted = this.admit(c, entries, next);
      pending = this.deps.aggregator.submit(toBatch(admitted), this.tracker.rows(next));
    }
    await pending;
  }

  /**
   * The entries whose series the registry accepts, in order, each on top of those before it (so a batch
   * of new series stops exactly at the limit). Probing resolves and then releases, leaving the registry
   * as it was; refused series lose their points and their cumulative state does not advance.
   */
  private admit(c: Conversion, entries: Entry[], next: NextStates): Entry[] {
    const { registry } = this.deps;
    const created: ReturnType<SeriesRegistry['resolve']>['created'] = [];
    const admitted: Entry[] = [];
    for (const entry of entries) {
      try {
        created.push(...registry.resolve([entry.samples]).created);
        admitted.push(entry);
      } catch (error) {
        if (!isSeriesRefusal(error)) throw error;
        const { identity } = entry.samples;
        const detail = `metric "${identity.name}" of service "${identity.service}"`;
        for (const point of entry.points) c.rejections.reject(point, SERIES_REFUSALS[error.code]!, detail);
        if (entry.cumulative) next.delete(entry.series);
      }
    }
    registry.release(created);
    return admitted;
  }
}

function toBatch(entries: readonly Entry[]) {
  return entries.map((entry, i) => {
    entry.samples.origin = `otlp#${i}`;
    return entry.samples;
  });
}

function isSeriesRefusal(error: unknown): error is AppError {
  return error instanceof AppError && SERIES_REFUSALS[error.code] !== undefined;
}
