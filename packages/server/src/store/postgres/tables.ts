import { ROUTE_TIER_FROM, SAMPLE_TIER_FROM, TIER_RESOLUTIONS } from '../../model.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Time span of one partition per tier. Each is a fraction of the tier's default retention (1 h, 1 day, 30 days,
 * 400 days), so retention drops a partition every few minutes to weeks and a tier holds tens of partitions.
 * Fixed rather than derived from the configured retention: instances sharing a database may differ in it.
 */
export const PARTITION_SPANS = [10 * MINUTE, 2 * HOUR, DAY, 30 * DAY] as const;

/** The rollup tables of one tier (null where the tier keeps none). */
export interface TierTables {
  samples: string | null;
  redService: string;
  redRoute: string | null;
}

export const TIER_TABLES: readonly TierTables[] = TIER_RESOLUTIONS.map((res, tier) => ({
  samples: tier >= SAMPLE_TIER_FROM ? `samples_${res}` : null,
  redService: `red_service_${res}`,
  redRoute: tier >= ROUTE_TIER_FROM ? `red_route_${res}` : null,
}));

/** Every partitioned table of a tier. */
export function partitionedTables(tier: number): string[] {
  const { samples, redService, redRoute } = TIER_TABLES[tier]!;
  return [samples, redService, redRoute].filter((t): t is string => t !== null);
}

export const TIER_RESOLUTIONS_COUNT = TIER_RESOLUTIONS.length;
