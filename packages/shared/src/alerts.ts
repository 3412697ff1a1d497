import Type, { type Static } from 'typebox';

/** Alert rules, alerts, silences and their messages: the contract's "Alerts" section as schemas. */

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** `<n><s|m|h|d>`, as everywhere in the contract. */
export const DurationTextSchema = Type.String({ pattern: '^\\d{1,9}[smhd]$', description: '`<n><s|m|h|d>`' });

export const RED_SIGNALS = ['rate', 'errorRate', 'p50', 'p95', 'p99'] as const;
export type RedSignal = (typeof RED_SIGNALS)[number];

export const SignalSchema = Type.String({
  minLength: 1,
  maxLength: 300,
  description: '`rate`, `errorRate`, `p50`, `p95`, `p99`, or `metric:NAME:STAT` (any metric and one of its stats)',
});

export const ThresholdConditionSchema = Type.Object(
  {
    type: Type.Literal('threshold'),
    op: Type.Union([Type.Literal('>'), Type.Literal('<')]),
    value: Type.Number(),
    /** Where a firing alert resolves; defaults to `value`. Below `value` for `>`, above it for `<`. */
    recovery: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);
export const ANOMALY_DIRECTIONS = ['up', 'down', 'both'] as const;
export const AnomalyConditionSchema = Type.Object(
  {
    type: Type.Literal('anomaly'),
    /** How many (robust) standard deviations from the baseline count as anomalous. */
    sensitivity: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
    direction: Type.Optional(Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('both')])),
  },
  { additionalProperties: false },
);
export const AbsentConditionSchema = Type.Object({ type: Type.Literal('absent') }, { additionalProperties: false });
export const ConditionSchema = Type.Union([ThresholdConditionSchema, AnomalyConditionSchema, AbsentConditionSchema]);
export type ThresholdCondition = Static<typeof ThresholdConditionSchema>;
export type AnomalyCondition = Static<typeof AnomalyConditionSchema>;
export type AbsentCondition = Static<typeof AbsentConditionSchema>;
export type Condition = Static<typeof ConditionSchema>;
export type ConditionType = Condition['type'];
export type AnomalyDirection = (typeof ANOMALY_DIRECTIONS)[number];

export const NotifyTargetSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('webhook'), Type.Literal('slack')]),
    url: Type.String({ minLength: 1, maxLength: 2048 }),
  },
  { additionalProperties: false },
);
export type NotifyTarget = Static<typeof NotifyTargetSchema>;

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
const SeveritySchema = Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]);

/** What POST and PUT take (and a `--rules` file lists); `id` is ignored on POST, the server assigns it. */
export const RuleInputSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    name: Type.String({ minLength: 1, maxLength: 256 }),
    enabled: Type.Optional(Type.Boolean()),
    service: Type.String({ minLength: 1, maxLength: 256, description: 'a service name, or `*` for every active one' }),
    signal: SignalSchema,
    condition: ConditionSchema,
    window: DurationTextSchema,
    for: Type.Optional(DurationTextSchema),
    keepFiringFor: Type.Optional(DurationTextSchema),
    severity: SeveritySchema,
    notify: Type.Optional(Type.Array(NotifyTargetSchema, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type RuleInput = Static<typeof RuleInputSchema>;

export const RULE_SOURCES = ['api', 'file', 'default'] as const;
export type RuleSource = (typeof RULE_SOURCES)[number];

/** A rule as the server keeps and returns it: defaults filled in, with where it came from. */
export const RuleSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  service: Type.String(),
  signal: Type.String(),
  condition: ConditionSchema,
  window: Type.String(),
  for: Type.String(),
  keepFiringFor: Type.String(),
  severity: SeveritySchema,
  notify: Type.Array(NotifyTargetSchema),
  /** `file` (`--rules`) and `default` rules are read-only in the API. */
  source: Type.Union([Type.Literal('api'), Type.Literal('file'), Type.Literal('default')]),
  readOnly: Type.Boolean(),
  /** Open alerts of this rule right now, for a rules page. */
  alerts: Type.Optional(Type.Object({ pending: Type.Integer(), firing: Type.Integer() })),
});
export type Rule = Static<typeof RuleSchema>;

export const RulesResponseSchema = Type.Object({ rules: Type.Array(RuleSchema) });
export type RulesResponse = Static<typeof RulesResponseSchema>;

export const ALERT_STATES = ['pending', 'firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
const AlertStateSchema = Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved')]);

export const AlertSchema = Type.Object({
  id: Type.String(),
  ruleId: Type.String(),
  ruleName: Type.String(),
  service: Type.String(),
  state: AlertStateSchema,
  severity: SeveritySchema,
  signal: Type.String(),
  /** The signal over the rule's window at the last state change; null when there was no data. */
  value: Nullable(Type.Number()),
  /** Threshold rules: the value that trips it, and where it recovers. */
  threshold: Type.Optional(Type.Number()),
  recovery: Type.Optional(Type.Number()),
  /** Anomaly rules: the baseline's centre and the band outside which the signal counts as anomalous. */
  baseline: Type.Optional(Type.Number()),
  band: Type.Optional(Type.Object({ low: Type.Number(), high: Type.Number() })),
  /** When the condition first held (the episode's start, pending included). */
  startedAt: Type.Number(),
  /** When it started firing; absent while pending and for an episode that never fired. */
  firedAt: Type.Optional(Type.Number()),
  resolvedAt: Type.Optional(Type.Number()),
  reason: Type.String(),
  /** A silence matches it: it shows, but sends nothing. */
  silenced: Type.Boolean(),
  acknowledgedBy: Type.Optional(Type.String()),
  acknowledgedAt: Type.Optional(Type.Number()),
});
export type Alert = Static<typeof AlertSchema>;

export const AlertsQuerySchema = Type.Object({
  state: Type.Optional(Type.Union([AlertStateSchema, Type.Literal('all')])),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'resolved alerts to return, newest first' }),
  ),
});
export const AlertsResponseSchema = Type.Object({ alerts: Type.Array(AlertSchema) });
export type AlertsResponse = Static<typeof AlertsResponseSchema>;

export const AckInputSchema = Type.Object(
  { by: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

/** Silence a rule, a service, or one rule on one service, for a duration. */
export const SilenceInputSchema = Type.Object(
  {
    ruleId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    service: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    duration: DurationTextSchema,
    comment: Type.Optional(Type.String({ maxLength: 1024 })),
    createdBy: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);
export type SilenceInput = Static<typeof SilenceInputSchema>;

export const SilenceSchema = Type.Object({
  id: Type.String(),
  ruleId: Type.Optional(Type.String()),
  service: Type.Optional(Type.String()),
  startsAt: Type.Number(),
  endsAt: Type.Number(),
  comment: Type.Optional(Type.String()),
  createdBy: Type.Optional(Type.String()),
});
export type Silence = Static<typeof SilenceSchema>;
export const SilencesResponseSchema = Type.Object({ silences: Type.Array(SilenceSchema) });
export type SilencesResponse = Static<typeof SilencesResponseSchema>;

/** WebSocket: every state change of any alert goes to every client at once. */
export const LiveAlertSchema = Type.Object({ type: Type.Literal('alert'), alert: AlertSchema });
export type LiveAlert = Static<typeof LiveAlertSchema>;

/** What a webhook receives on firing and on resolved. A grouped send adds `alerts`, one entry per service. */
export const WebhookAlertSchema = Type.Object({
  state: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
  alertId: Type.String(),
  ruleId: Type.String(),
  ruleName: Type.String(),
  service: Type.String(),
  severity: SeveritySchema,
  value: Nullable(Type.Number()),
  reason: Type.String(),
  startedAt: Type.Number(),
  resolvedAt: Type.Optional(Type.Number()),
  url: Type.String(),
});
export type WebhookAlert = Static<typeof WebhookAlertSchema>;
export const WebhookPayloadSchema = Type.Intersect([
  WebhookAlertSchema,
  Type.Object({ alerts: Type.Optional(Type.Array(WebhookAlertSchema)) }),
]);
export type WebhookPayload = Static<typeof WebhookPayloadSchema>;
