import { DAY, floorTo, HOUR, MINUTE, parseSignal, type Signal } from '@pulseboard/shared';
import { DELIVERY_GRACE_MS } from '../live/interval-history.ts';
import { activeServices, type QueryContext } from '../query/context.ts';
import { readRed } from '../query/red.ts';
import { MIN_SAMPLE_STEP, mergeSample, readSamples, type SampleAcc } from '../query/samples.ts';
import { ceilTo, tierForStep } from '../query/steps.ts';
import type { SignalHistory, SignalWindow } from './detectors/types.ts';
import type { SignalSource } from './evaluator.ts';
import { type RedTotals, signalValue } from './signal-values.ts';

/** A baseline changes slowly: it is read again at most this often per rule and service. */
const HISTORY_TTL_MS = MINUTE;
/** The metric series list is looked up again this often (new series appear rarely). */
const SERIES_TTL_MS = 10_000;

type Buckets = { red?: Map<number, RedTotals>; samples?: Map<number, SampleAcc> };

/**
 * Signals read from the store through the query layer, so alerts see exactly what the charts show. Cheap
 * by construction: one RED read per service and window serves every RED rule of that evaluation, and
 * baselines are cached for a minute.
 */
export function storeSignalSource(ctx: QueryContext): SignalSource {
  const windowMemo = new Map<string, Buckets>();
  let memoTo = Number.NaN;
  const historyCache = new Map<string, { at: number; history: SignalHistory }>();
  /** `service\0metric` -> its series ids, built in one pass over the registry (see `seriesIds`). */
  let seriesIndex: { at: number; ids: Map<string, number[]> } | null = null;
  /** Where a rate's seconds start: not before the service's first data (a new service is not a traffic drop). */
  const startOf = async (service: string, from: number) => {
    const record = await ctx.services.get(service);
    return Math.max(from, record ? floorTo(record.firstSeen, 1000) : from);
  };

  // One pass over every series for all services: filtered per service, a `*` rule over 1,000 services of
  // 50 series each walked the 50,000 series 1,000 times every 10 s (seconds of main thread).
  const seriesIds = (service: string, metric: string, now: number): readonly number[] => {
    if (!seriesIndex || now - seriesIndex.at >= SERIES_TTL_MS) {
      const ids = new Map<string, number[]>();
      for (const r of ctx.registry.all()) {
        const key = `${r.service}\u0000${r.name}`;
        const list = ids.get(key);
        if (list) list.push(r.id);
        else ids.set(key, [r.id]);
      }
      seriesIndex = { at: now, ids };
    }
    return seriesIndex.ids.get(`${service}\u0000${metric}`) ?? [];
  };

  /** The signal's buckets over [from, to): `bucketOf` maps a stored bucket start to an output bucket. */
  const read = async (
    service: string,
    signal: Signal,
    from: number,
    to: number,
    step: number,
    bucketOf: (t: number) => number,
  ): Promise<Buckets> => {
    const now = ctx.now();
    if (signal.kind === 'red') {
      const mainTier = tierForStep(step);
      const groups = await readRed(ctx, { services: [service], byRoute: false, from, to, mainTier, bucketOf, now });
      return { red: groups.get(service)?.buckets ?? new Map() };
    }
    const ids = seriesIds(service, signal.metric, now);
    const mainTier = tierForStep(Math.max(MIN_SAMPLE_STEP, step));
    const perSeries = await readSamples(ctx, { seriesIds: ids, from, to, mainTier, bucketOf, now });
    const merged = new Map<number, SampleAcc>();
    for (const buckets of perSeries.values()) {
      for (const [t, acc] of buckets) {
        const into = merged.get(t);
        if (into) mergeSample(into, acc);
        else merged.set(t, { ...acc });
      }
    }
    return { samples: merged };
  };

  const windowValue = async (
    service: string,
    signal: Signal,
    asked: number,
    to: number,
    reported: boolean,
  ): Promise<SignalWindow> => {
    if (to !== memoTo) {
      windowMemo.clear();
      memoTo = to;
    }
    const interval = signal.kind === 'red' ? ctx.intervals.of(service) : 1000;
    const until = interval > 1000 ? ctx.intervals.reportedUntil(service, ctx.now()) : to;
    // Reported: the same span, ending where the service's data is complete. Up to now (absent rules): begun
    // earlier by the service's interval and the delivery grace, as the data of that time may still be on its
    // way, so a live service is never silent between exports. Requests and seconds both end where its data is
    // complete: past it are only some of its data (a first batch's newest second, the instances that have
    // exported further), which over the seconds up to there read high (5.6/s for 5). A service complete up to
    // before the window (stopped) is read over the window: nothing.
    const complete = Math.min(to, until);
    const from = reported ? asked - (to - complete) : interval > 1000 ? asked - interval - DELIVERY_GRACE_MS : asked;
    const end = complete > from ? complete : to;
    // Every RED rule of a service over the same window shares one read.
    const key = `${service}\u0000${from}\u0000${end}\u0000${signal.kind === 'red' ? 'red' : signal.metric}`;
    let buckets = windowMemo.get(key);
    // One output bucket for the whole window, whatever tiers it is read from.
    if (!buckets) windowMemo.set(key, (buckets = await read(service, signal, from, end, end - from, () => from)));
    return signalValue(
      signal,
      { red: buckets.red?.get(from), sample: buckets.samples?.get(from) },
      Math.max(0, Math.min(end, until) - (await startOf(service, from))) / 1000,
    );
  };

  const historyOf = async (service: string, signal: Signal, now: number, windowMs: number): Promise<SignalHistory> => {
    // Metric buckets are 10 s at the finest, so their baselines use windows of whole 10 s.
    const step = signal.kind === 'red' ? windowMs : ceilTo(windowMs, MIN_SAMPLE_STEP);
    const values: number[] = [];
    const spans: [number, number][] = [
      [floorTo(now - HOUR, step), floorTo(now - windowMs, step)],
      // The same time a day earlier, when the store still has it: daily seasonality.
      [floorTo(now - DAY - HOUR / 2, step), floorTo(now - DAY + HOUR / 2, step)],
    ];
    for (const [from, to] of spans) {
      if (!(to > from)) continue;
      const buckets = await read(service, signal, from, to, step, (t) => Math.max(from, floorTo(t, step)));
      for (const [t, acc] of buckets.red ?? buckets.samples ?? []) {
        if (t < from || t >= to || acc.count === 0) continue;
        const red = buckets.red ? (acc as RedTotals) : undefined;
        const sample = buckets.samples ? (acc as SampleAcc) : undefined;
        const { value } = signalValue(signal, { red, sample }, (t + step - (await startOf(service, t))) / 1000);
        if (value !== null) values.push(value);
      }
    }
    return { values, coveredMs: values.length * step };
  };

  return {
    window: async (service, text, from, to, reported = false) => {
      const signal = parseSignal(text);
      return signal ? windowValue(service, signal, from, to, reported) : { value: null, count: 0 };
    },
    history: async (service, text, now, windowMs) => {
      const signal = parseSignal(text);
      if (!signal) return { values: [], coveredMs: 0 };
      const key = `${service}\u0000${text}\u0000${windowMs}`;
      const cached = historyCache.get(key);
      if (cached && now - cached.at < HISTORY_TTL_MS) return cached.history;
      const history = await historyOf(service, signal, now, windowMs);
      historyCache.set(key, { at: now, history });
      return history;
    },
    activeServices: (now) => activeServices(ctx, now),
    seen: async (service) => (await ctx.services.get(service)) !== undefined,
  };
}
