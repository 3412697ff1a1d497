import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { AlertSchema } from '@pulseboard/shared';
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import { Compile } from 'typebox/compile';
import type { SharedSessions } from '../auth/sessions.ts';
import { ConfigError } from '../config-error.ts';
import type { FramePartial } from '../live/second-window.ts';
import { redactedUrl } from '../redacted-url.ts';
import type { Bus, BusTopics } from './bus.ts';
import { RedisLease } from './lease.ts';
import { parseJson } from './parse-json.ts';
import { decodePartial, encodePartial } from './partial-codec.ts';
import { PartialExchange } from './partial-exchange.ts';
import { redisSessions } from './redis-sessions.ts';
import { type CommitNews, decodeCommitNews, encodeCommitNews } from './reported-codec.ts';

/** An instance not heard from for this long is no longer waited for: a dead one delays frames 3 s at most. */
const MEMBER_TTL_MS = 3_000;
/** The leases: a killed holder's work is taken up elsewhere within ~6 s (ttl + one renewal). */
const LEASE_TTL_MS = 5_000;
const LEASE_RENEW_MS = 1_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** Redis errors are logged at most this often (a reconnecting client reports one every retry). */
const ERROR_LOG_EVERY_MS = 10_000;

export interface ClusterOptions {
  url: string;
  /** Key and channel prefix: clusters (or test runs) sharing one Redis stay apart. */
  prefix: string;
  /** How long a frame waits for the other instances' partials of its second. */
  frameWaitMs: number;
  /** The in-process bus the live hub and alerts listen on. */
  local: Bus;
  /**
   * Another instance deleted a service: forget it here (and delete its data here, where the store is this
   * instance's own). Resolves once done; the local bus then hears `serviceDeleted` as for a local delete.
   */
  forgetService: (name: string) => Promise<void>;
  /** Another instance committed (`shareCommit`): note where its reports reached, and its data's time, here too. */
  heardCommit: (news: CommitNews) => void;
  registry: Registry;
  log: FastifyBaseLogger;
}

/** This instance's link to the others through Redis: the live bus, service deletions and the leases. */
export interface Cluster {
  readonly instanceId: string;
  /** Other instances heard from lately (their partials of the last seconds came in). */
  readonly peers: number;
  /** The local bus, with alert changes also sent to (and received from) the other instances. */
  readonly bus: Bus;
  /** Second t closed here: share its partial, and put the merged frame on the local bus once all are in. */
  closeSecond(t: number, partial: FramePartial): void;
  /**
   * A commit here: the others note where its periodic reports reached (service -> interval and newest end),
   * and per service its data's oldest and newest time (how late it arrives, how recent it is; `ReportIntervals`).
   */
  shareCommit(news: CommitNews): void;
  /** Held by one instance at a time: only that one evaluates alert rules (and so notifies). */
  readonly alertLease: RedisLease;
  /**
   * Held by one instance at a time: where instances share one store, only that one rebuilds coarse buckets
   * and applies retention, so that work is done once, not once per instance.
   */
  readonly upkeepLease: RedisLease;
  /** The page sessions of every instance: one opened here is accepted by the others at once. */
  readonly sessions: SharedSessions;
  close(): Promise<void>;
}

const alertMessage = Compile(AlertSchema);

/** Connects to Redis (a ConfigError naming --redis if it cannot) and joins the cluster. */
export async function connectCluster(options: ClusterOptions): Promise<Cluster> {
  const { prefix, log } = options;
  const instanceId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const channels = {
    partials: `${prefix}:partials`,
    alerts: `${prefix}:alerts`,
    deletions: `${prefix}:deletions`,
    logouts: `${prefix}:logouts`,
    reported: `${prefix}:reported`,
  };
  const metrics = clusterMetrics(options.registry, () => exchange.peers);
  let lastErrorLog = 0;
  const failed = (what: string) => (error: unknown) => {
    metrics.errors.inc({ during: what });
    const now = Date.now();
    if (now - lastErrorLog < ERROR_LOG_EVERY_MS) return;
    lastErrorLog = now;
    log.warn({ err: error }, `redis: ${what} failed (see pulseboard_cluster_redis_errors_total)`);
  };
  // Commands fail at once while Redis is unreachable instead of queueing: a partial or an alert sent late
  // is of no use, and a queue would grow for as long as Redis is away.
  const clientOptions = { lazyConnect: true, enableOfflineQueue: false, connectTimeout: CONNECT_TIMEOUT_MS };
  const redis = new Redis(options.url, clientOptions);
  const sub = new Redis(options.url, clientOptions);
  // The socket's own error (ECONNREFUSED, a DNS failure) says more than the rejected connect ("closed").
  let startError: Error | null = null;
  const atStart = (error: Error) => {
    startError ??= error;
  };
  redis.on('error', atStart);
  sub.on('error', atStart);
  try {
    await Promise.all([redis.connect(), sub.connect()]);
    await sub.subscribe(channels.partials, channels.alerts, channels.deletions, channels.logouts, channels.reported);
  } catch (error) {
    redis.disconnect();
    sub.disconnect();
    const reason = (startError ?? (error as Error)).message;
    throw new ConfigError(`--redis: cannot use ${redactedUrl(options.url)}: ${reason}`);
  }
  for (const client of [redis, sub]) {
    client.off('error', atStart);
    client.on('error', failed('connection'));
  }

  const exchange = new PartialExchange({
    self: instanceId,
    waitMs: options.frameWaitMs,
    memberTtlMs: MEMBER_TTL_MS,
    emit: (frame) => options.local.publish('frame', frame),
    onLate: () => metrics.late.inc(),
  });

  sub.on('message', (channel: string, text: string) => {
    if (channel === channels.logouts) {
      sessions.received(text);
    } else if (channel === channels.reported) {
      const received = decodeCommitNews(text);
      if (received instanceof Error) return badMessage(received.message);
      if (received.from !== instanceId) options.heardCommit(received.news);
    } else if (channel === channels.partials) {
      const received = decodePartial(text);
      if (received instanceof Error) return badMessage(received.message);
      exchange.receive(received);
    } else if (channel === channels.alerts) {
      const message = parseJson(text) as { from?: unknown; alert?: unknown } | null;
      if (!message || typeof message.from !== 'string' || !alertMessage.Check(message.alert)) {
        return badMessage('not an alert message');
      }
      if (message.from !== instanceId) options.local.publish('alert', message.alert);
    } else if (channel === channels.deletions) {
      const message = parseJson(text) as { from?: unknown; name?: unknown } | null;
      if (!message || typeof message.from !== 'string' || typeof message.name !== 'string') {
        return badMessage('not a service deletion');
      }
      if (message.from === instanceId) return;
      const { name } = message;
      options
        .forgetService(name)
        .then(() => options.local.publish('serviceDeleted', { name }))
        .catch(failed('forgetting a service deleted elsewhere'));
    }
  });
  let lastBadLog = 0;
  const badMessage = (reason: string) => {
    metrics.bad.inc();
    if (Date.now() - lastBadLog < ERROR_LOG_EVERY_MS) return;
    lastBadLog = Date.now();
    log.warn({ reason }, 'redis: a message on the cluster channel was ignored (another version of Pulseboard?)');
  };
  const sessions = redisSessions({ redis, prefix, channel: channels.logouts, failed, bad: badMessage });

  const lease = (name: 'alerts' | 'upkeep', gauge: Gauge, what: string) =>
    new RedisLease({
      redis,
      key: `${prefix}:lease:${name}`,
      owner: instanceId,
      ttlMs: LEASE_TTL_MS,
      renewEveryMs: LEASE_RENEW_MS,
      onChange: (held) => {
        gauge.set(held ? 1 : 0);
        log.info(`${name} lease ${held ? `taken: this instance ${what}` : 'not held'}`);
      },
      onError: failed(`${name} lease`),
    });
  const alertLease = lease('alerts', metrics.leaseHeld, 'evaluates alert rules');
  const upkeepLease = lease('upkeep', metrics.upkeepLeaseHeld, 'rebuilds coarse buckets and applies retention');
  await Promise.all([alertLease.start(), upkeepLease.start()]);

  const bus: Bus = {
    publish: (topic, message) => {
      options.local.publish(topic, message);
      if (topic === 'alert') {
        redis.publish(channels.alerts, JSON.stringify({ from: instanceId, alert: message })).catch(failed('publish'));
      } else if (topic === 'serviceDeleted') {
        const { name } = message as BusTopics['serviceDeleted'];
        redis.publish(channels.deletions, JSON.stringify({ from: instanceId, name })).catch(failed('publish'));
      }
    },
    subscribe: (topic, listener) => options.local.subscribe(topic, listener),
  };

  return {
    instanceId,
    get peers() {
      return exchange.peers;
    },
    bus,
    alertLease,
    upkeepLease,
    sessions,
    closeSecond: (t, partial) => {
      // Every second, even an empty one: the others learn from it that this instance is there.
      redis.publish(channels.partials, encodePartial(instanceId, t, partial)).catch(failed('publish'));
      exchange.closeLocal(t, partial);
    },
    shareCommit: (news) => {
      redis.publish(channels.reported, encodeCommitNews(instanceId, news)).catch(failed('publish'));
    },
    close: async () => {
      exchange.close();
      await Promise.all([alertLease.stop(true), upkeepLease.stop(true)]);
      sub.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function clusterMetrics(registry: Registry, peers: () => number) {
  return {
    peers: new Gauge({
      name: 'pulseboard_cluster_peers',
      help: 'Other instances whose live partials arrived in the last 3 s',
      registers: [registry],
      collect() {
        this.set(peers());
      },
    }),
    late: new Counter({
      name: 'pulseboard_cluster_late_partials_total',
      help: "Other instances' partials that came after their second's frame went out (left out of it)",
      registers: [registry],
    }),
    bad: new Counter({
      name: 'pulseboard_cluster_bad_messages_total',
      help: 'Messages on the cluster channels, or stored sessions, that were not understood and were ignored',
      registers: [registry],
    }),
    errors: new Counter({
      name: 'pulseboard_cluster_redis_errors_total',
      help: 'Redis commands or connections that failed, by what was being done',
      labelNames: ['during'],
      registers: [registry],
    }),
    leaseHeld: new Gauge({
      name: 'pulseboard_alert_lease_held',
      help: 'Whether this instance holds the alert evaluation lease (1) or not (0)',
      registers: [registry],
    }),
    upkeepLeaseHeld: new Gauge({
      name: 'pulseboard_upkeep_lease_held',
      help: 'Whether this instance holds the lease to rebuild coarse buckets and apply retention (1) or not (0)',
      registers: [registry],
    }),
  };
}

/** The URL without its password, for messages. */
