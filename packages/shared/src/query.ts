import Type, { type Static } from 'typebox';

/**
 * Query parameters as the OpenAPI document shows them. The server parses each by hand from the query text
 * (a 400 names the parameter), so numbers and flags are typed as what they mean, not as strings.
 */

/** `from`/`to`: epoch ms, `now`, or `now-<n><s|m|h|d|w>`. Parsed by the server. */
const TimeParam = Type.String({ description: 'epoch ms, `now`, or `now-<n><s|m|h|d|w>`' });
const ServiceParam = Type.Union([Type.String(), Type.Array(Type.String())]);

export const RangeQuerySchema = Type.Object({
  from: Type.Optional(TimeParam),
  to: Type.Optional(TimeParam),
  maxPoints: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 5000, default: 300, description: 'at most this many points per series' }),
  ),
});

export const RedQuerySchema = Type.Intersect([
  RangeQuerySchema,
  Type.Object({
    service: Type.Optional(ServiceParam),
    groupBy: Type.Optional(Type.Literal('route')),
    /** `true` adds the selected services merged as one more series (`{"total":true,"points"}`). */
    total: Type.Optional(Type.Boolean({ default: false, description: '`true` adds the merged series' })),
  }),
]);

export const OverviewQuerySchema = Type.Object({
  from: Type.Optional(TimeParam),
  to: Type.Optional(TimeParam),
  service: Type.Optional(ServiceParam),
});

export const SeriesQuerySchema = Type.Intersect([
  RangeQuerySchema,
  Type.Object({
    metric: Type.String({ minLength: 1 }),
    service: Type.Optional(ServiceParam),
    stat: Type.Optional(Type.String()),
  }),
]);

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const RedPointSchema = Type.Object({
  t: Type.Number(),
  rate: Type.Number(),
  errorRate: Nullable(Type.Number()),
  p50: Nullable(Type.Number()),
  p95: Nullable(Type.Number()),
  p99: Nullable(Type.Number()),
  count: Type.Number(),
});
export type RedPoint = Static<typeof RedPointSchema>;

/**
 * How often a series' data arrives (ms): an OTLP delta point's `start..time`, the spacing of cumulative
 * points, or the observed spacing of native ones. The server never reads a series at a step shorter than it.
 */
const IntervalField = Type.Optional(Type.Number({ description: 'longest reporting interval of the data read, ms' }));
/**
 * Set when the series' data is complete only up to before `to`: a service that reports every N seconds has
 * not yet sent the time since its last report. Its points stop at the bucket holding this time, and that
 * bucket's rate divides by its seconds up to here.
 */
const UntilField = Type.Optional(Type.Number({ description: 'the data is complete up to here (epoch ms)' }));

export const RedServiceSeriesSchema = Type.Object({
  service: Type.String(),
  route: Type.Optional(Nullable(Type.String())),
  interval: IntervalField,
  /**
   * Set when the service's first data ever seen lies inside the range: it had no requests before, so the
   * bucket holding this time divides by its seconds from here, and buckets before it are not zeros but time
   * before the service existed.
   */
  since: Type.Optional(Type.Number({ description: "the service's first second with data (epoch ms)" })),
  until: UntilField,
  points: Type.Array(RedPointSchema),
});
export type RedServiceSeries = Static<typeof RedServiceSeriesSchema>;

/**
 * `total=true`: the selected services merged (rates added, percentiles from the merged sketches). Its `until` is
 * the earliest of the services' still reporting; its points end with the last bucket every one of them has sent
 * in full, so no merged bucket weighs one service's requests more than its share of the time.
 */
export const RedTotalSeriesSchema = Type.Object({
  total: Type.Literal(true),
  interval: IntervalField,
  until: UntilField,
  points: Type.Array(RedPointSchema),
});
export type RedTotalSeries = Static<typeof RedTotalSeriesSchema>;

export type RedSeries = RedServiceSeries | RedTotalSeries;
export const isTotalSeries = (series: RedSeries): series is RedTotalSeries => 'total' in series;

export const RedResponseSchema = Type.Object({
  from: Type.Number(),
  to: Type.Number(),
  step: Type.Number(),
  series: Type.Array(Type.Union([RedServiceSeriesSchema, RedTotalSeriesSchema])),
});
export type RedResponse = Static<typeof RedResponseSchema>;

/** The per-service (or per-route) series of a response, without the merged one. */
export const serviceSeries = (res: Pick<RedResponse, 'series'>): RedServiceSeries[] =>
  res.series.filter((s): s is RedServiceSeries => !isTotalSeries(s));

export const ServiceStatsSchema = Type.Object({
  rate: Type.Number(),
  errorRate: Nullable(Type.Number()),
  p50: Nullable(Type.Number()),
  p95: Nullable(Type.Number()),
  p99: Nullable(Type.Number()),
  count: Type.Number(),
  cpu: Nullable(Type.Number()),
  memory: Nullable(Type.Number()),
  health: Nullable(Type.Number()),
});
export type ServiceStats = Static<typeof ServiceStatsSchema>;

const StatsWithPrevious = Type.Intersect([ServiceStatsSchema, Type.Object({ previous: ServiceStatsSchema })]);

export const OverviewResponseSchema = Type.Object({
  from: Type.Number(),
  to: Type.Number(),
  /**
   * The services merged: rates and counts added; percentiles, error rate and health from the merged requests
   * of the part of the window every service still reporting has sent (one that reports every N s may not
   * have sent its last seconds yet).
   */
  total: StatsWithPrevious,
  services: Type.Array(Type.Intersect([Type.Object({ service: Type.String() }), StatsWithPrevious])),
  /**
   * Where the data every service still reporting has sent ends, when before `to` (ms): the total's percentiles
   * and error rate come from the window up to here. At or before `from`, one of them (reporting every N s) has
   * sent none of the window yet: its rate reads 0 and the total has no percentiles.
   */
  until: Type.Optional(Type.Number()),
  /**
   * Where the first data of the earliest of the services begins, when after `from` (ms): before it none of
   * them existed. At or after `to`, the window's rate of 0 is not quiet time but time before any data; `to`
   * when none of them has sent any yet.
   */
  since: Type.Optional(Type.Number()),
});
export type OverviewResponse = Static<typeof OverviewResponseSchema>;

export const HealthResponseSchema = Type.Object({
  from: Type.Number(),
  to: Type.Number(),
  step: Type.Number(),
  services: Type.Array(Type.String()),
  cells: Type.Array(
    Type.Object({
      service: Type.String(),
      t: Type.Number(),
      score: Nullable(Type.Number()),
      errorRate: Nullable(Type.Number()),
      p99: Nullable(Type.Number()),
      /** Pulseboard itself was not running for the whole interval: no data, whatever the service did. */
      down: Type.Optional(Type.Literal(true)),
    }),
  ),
});
export type HealthResponse = Static<typeof HealthResponseSchema>;

export const SeriesResponseSchema = Type.Object({
  from: Type.Number(),
  to: Type.Number(),
  step: Type.Number(),
  series: Type.Array(
    Type.Object({
      service: Type.String(),
      metric: Type.String(),
      stat: Type.String(),
      /** As `red`'s: the service reports every N s and has sent its data only up to here; points stop there. */
      until: UntilField,
      points: Type.Array(Type.Object({ t: Type.Number(), value: Nullable(Type.Number()) })),
    }),
  ),
});
export type SeriesResponse = Static<typeof SeriesResponseSchema>;

/**
 * Where a service's RED comes from: its request-duration metrics, or its spans (`sampled-traces` when some
 * spans did not say how they were sampled, so counts may be lower than the real traffic). Absent for a
 * service that reported no requests.
 */
export const RED_SOURCES = ['metrics', 'traces', 'sampled-traces'] as const;
export type RedSource = (typeof RED_SOURCES)[number];

export const ServicesResponseSchema = Type.Object({
  services: Type.Array(
    Type.Object({
      name: Type.String(),
      lastSeen: Type.Number(),
      active: Type.Boolean(),
      redSource: Type.Optional(Type.Union(RED_SOURCES.map((s) => Type.Literal(s)))),
    }),
  ),
});
export type ServicesResponse = Static<typeof ServicesResponseSchema>;

export const MetricsResponseSchema = Type.Object({
  metrics: Type.Array(
    Type.Object({
      name: Type.String(),
      type: Type.String(),
      unit: Type.String(),
      attributes: Type.Record(Type.String(), Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
      /** Set when some attribute values were left out to keep the listing bounded. */
      truncated: Type.Optional(Type.Boolean()),
    }),
  ),
});
export type MetricsResponse = Static<typeof MetricsResponseSchema>;

/** Stats `/api/v1/series` accepts per metric type. */
export const SERIES_STATS = {
  gauge: ['avg', 'min', 'max', 'last'],
  counter: ['rate', 'sum'],
  histogram: ['p50', 'p90', 'p95', 'p99', 'avg', 'count', 'rate'],
} as const;
