import Type from 'typebox';
import { Compile } from 'typebox/compile';
import type { Reported } from '../aggregate/fold.ts';
import { parseJson } from './parse-json.ts';

/**
 * Where a commit's periodic reports reached, per service, as it travels between instances (JSON on a Redis
 * channel): each instance learns a service's interval and newest report from the exports a load balancer
 * sent elsewhere too, or it reads that service as unknown past its own newest export.
 */
const WireReported = Type.Object({
  from: Type.String({ minLength: 1, maxLength: 128 }),
  services: Type.Array(
    Type.Tuple([
      Type.String({ minLength: 1, maxLength: 256 }),
      Type.Object({
        interval: Type.Number({ minimum: 0, maximum: 86_400_000 }),
        until: Type.Number({ minimum: 0 }),
        first: Type.Optional(Type.Boolean()),
      }),
    ]),
    { maxItems: 100_000 },
  ),
});
const wireReported = Compile(WireReported);

export function encodeReported(from: string, reported: ReadonlyMap<string, Reported>): string {
  return JSON.stringify({ from, services: [...reported] });
}

/** The sender and its reports, or an Error saying why the message is not one. */
export function decodeReported(text: string): { from: string; reported: Map<string, Reported> } | Error {
  const message = parseJson(text);
  if (!wireReported.Check(message)) return new Error('not a reported-until message');
  const reported = new Map<string, Reported>();
  for (const [service, { interval, until, first }] of message.services) {
    reported.set(service, { interval, until, ...(first ? { first } : {}) });
  }
  return { from: message.from, reported };
}
