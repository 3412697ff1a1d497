import Type, { type Static } from 'typebox';

export const LiveClientMessageSchema = Type.Object({
  type: Type.Union([Type.Literal('subscribe'), Type.Literal('unsubscribe')]),
  services: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 10_000 }),
});
export type LiveClientMessage = Static<typeof LiveClientMessageSchema>;

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const LiveServiceStatsSchema = Type.Object({
  rate: Type.Number(),
  errorRate: Nullable(Type.Number()),
  p50: Nullable(Type.Number()),
  p95: Nullable(Type.Number()),
  p99: Nullable(Type.Number()),
  count: Type.Number(),
  cpu: Nullable(Type.Number()),
  memory: Nullable(Type.Number()),
  /**
   * The span (ms) the request figures describe: 1000 for a service whose data arrives every second; for one
   * that reports every N s, its last complete reporting interval (N s), repeated until the next one arrives.
   */
  interval: Type.Optional(Type.Number()),
});
export type LiveServiceStats = Static<typeof LiveServiceStatsSchema>;

export const LiveHelloSchema = Type.Object({
  type: Type.Literal('hello'),
  resolution: Type.Number(),
  cursor: Type.Number(),
});
export const LiveFrameSchema = Type.Object({
  type: Type.Literal('frame'),
  t: Type.Number(),
  cursor: Type.Number(),
  services: Type.Record(Type.String(), LiveServiceStatsSchema),
  /** The subscribed services merged: rates added, percentiles from the merged sketches, never averaged. */
  total: Type.Optional(LiveServiceStatsSchema),
});
export const LiveErrorSchema = Type.Object({
  type: Type.Literal('error'),
  code: Type.String(),
  message: Type.String(),
});
export type LiveHello = Static<typeof LiveHelloSchema>;
export type LiveFrame = Static<typeof LiveFrameSchema>;
export type LiveError = Static<typeof LiveErrorSchema>;
