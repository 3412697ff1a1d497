import { availableParallelism } from 'node:os';
import { DAY, HOUR, parseDuration } from '@pulseboard/shared';
import { parseCidr } from './alerts/notifiers/destination.ts';
import { type ApiKey, AUTH_OPTIONS, checkExposure } from './auth/config-options.ts';
import { ConfigError } from './config-error.ts';

/** Everything the server is told at start, parsed once from flags and `PULSEBOARD_*` env, then frozen. */
export interface Config {
  port: number;
  host: string;
  /** Path of the SQLite file, or `:memory:` for tests. */
  db: string;
  demo: boolean;
  /** Length of a simulated demo "day"; shorter makes the daily curve visible in minutes. */
  demoDayLengthMs: number;
  demoSeed: number;
  /** Retention per rollup tier, finest first (1 s, 10 s, 1 min, 1 h). */
  retentionMs: readonly [number, number, number, number];
  bodyLimitBytes: number;
  maxSeriesPerService: number;
  /** A service silent for longer than this leaves the default views. */
  inactiveAfterMs: number;
  /** Threads that parse and fold native ingest bodies beside the main thread. */
  ingestWorkers: number;
  /** Observations waiting to commit past which ingest answers 503. */
  maxPendingObservations: number;
  /** A live client whose unsent bytes exceed this is skipped for a frame. */
  liveMaxBufferedBytes: number;
  /** Health targets: a service scores 1 within them, falling to 0 at 5x. */
  healthTargets: { errorRate: number; p99Ms: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** YAML or JSON alert rules loaded at start (read-only in the API); null for none. */
  rulesFile: string | null;
  /** The built-in per-service alert rules (error rate, p99 and traffic anomalies, no data). */
  defaultRules: boolean;
  /** API keys; none configured means no authentication (and a loopback listen address unless allowed). */
  keys: readonly ApiKey[];
  /** Origins (`scheme://host[:port]`) whose pages may open the live socket, besides the server's own. */
  allowedOrigins: readonly string[];
  /** Host names the server answers to (DNS rebinding); empty means the defaults in `auth/host-check.ts`. */
  allowedHosts: readonly string[];
  /** Listening beyond loopback without keys was asked for explicitly. */
  allowUnauthenticated: boolean;
  /** Series in all, across services (each series costs registry memory for as long as it is stored). */
  maxSeries: number;
  /** Services in all. */
  maxServices: number;
  /** UTF-8 bytes of one series' identity: service, metric name, attribute names and values. */
  maxSeriesBytes: number;
  /** Request body bytes held by ingest at once (read, inflated, being decoded) past which it answers 503. */
  maxInflightBytes: number;
  /** Time a client has to send a whole request (headers and body) before it is cut off with 408. */
  requestTimeoutMs: number;
  /** Series x points one read may return (and hold while it runs); past it the read is refused with 400. */
  queryMaxCells: number;
  /** Stored buckets one read may scan; past it the read is refused with 400. */
  queryMaxRows: number;
  /** Heavy reads waiting for their turn past which more are refused with 503. */
  queryQueue: number;
  /** Services one live socket may subscribe to by name. */
  liveMaxSubscriptions: number;
  /** Unsent bytes past which a live socket is cut off (a client that does not read). */
  liveMaxQueuedBytes: number;
  /** Live sockets open at once; more are closed with 1013. */
  liveMaxClients: number;
  /** Live sockets one address may hold at once (the client's address: see trustProxy). */
  liveMaxClientsPerAddress: number;
  /** Silences not yet ended, at most. */
  maxSilences: number;
  /** Alert rules made over the API, at most. */
  maxRules: number;
  /** CIDR blocks notifications may reach although they are loopback, link-local, private or this server. */
  webhookAllow: readonly string[];
  /**
   * Proxies (CIDR blocks) whose `X-Forwarded-For` names the client: behind a load balancer every request
   * comes from its address, and the wrong-key throttle would block every client at once.
   */
  trustProxy: readonly string[];
  /** Redis URL of the live bus shared by several instances (`bus/redis-cluster.ts`); null: one instance. */
  redis: string | null;
  /** Prefix of the Redis keys and channels, so clusters sharing one Redis stay apart. */
  redisPrefix: string;
  /** How long a live frame waits for the other instances' partials of its second. */
  redisFrameWaitMs: number;
}

export { ConfigError };

export interface Option {
  flag: string;
  env: string;
  parse: (text: string) => unknown;
  apply: (config: Config, value: never) => void;
  /** Flags without a value (`--no-demo`). */
  boolean?: boolean;
  /**
   * May be given several times (each flag adds one value; the env variable holds a comma-separated list).
   * `reset` empties the list before the first flag, so flags replace the variable's values.
   */
  repeatable?: { reset: (config: Config) => void };
}

const integer = (min: number, max: number) => (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`must be a whole number from ${min} to ${max}`);
  return n;
};
const duration = (text: string) => {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) throw new ConfigError('must be a duration like 30s, 10m, 1h or 7d');
  return ms;
};
const bool = (text: string) => {
  if (/^(true|1|yes|on)$/i.test(text)) return true;
  if (/^(false|0|no|off)$/i.test(text)) return false;
  throw new ConfigError('must be true or false');
};
const bytes = (text: string) => {
  const match = /^(\d+)(b|kb|kib|mb|mib|gb|gib)?$/i.exec(text);
  if (!match) throw new ConfigError('must be a size like 16MiB or 1048576');
  const unit = (match[2] ?? 'b').toLowerCase();
  const scale = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
  return Number(match[1]) * scale;
};
const envOf = (flag: string) => `PULSEBOARD_${flag.toUpperCase().replaceAll('-', '_')}`;
/** `--flag` / `PULSEBOARD_FLAG` sets `config[key]` to the parsed value. */
const setting = <K extends keyof Config>(flag: string, parse: (text: string) => Config[K], key: K): Option => ({
  flag,
  env: envOf(flag),
  parse,
  apply: (c, v: Config[K]) => {
    c[key] = v;
  },
});
/** A setting that is also a flag without a value (`--demo`, `--no-demo`). */
const toggle = <K extends keyof Config>(flag: string, parse: (text: string) => Config[K], key: K): Option => ({
  ...setting(flag, parse, key),
  boolean: true,
});
const retention = (tier: string, index: number): Option => ({
  flag: `retention-${tier}`,
  env: envOf(`retention-${tier}`),
  parse: duration,
  apply: (c, v: number) => setRetention(c, index, v),
});
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const OPTIONS: Option[] = [
  setting('port', integer(0, 65_535), 'port'),
  setting('host', (t) => t, 'host'),
  setting('db', nonEmpty, 'db'),
  toggle('demo', bool, 'demo'),
  setting('demo-day-length', duration, 'demoDayLengthMs'),
  setting('demo-seed', integer(0, 2 ** 31), 'demoSeed'),
  retention('1s', 0),
  retention('10s', 1),
  retention('1m', 2),
  retention('1h', 3),
  setting('body-limit', bytes, 'bodyLimitBytes'),
  setting('max-series-per-service', integer(1, 10_000_000), 'maxSeriesPerService'),
  setting('inactive-after', duration, 'inactiveAfterMs'),
  {
    flag: 'log-level',
    env: 'PULSEBOARD_LOG_LEVEL',
    parse: (t) => {
      if (!(LOG_LEVELS as readonly string[]).includes(t))
        throw new ConfigError(`must be one of ${LOG_LEVELS.join(', ')}`);
      return t;
    },
    apply: (c, v: Config['logLevel']) => (c.logLevel = v),
  },
  setting('rules', nonEmpty, 'rulesFile'),
  toggle('default-rules', bool, 'defaultRules'),
  ...AUTH_OPTIONS,
  toggle('allow-unauthenticated', bool, 'allowUnauthenticated'),
  setting('max-series', integer(1, 10_000_000), 'maxSeries'),
  setting('max-services', integer(1, 1_000_000), 'maxServices'),
  setting('max-series-bytes', bytes, 'maxSeriesBytes'),
  setting('max-inflight-bytes', bytes, 'maxInflightBytes'),
  setting('request-timeout', duration, 'requestTimeoutMs'),
  setting('query-max-cells', integer(1, 100_000_000), 'queryMaxCells'),
  setting('query-max-rows', integer(1, 1_000_000_000), 'queryMaxRows'),
  setting('query-queue', integer(0, 10_000), 'queryQueue'),
  setting('live-max-subscriptions', integer(1, 1_000_000), 'liveMaxSubscriptions'),
  setting('live-max-queued', bytes, 'liveMaxQueuedBytes'),
  setting('live-max-clients', integer(1, 1_000_000), 'liveMaxClients'),
  setting('live-max-clients-per-address', integer(1, 1_000_000), 'liveMaxClientsPerAddress'),
  setting('max-silences', integer(1, 1_000_000), 'maxSilences'),
  setting('max-rules', integer(1, 100_000), 'maxRules'),
  {
    // Repeatable, and comma-separated in the env; the env's blocks and the flags' add up.
    flag: 'webhook-allow',
    env: 'PULSEBOARD_WEBHOOK_ALLOW',
    parse: cidrList,
    apply: (c, v: string[]) => (c.webhookAllow = [...c.webhookAllow, ...v]),
  },
  {
    flag: 'trust-proxy',
    env: 'PULSEBOARD_TRUST_PROXY',
    parse: cidrList,
    apply: (c, v: string[]) => (c.trustProxy = [...c.trustProxy, ...v]),
  },
  { flag: 'redis', env: 'PULSEBOARD_REDIS', parse: redisUrl, apply: (c, v: string) => (c.redis = v) },
  {
    flag: 'redis-prefix',
    env: 'PULSEBOARD_REDIS_PREFIX',
    parse: (text) => {
      if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(text)) throw new ConfigError('must be 1 to 64 letters, digits or _ . : -');
      return text;
    },
    apply: (c, v: string) => (c.redisPrefix = v),
  },
  {
    flag: 'redis-frame-wait',
    env: 'PULSEBOARD_REDIS_FRAME_WAIT',
    parse: (text) => {
      const match = /^(\d{1,5})(ms|s)$/.exec(text);
      const ms = match ? Number(match[1]) * (match[2] === 's' ? 1000 : 1) : Number.NaN;
      if (!(ms <= 10_000)) throw new ConfigError('must be a duration from 0ms to 10s, like 25ms or 2s');
      return ms;
    },
    apply: (c, v: number) => (c.redisFrameWaitMs = v),
  },
];

function redisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('must be a URL like redis://host:6379 or rediss://host:6380');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new ConfigError('must start with redis:// or rediss://');
  if (!url.hostname) throw new ConfigError('must name a host, like redis://host:6379');
  return text;
}

function nonEmpty(text: string): string {
  if (text.length === 0) throw new ConfigError('must not be empty');
  return text;
}

function cidrList(text: string): string[] {
  return text.split(',').map((part) => {
    if (!parseCidr(part)) throw new ConfigError('must be CIDR blocks like 10.0.0.0/8 or fd00::/8, comma-separated');
    return part.trim();
  });
}

function setRetention(config: Config, tier: number, ms: number): void {
  const retention = [...config.retentionMs] as [number, number, number, number];
  retention[tier] = ms;
  config.retentionMs = retention;
}

export function defaultConfig(): Config {
  return {
    port: 3000,
    // Without keys only this machine may connect; with keys, parseConfig opens it to the network (0.0.0.0).
    host: '127.0.0.1',
    db: './data/pulseboard.db',
    demo: true,
    demoDayLengthMs: DAY,
    demoSeed: 42,
    retentionMs: [HOUR, DAY, 30 * DAY, 400 * DAY],
    bodyLimitBytes: 16 * 1024 ** 2,
    maxSeriesPerService: 10_000,
    inactiveAfterMs: DAY,
    // One per core beside the main thread, which commits meanwhile; idle, none is started. Not more: each
    // worker is an isolate with its own JIT and GC work, and on 2 cores a second worker cost ~20 % of OTLP
    // ingest and 40 MiB of peak RSS for the same native ingest rate.
    ingestWorkers: Math.max(1, availableParallelism() - 1),
    maxPendingObservations: 5_000_000,
    liveMaxBufferedBytes: 1024 ** 2,
    healthTargets: { errorRate: 0.01, p99Ms: 500 },
    logLevel: 'info',
    rulesFile: null,
    defaultRules: true,
    keys: [],
    allowedOrigins: [],
    allowedHosts: [],
    allowUnauthenticated: false,
    // With these, the series registry takes ~25 MiB at the limit with typical series and ~65 MiB with every
    // identity at the byte limit; the server stays under ~400 MB RSS with its 256 MiB heap cap either way
    // (docs/performance.md).
    maxSeries: 50_000,
    maxServices: 1_000,
    maxSeriesBytes: 1024,
    // Two bodies at the default body limit. Most of a large body's cost is decoding it (a worker's heap),
    // so this bounds the bodies read and waiting beside that.
    maxInflightBytes: 32 * 1024 ** 2,
    requestTimeoutMs: 60_000,
    // Calibrated on a demo server under the 256 MiB heap: a RED point held while a read runs costs ~2-4 KB
    // (its sketch), so 30,000 is ~100 MB at worst; all services at 5000 points over a day still fit.
    queryMaxCells: 30_000,
    // A stored bucket costs ~5 us to read and merge: ~10 s of (yielding) main-thread work at most.
    queryMaxRows: 2_000_000,
    queryQueue: 16,
    liveMaxSubscriptions: 1_000,
    // Above liveMaxBufferedBytes, where frames are already skipped: what passes it is a client not reading.
    liveMaxQueuedBytes: 4 * 1024 ** 2,
    // The live budget is 1,000 clients; each may hold up to liveMaxQueuedBytes.
    liveMaxClients: 2_000,
    // A tenth of all: one address (a script, a tab left reloading) cannot take every slot; an office behind
    // one NAT still opens 200 dashboards.
    liveMaxClientsPerAddress: 200,
    maxSilences: 1_000,
    // Each rule is evaluated every few seconds for every service it names, and may carry 20 notify targets.
    maxRules: 200,
    webhookAllow: [],
    trustProxy: [],
    redis: null,
    redisPrefix: 'pulseboard',
    // The ticker closes a second 15 ms after it ends and a frame should reach clients within 50 ms: waiting
    // up to 25 ms more leaves ~10 ms to send it. Instances' partials arrive within a few ms of each other
    // when their clocks agree (NTP), and the wait ends as soon as all are in.
    redisFrameWaitMs: 25,
  };
}

/** The largest body of a non-ingest request (a rule or a silence is a few KB); ingest has `bodyLimitBytes`. */
export const API_BODY_LIMIT_BYTES = 64 * 1024;

/** The server's version, as /docs and `--version` give it. */
export const VERSION = '0.1.0';

/**
 * What `--help` prints: every flag with its environment variable. What each one does is in the README's
 * "Configuration" section, which this points to rather than repeats.
 */
export function usage(): string {
  const lines = OPTIONS.map((o) => {
    const flag = o.boolean ? `--[no-]${o.flag}` : `--${o.flag}${o.repeatable ? ' VALUE (repeatable)' : ' VALUE'}`;
    return `  ${flag.padEnd(44)} ${o.env}`;
  });
  return [
    `Pulseboard ${VERSION}: a real-time telemetry dashboard (OTLP and JSON in, a live page out).`,
    '',
    'Usage: npm start -- [flags]     (or: node packages/server/dist/node/main.mjs [flags])',
    '',
    'Flags, each also settable by its environment variable (a flag wins over the variable):',
    ...lines,
    '  --help, -h                                   this text',
    '  --version                                    the version',
    '',
    'What each flag does, its default and its limits: README.md, "Configuration".',
  ].join('\n');
}

/** Flags win over env, env over defaults. Throws ConfigError naming the flag or variable that is wrong. */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Readonly<Config> {
  const config = defaultConfig();
  const given = new Set<string>();
  for (const option of OPTIONS) {
    const text = env[option.env];
    if (text === undefined) continue;
    given.add(option.flag);
    const values = option.repeatable ? text.split(',').map((v) => v.trim()) : [text];
    for (const value of values) if (!option.repeatable || value !== '') applyOption(config, option, value, option.env);
  }
  const flagged = new Set<Option>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--(no-)?([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    const option = match && OPTIONS.find((o) => o.flag === match[2]);
    if (!match || !option) throw new ConfigError(`unknown option ${arg} (--help lists the flags)`);
    const [, negated, , inline] = match;
    if (option.repeatable && !flagged.has(option)) option.repeatable.reset(config);
    flagged.add(option);
    given.add(option.flag);
    if (option.boolean && inline === undefined) {
      applyOption(config, option, negated ? 'false' : 'true', `--${option.flag}`);
      continue;
    }
    if (negated) throw new ConfigError(`--no-${option.flag} is not an option`);
    const text = inline ?? argv[++i];
    if (text === undefined) throw new ConfigError(`--${option.flag} needs a value`);
    applyOption(config, option, text, `--${option.flag}`);
  }
  const [r1, r10, r60, r3600] = config.retentionMs;
  if (!(r1 <= r10 && r10 <= r60 && r60 <= r3600)) {
    throw new ConfigError('retention must not shrink from a finer tier to a coarser one (1s <= 10s <= 1m <= 1h)');
  }
  checkExposure(config, given.has('host'));
  return Object.freeze({ ...config, retentionMs: Object.freeze(config.retentionMs) as Config['retentionMs'] });
}

function applyOption(config: Config, option: Option, text: string, name: string): void {
  try {
    option.apply(config, option.parse(text) as never);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${name}: ${error.message} (got "${text}")`);
    throw error;
  }
}
