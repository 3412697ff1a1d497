import http from 'node:http';
import https from 'node:https';
import { type DestinationPolicy, RefusedDestination } from './destination.ts';

export interface PostOptions {
  policy: DestinationPolicy;
  /** For the whole exchange: connecting, sending, the answer's headers and what is read of its body. */
  deadlineMs: number;
  /** Body bytes read before the connection is dropped; receivers' answers carry nothing we need. */
  maxResponseBytes: number;
  signal: AbortSignal;
}

/** POSTs JSON; resolves with the answer's HTTP status. */
export type PostJson = (url: string, body: string, signal: AbortSignal) => Promise<number>;

/**
 * POSTs a JSON body to a receiver that cannot hold the server up: one deadline for the whole exchange, at
 * most `maxResponseBytes` of its answer read (a receiver answering with gigabytes costs nothing), no
 * redirects (a 3xx is just a status), and only to addresses the policy allows, checked on the address
 * actually connected to. A fresh connection each time: a pool would keep sockets to dead receivers.
 */
export function postJson(url: string, body: string, options: PostOptions): Promise<number> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.reject(new RefusedDestination(`${target.protocol} is not http or https`));
  }
  const refused = options.policy.urlRefusal(target);
  if (refused) return Promise.reject(new RefusedDestination(refused));
  return new Promise((resolve, reject) => {
    let status: number | null = null;
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      request.destroy();
      if (status !== null) resolve(status);
      else reject(error ?? new Error('connection closed without an answer'));
    };
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent: false,
        lookup: options.policy.lookup,
      },
      (response) => {
        status = response.statusCode ?? 0;
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > options.maxResponseBytes) settle(null);
        });
        response.on('end', () => settle(null));
        response.on('error', settle);
      },
    );
    // Once the status is in, the deadline only cuts the body short; before it, the attempt failed.
    const timer = setTimeout(() => settle(new Error(`no answer within ${options.deadlineMs} ms`)), options.deadlineMs);
    const onAbort = () => settle(new Error('cancelled: the server is shutting down'));
    options.signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', settle);
    request.on('close', () => settle(null));
    request.end(body);
  });
}
