import Type from 'typebox';
import { Compile } from 'typebox/compile';
import type { Reported } from '../aggregate/fold.ts';
import type { SeenSpan } from '../store/store.ts';
import { parseJson } from './parse-json.ts';

/** What a commit tells the other instances: where its periodic reports reached, and its data's time per service. */
export interface CommitNews {
  reported: ReadonlyMap<string, Reported>;
  /** Per service, its oldest and newest observation in the commit (`Folded.serviceSeen`). */
  seen: ReadonlyMap<string, SeenSpan>;
}

const ServiceName = Type.String({ minLength: 1, maxLength: 256 });

/**
 * A commit's news as it travels between instances (JSON on a Redis channel): behind a load balancer each
 * instance learns a service's interval and newest report, and how late and how recent its data is, from the
 * exports sent elsewhere too. Without, it read that service as unknown past its own newest export, or read
 * the others' newer data over its own shorter time (a batch-sending service at twice its rate).
 */
const WireNews = Type.Object({
  from: Type.String({ minLength: 1, maxLength: 128 }),
  services: Type.Array(
    Type.Tuple([
      ServiceName,
      Type.Object({
        interval: Type.Number({ minimum: 0, maximum: 86_400_000 }),
        until: Type.Number({ minimum: 0 }),
        first: Type.Optional(Type.Boolean()),
        // Optional: sent by instances of a later version only.
        instances: Type.Optional(
          Type.Array(Type.Tuple([Type.String({ minLength: 1, maxLength: 256 }), Type.Number({ minimum: 0 })]), {
            maxItems: 10_000,
          }),
        ),
      }),
    ]),
    { maxItems: 100_000 },
  ),
  // Optional: an instance of an earlier version sends reports only (and ignores this).
  seen: Type.Optional(
    Type.Array(Type.Tuple([ServiceName, Type.Number({ minimum: 0 }), Type.Number({ minimum: 0 })]), {
      maxItems: 100_000,
    }),
  ),
  // Optional (a later version): per service, how late its data was when its request arrived (`SeenSpan.lag`).
  lags: Type.Optional(Type.Array(Type.Tuple([ServiceName, Type.Number()]), { maxItems: 100_000 })),
});
const wireNews = Compile(WireNews);

export function encodeCommitNews(from: string, news: CommitNews): string {
  const seen = [...news.seen].map(([service, { first, last }]) => [service, first, last]);
  const lags = [...news.seen].flatMap(([service, { lag }]) => (lag === undefined ? [] : [[service, lag]]));
  const services = [...news.reported].map(([service, { instances, ...reported }]) => [
    service,
    instances ? { ...reported, instances: [...instances] } : reported,
  ]);
  return JSON.stringify({ from, services, seen, lags });
}

/** The sender and its news, or an Error saying why the message is not one. */
export function decodeCommitNews(text: string): { from: string; news: CommitNews } | Error {
  const message = parseJson(text);
  if (!wireNews.Check(message)) return new Error('not a commit news message');
  const reported = new Map<string, Reported>();
  for (const [service, { interval, until, first, instances }] of message.services) {
    reported.set(service, {
      interval,
      until,
      ...(first ? { first } : {}),
      ...(instances ? { instances: new Map(instances) } : {}),
    });
  }
  const seen = new Map<string, SeenSpan>();
  for (const [service, first, last] of message.seen ?? []) seen.set(service, { first, last });
  for (const [service, lag] of message.lags ?? []) {
    const span = seen.get(service);
    if (span) span.lag = lag;
  }
  return { from: message.from, news: { reported, seen } };
}
