import { againstTarget, bucketCount, floorTo, type HealthResponse } from '@pulseboard/shared';
import type { Config } from '../config.ts';
import { activeServices, heldRanges, type QueryContext } from './context.ts';
import { checkQueryCost, type QueryCost, rowsOf } from './cost.ts';
import { planRange } from './range-plan.ts';
import { type RedReadOptions, readRedSteps, redReads } from './red.ts';
import { round } from './round.ts';
import type { QuerySteps } from './scheduler.ts';
import { tierForStep } from './steps.ts';

/** A service's health: the worse of its error-rate and p99 scores. */
export function healthScore(errorRate: number, p99: number, config: Pick<Config, 'healthTargets'>): number {
  return Math.min(
    againstTarget(errorRate, config.healthTargets.errorRate),
    againstTarget(p99, config.healthTargets.p99Ms),
  );
}

export async function* queryHealth(
  ctx: QueryContext,
  q: { from: number; to: number; maxPoints: number },
): QuerySteps<HealthResponse> {
  const now = ctx.now();
  const plan = planRange({ ...q, minStep: 0, finestTier: 0, held: heldRanges(ctx, now), now });
  const { step, from, to } = plan;
  const services = await activeServices(ctx, now);
  const firstSeen = new Map((await ctx.services.list()).map((s) => [s.name, s.firstSeen]));
  const servesRequests = new Set([...ctx.registry.all()].filter((r) => r.red).map((r) => r.service));
  const options: RedReadOptions = {
    services,
    byRoute: false,
    from,
    to,
    mainTier: tierForStep(step),
    bucketOf: (t) => floorTo(t, step),
    step,
    now,
    reads: plan.reads,
  };
  const cost: QueryCost = {
    label: 'health',
    from,
    to,
    series: services.length,
    points: bucketCount(from, to, step),
    rows: rowsOf(redReads(ctx, options), services.length),
  };
  checkQueryCost(cost, ctx.limits);
  yield cost;
  const groups = yield* readRedSteps(ctx, options);
  const cells: HealthResponse['cells'] = [];
  for (const service of services) {
    const buckets = groups.get(service)?.buckets;
    for (let t = floorTo(from, step); t < to; t += step) {
      const acc = buckets?.get(t);
      if (acc && acc.count > 0) {
        const errorRate = acc.errors / acc.count;
        const p99 = acc.sketch.quantile(0.99)!;
        cells.push({
          service,
          t,
          score: round(healthScore(errorRate, p99, ctx.config)),
          errorRate: round(errorRate, 6),
          p99: round(p99),
        });
        continue;
      }
      // Silent: known before this bucket ended, serves requests, and the bucket has had time to fill. A
      // service that reports every N s has not told about the time after its newest report yet: no data, not
      // silence (its next export covers it).
      const known = (firstSeen.get(service) ?? Number.POSITIVE_INFINITY) < t + step;
      const settled = t + step <= now || now - t > 2_000;
      const reported = t + step <= ctx.intervals.reportedUntil(service, now);
      if (ctx.downtime.coversAll(t, t + step)) {
        // Pulseboard itself was down: every service looked silent, and scored 0, for the server's restart.
        cells.push({ service, t, score: null, errorRate: null, p99: null, down: true });
        continue;
      }
      const score = known && settled && reported && servesRequests.has(service) && t < now ? 0 : null;
      cells.push({ service, t, score, errorRate: null, p99: null });
    }
  }
  return { from, to, step, services, cells };
}
