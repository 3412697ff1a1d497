import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { LiveFrame, RedResponse, WebhookPayload } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { round } from '../query/round.ts';
import { Sketch } from '../sketch/sketch.ts';
import { createTestDatabase, postgresReachable } from '../testing/postgres.ts';
import { killHard, type ServerProcess, startServerProcess, waitUntil } from '../testing/processes.ts';
import { dropKeys, redisReachable, TEST_REDIS_URL, testPrefix } from '../testing/redis.ts';
import { logNormalValues } from '../testing/test-app.ts';

const up =
  (await redisReachable('two-instance test (bus/two-instances.int.test.ts)')) &&
  (await postgresReachable('two-instance test (bus/two-instances.int.test.ts)'));

/**
 * Two real server processes on one Redis and one PostgreSQL database, as a user of either instance sees
 * them: the same answers, the live bus, the alert lease, and what a `kill -9` of one leaves.
 */
describe.skipIf(!up)('two instances on one Redis and one PostgreSQL database', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("answer alike, show A's traffic in B's live frames, notify once, and B goes on when A is killed", async () => {
    const prefix = testPrefix();
    cleanups.push(() => dropKeys(prefix));
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-cluster-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const hooks = await webhookReceiver();
    cleanups.push(hooks.close);
    const rules = path.join(dir, 'rules.json');
    fs.writeFileSync(
      rules,
      JSON.stringify([
        {
          name: 'cluster traffic',
          service: 'cluster-alert',
          signal: 'rate',
          condition: { type: 'threshold', op: '>', value: 0 },
          // Wider than a pause of the test's traffic on a loaded machine: at 2 s it resolved and fired again.
          window: '5s',
          severity: 'warning',
          notify: [{ type: 'webhook', url: hooks.url }],
        },
      ]),
    );
    const flags = ['--redis', TEST_REDIS_URL, '--redis-prefix', prefix, '--rules', rules, '--no-default-rules'];
    // Partials of two processes on a loaded machine may be far apart; the wait ends once both are in.
    flags.push('--webhook-allow', '127.0.0.0/8', '--redis-frame-wait', '5s');
    const start = async () => {
      const server = await startServerProcess({ db: database.url, flags });
      cleanups.push(() => killHard(server.child));
      return server;
    };
    const a = await start();
    // A starts first and takes the alert lease; B, started after, waits for it.
    await waitUntil(async () => (await gauge(a, 'pulseboard_alert_lease_held')) === 1);
    const b = await start();
    await waitUntil(async () => (await gauge(a, 'pulseboard_cluster_peers')) === 1);
    await waitUntil(async () => (await gauge(b, 'pulseboard_cluster_peers')) === 1);
    expect(await gauge(b, 'pulseboard_alert_lease_held')).toBe(0);

    // Steady traffic into both for the alert rule: the lease holder (A) fires, and notifies, once.
    let sending = true;
    const traffic = (async () => {
      while (sending) {
        const item = [{ service: 'cluster-alert', name: 'http.server.request.duration', type: 'histogram', value: 5 }];
        await Promise.allSettled([post(a, item), post(b, item)]);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    cleanups.push(async () => {
      sending = false;
      await traffic;
    });
    await waitUntil(() => hooks.received.some((h) => h.state === 'firing'), 30_000);

    // Live: observations of a second 6 s ahead, so both posts are in before it closes even on a loaded machine.
    const socket = await liveSocket(b, ['orders', 'checkout']);
    cleanups.push(() => socket.close());
    const second = Math.ceil(Date.now() / 1000) * 1000 + 6000;
    const ordersA = logNormalValues(250, 21);
    const checkoutA = logNormalValues(300, 22);
    const checkoutB = logNormalValues(120, 23, 5, 0.4);
    const posted = await Promise.all([
      post(a, [histogram('orders', second, ordersA), histogram('checkout', second, checkoutA)]),
      post(b, [histogram('checkout', second, checkoutB)]),
    ]);
    expect(posted).toEqual([202, 202]);
    const frame = await socket.frame(second);
    // Only A took orders: B's frame shows all of it; checkout came through both and shows the merged figures.
    expect(frame.services.orders).toMatchObject({ count: 250, rate: 250, ...percentiles(ordersA) });
    expect(frame.services.checkout).toMatchObject({
      count: 420,
      rate: 420,
      ...percentiles([...checkoutA, ...checkoutB]),
    });
    expect(frame.total).toMatchObject({ count: 670, ...percentiles([...ordersA, ...checkoutA, ...checkoutB]) });

    // Several seconds have passed in which B had the same data: still only A's one notification.
    const firing = () => hooks.received.filter((h) => h.state === 'firing');
    const sequence = () => hooks.received.map((h) => `${h.state} from ${new URL(h.url).port}`).join(', ');
    expect(
      firing().map((h) => new URL(h.url).port),
      sequence(),
    ).toEqual([String(a.port)]);

    // Requests of one past 10 s window through both at once, 5xx among them: both answer the same figures,
    // those of all the requests together.
    const window = Math.floor(Date.now() / 10_000) * 10_000 - 60_000;
    const okA = logNormalValues(300, 31);
    const okB = logNormalValues(200, 32, 5, 0.4);
    const failedA = logNormalValues(40, 33, 80);
    expect(
      await Promise.all([
        post(a, [histogram('ledger', window, okA), histogram('ledger', window, failedA, 503)]),
        post(b, [histogram('ledger', window, okB)]),
      ]),
    ).toEqual([202, 202]);
    const all = [...okA, ...okB, ...failedA];
    const expected = { count: all.length, errorRate: round(40 / all.length, 6), ...percentiles(all) };
    const [readA, readB] = await Promise.all([ledger(a, window), ledger(b, window)]);
    expect(readA).toEqual(readB);
    expect(readA).toMatchObject(expected);

    // Acknowledged by A, then A is killed at once: B has every request of it.
    const lastA = logNormalValues(77, 34);
    expect(await post(a, [histogram('ledger', window + 1000, lastA)])).toBe(202);
    await killHard(a.child);
    const killedAt = Date.now();
    expect(await ledger(b, window)).toMatchObject({ count: all.length + 77 });

    await waitUntil(async () => (await gauge(b, 'pulseboard_alert_lease_held')) === 1, 30_000);
    const tookOver = Date.now() - killedAt;
    process.stderr.write(`two instances: B took the alert lease ${tookOver} ms after A was killed\n`);
    // B carries on A's firing episode (stored in the shared database) without notifying it again; once the
    // traffic stops, B resolves it and says so.
    sending = false;
    await traffic;
    await waitUntil(() => hooks.received.some((h) => h.state === 'resolved'), 60_000);
    expect(hooks.received.find((h) => h.state === 'resolved')!.url).toContain(`:${b.port}/`);
    expect(firing(), sequence()).toHaveLength(1);
    // And B's live frames go on without A (after its partials stop being waited for).
    const after = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    expect((await socket.frame(after)).t).toBe(after);
  }, 180_000);
});

function histogram(service: string, second: number, values: readonly number[], status = 200) {
  const points = values.map((v, i) => [second + (i % 1000), v]);
  const attributes = { 'http.response.status_code': status };
  return { service, name: 'http.server.request.duration', type: 'histogram', unit: 'ms', points, attributes };
}

/** The instance's RED figures of `ledger` over the 10 s window from `from`, as one point. */
async function ledger(server: ServerProcess, from: number) {
  const res = await fetch(`${server.url}/api/v1/red?service=ledger&from=${from}&to=${from + 10_000}&maxPoints=1`);
  const body = (await res.json()) as RedResponse;
  expect(res.status).toBe(200);
  expect(body.series.map((s) => s.points.length)).toEqual([1]);
  const { count, errorRate, p50, p95, p99 } = body.series[0]!.points[0]!;
  return { count, errorRate, p50, p95, p99 };
}

/** The percentiles a frame shows for these observations: from one sketch of them all. */
function percentiles(values: readonly number[]) {
  const sketch = new Sketch();
  for (const v of values) sketch.add(v);
  return { p50: round(sketch.quantile(0.5)), p95: round(sketch.quantile(0.95)), p99: round(sketch.quantile(0.99)) };
}

async function post(server: ServerProcess, metrics: unknown[]): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ metrics }),
  });
  await res.text();
  return res.status;
}

/** A gauge's value on the instance's /metrics. */
async function gauge(server: ServerProcess, name: string): Promise<number | null> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : null;
}

async function liveSocket(server: ServerProcess, services: readonly string[]) {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/live`);
  const frames: LiveFrame[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { type: string };
    if (message.type === 'frame') frames.push(message as LiveFrame);
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'subscribe', services }));
  return {
    async frame(t: number): Promise<LiveFrame> {
      await waitUntil(() => frames.some((f) => f.t >= t), 30_000);
      const frame = frames.find((f) => f.t === t);
      if (!frame) throw new Error(`no frame for ${t}: frames ${frames.map((f) => f.t).join(', ')}`);
      return frame;
    },
    close: () => socket.close(),
  };
}

async function webhookReceiver() {
  const received: WebhookPayload[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as WebhookPayload);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
