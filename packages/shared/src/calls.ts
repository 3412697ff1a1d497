import Type, { type Static } from 'typebox';

/** `GET /api/v1/calls?service=&from&to`: a service's calls to and from other services, from their spans. */
export const CallsQuerySchema = Type.Object({
  service: Type.String({ minLength: 1 }),
  from: Type.Optional(Type.String({ description: 'epoch ms, `now`, or `now-<n><s|m|h|d|w>`' })),
  to: Type.Optional(Type.String({ description: 'epoch ms, `now`, or `now-<n><s|m|h|d|w>`' })),
});

/**
 * Calls between the queried service and one other over `[from, to)`: `rate` per second over the range,
 * `errorRate` 0..1 and `p99` (ms, as the caller timed them) null without calls. Counts are scaled by the
 * spans' sampling thresholds, like RED from traces.
 */
export const CallStatsSchema = Type.Object({
  service: Type.String(),
  count: Type.Number(),
  rate: Type.Number(),
  errorRate: Type.Union([Type.Number(), Type.Null()]),
  p99: Type.Union([Type.Number(), Type.Null()]),
});
export type CallStats = Static<typeof CallStatsSchema>;

/** `downstream`: services it calls; `upstream`: services that call it; each busiest first. */
export const CallsResponseSchema = Type.Object({
  from: Type.Number(),
  to: Type.Number(),
  service: Type.String(),
  downstream: Type.Array(CallStatsSchema),
  upstream: Type.Array(CallStatsSchema),
});
export type CallsResponse = Static<typeof CallsResponseSchema>;
