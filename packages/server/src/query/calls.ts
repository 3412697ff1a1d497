import { type CallStats, type CallsResponse, PEER_SERVICE_ATTR, TRACE_CALLS_METRIC } from '@pulseboard/shared';
import { seriesAttributes } from '../model.ts';
import { Sketch } from '../sketch/sketch.ts';
import type { QueryContext } from './context.ts';
import { round } from './round.ts';
import { readSamples } from './samples.ts';
import { chooseStep, tierForStep } from './steps.ts';

export interface CallsQuery {
  service: string;
  from: number;
  to: number;
}

interface Acc {
  count: number;
  errors: number;
  sketch: Sketch;
}

/**
 * A service's calls over `[from, to)`, from the call series spans produce (ingest/otlp/traces): those it
 * makes (its own series, by `peer.service`) and those made to it (other services' series naming it).
 */
export async function queryCalls(ctx: QueryContext, q: CallsQuery): Promise<CallsResponse> {
  const downstream = new Map<number, string>();
  const upstream = new Map<number, string>();
  for (const record of ctx.registry.all()) {
    if (record.name !== TRACE_CALLS_METRIC) continue;
    const peer = String(seriesAttributes(record)[PEER_SERVICE_ATTR] ?? '');
    if (record.service === q.service) downstream.set(record.id, peer);
    if (peer === q.service) upstream.set(record.id, record.service);
  }
  const step = chooseStep(q.from, q.to, 1);
  const now = ctx.now();
  const buckets = await readSamples(ctx, {
    seriesIds: [...downstream.keys(), ...upstream.keys()],
    from: q.from,
    to: q.to,
    mainTier: tierForStep(step),
    bucketOf: () => q.from,
    now,
    // A service sending in batches: its calls up to where its RED is read (`readsUpTo`), as the page divides them.
    upTo: (id) => ctx.intervals.readsUpTo(ctx.registry.get(id)!.service, now),
  });
  const seconds = (q.to - q.from) / 1000;
  const stats = (others: Map<number, string>): CallStats[] => {
    const byService = new Map<string, Acc>();
    for (const [id, other] of others) {
      const acc = buckets.get(id)?.get(q.from);
      if (!acc) continue;
      let into = byService.get(other);
      if (!into) byService.set(other, (into = { count: 0, errors: 0, sketch: new Sketch() }));
      into.count += acc.count;
      if (ctx.registry.get(id)?.isError) into.errors += acc.count;
      if (acc.sketch) into.sketch.merge(acc.sketch);
    }
    return [...byService]
      .map(([service, { count, errors, sketch }]) => ({
        service,
        count: round(count, 3) ?? 0,
        rate: round(count / seconds, 6) ?? 0,
        errorRate: count > 0 ? round(errors / count, 6) : null,
        p99: count > 0 ? round(sketch.quantile(0.99)) : null,
      }))
      .sort((a, b) => b.count - a.count || a.service.localeCompare(b.service));
  };
  return { from: q.from, to: q.to, service: q.service, downstream: stats(downstream), upstream: stats(upstream) };
}
