import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookPayload } from '@pulseboard/shared';

/** The first item of `list` that matches, once it arrives; fails after `timeoutMs`. */
export async function waitFor<T>(list: readonly T[], match: (item: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = list.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A webhook receiver on 127.0.0.1 (a free port) that keeps every payload it is sent, for alert tests. */
export async function webhookReceiver() {
  const received: WebhookPayload[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      received.push(JSON.parse(text) as WebhookPayload);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    until: (match: (p: WebhookPayload) => boolean) => waitFor(received, match),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
