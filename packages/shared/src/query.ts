import Type, { type Static } from 'typebox';

/** `from`/`to`: epoch ms, `now`, or `now-<n><s|m|h|d|w>`. Parsed by the server. */
const TimeParam = Type.String({ description: 'epoch ms, `now`, or `now-<n><s|m|h|d|w>`' });
const ServiceParam = Type.Union([Type.String(), Type.Array(Type.String())]);

export const RangeQuerySchema = Type.Object({
  from: Type.Optional(TimeParam),
  to: Type.Optional(TimeParam),
  maxPoints: Type.Optional(Type.String({ description: '1..5000, default 300' })),
});

export const RedQuerySchema = Type.Intersect([
  RangeQuerySchema,
  Type.Object({
    service: Type.Optional(ServiceParam),
    groupBy: Type.Optional(Type.Literal('route')),
    /** `true` adds the selected services merged as one more series (`{"total":true,"points"}`). */
    total: Type.Optional(Type.String({ description: '`true` adds the merged series; default `false`' })),
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

export const RedServiceSeriesSchema = Type.Object({
  service: Type.String(),
  route: Type.Optional(Nullable(Type.String())),
  interval: IntervalField,
  points: Type.Array(RedPointSchema),
});
export type RedServiceSeries = Static<typeof RedServiceSeriesSchema>;

/** `total=true`: the selected services merged (rates added, percentiles from the merged sketches). */
export const RedTotalSeriesSchema = Type.Object({
  total: Type.Literal(true),
  interval: IntervalField,
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
  total: StatsWithPrevious,
  services: Type.Array(Type.Intersect([Type.Object({ service: Type.String() }), StatsWithPrevious])),
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
      points: Type.Array(Type.Object({ t: Type.Number(), value: Nullable(Type.Number()) })),
    }),
  ),
});
export type SeriesResponse = Static<typeof SeriesResponseSchema>;

export const ServicesResponseSchema = Type.Object({
  services: Type.Array(Type.Object({ name: Type.String(), lastSeen: Type.Number(), active: Type.Boolean() })),
});
export type ServicesResponse = Static<typeof ServicesResponseSchema>;

export const MetricsResponseSchema = Type.Object({
  metrics: Type.Array(
    Type.Object({
      name: Type.String(),
      type: Type.String(),
      unit: Type.String(),
      attributes: Type.Record(Type.String(), Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
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
