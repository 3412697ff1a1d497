import type { Redis } from 'ioredis';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import type { Principal, SharedSessions } from '../auth/sessions.ts';
import { parseJson } from './parse-json.ts';

/** A stored session: only read and admin keys open one. */
const storedPrincipal = Compile(
  Type.Object({
    role: Type.Union([Type.Literal('read'), Type.Literal('admin')]),
    label: Type.Union([Type.String(), Type.Null()]),
  }),
);
/**
 * A session command is given up on after this long: commands fail at once while Redis is known to be away,
 * but one sent just as it went silent would otherwise hold the login or request until the socket gives up.
 */
const COMMAND_TIMEOUT_MS = 2_000;
/** A SHA-256 digest in base64url, as sessions.ts makes them. */
const DIGEST = /^[\w-]{43}$/;

export interface RedisSessionsOptions {
  /** The cluster's command connection (commands fail at once while Redis is unreachable). */
  redis: Redis;
  prefix: string;
  /** The channel logouts are published on; the cluster's subscriber hands them to `received`. */
  channel: string;
  failed: (what: string) => (error: unknown) => void;
  bad: (reason: string) => void;
}

/**
 * The cluster's sessions in Redis: `<prefix>:session:<digest>` holds the principal as JSON and expires with
 * the session; a logout deletes it and publishes the digest, so every instance drops it from its cache and
 * closes its live sockets. The id itself never leaves the instance that opened it.
 */
export function redisSessions(options: RedisSessionsOptions): SharedSessions & { received(text: string): void } {
  const { redis, prefix, channel, failed, bad } = options;
  const key = (digest: string) => `${prefix}:session:${digest}`;
  const listeners: ((digest: string) => void)[] = [];
  return {
    save: async (digest, principal, ttlMs) => {
      const value = JSON.stringify({ role: principal.role, label: principal.label });
      await bounded(redis.set(key(digest), value, 'PX', ttlMs)).catch(failed('storing a session'));
    },
    load: async (digest) => {
      try {
        // The remaining time from Redis, not an expiry from the opening instance's clock: clocks differ.
        const replies = await bounded(redis.multi().get(key(digest)).pttl(key(digest)).exec());
        const [[, text], [, ttlMs]] = (replies ?? [
          [null, null],
          [null, -2],
        ]) as [[unknown, unknown], [unknown, unknown]];
        if (typeof text !== 'string' || typeof ttlMs !== 'number' || ttlMs <= 0) return null;
        const principal = parseJson(text);
        if (!storedPrincipal.Check(principal)) {
          bad('a stored session is not one');
          return null;
        }
        return { principal: principal as Principal, ttlMs };
      } catch (error) {
        failed('looking up a session')(error);
        return null;
      }
    },
    end: async (digest) => {
      await redis.multi().del(key(digest)).publish(channel, digest).exec().catch(failed('ending a session'));
    },
    onEnded: (listener) => void listeners.push(listener),
    received: (text) => {
      if (!DIGEST.test(text)) return bad('not a session digest');
      for (const listener of listeners) listener(text);
    },
  };
}

function bounded<T>(command: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis in ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
  });
  return Promise.race([command, late]).finally(() => clearTimeout(timer));
}
