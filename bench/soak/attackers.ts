/**
 * Misbehaving clients from issue 11's findings, each bounded in rate so the soak measures what a steady
 * trickle of abuse costs the well-behaved load, not how fast this process can attack. Each counts what the
 * server answered, so the summary can say the attacks were refused rather than silently ignored.
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { sleep, statusOf } from './stats.ts';

export type Tally = Map<string, number>;
const count = (tally: Tally, key: string): void => {
  tally.set(key, (tally.get(key) ?? 0) + 1);
};

interface Attack {
  name: string;
  run(base: string, until: () => boolean, tally: Tally): Promise<void>;
}

/** Opens a live socket, resolving when it is open (or failing with the error). */
async function openSocket(base: string): Promise<WebSocket> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/live`);
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  });
  return ws;
}

/** A socket, or null after counting the failure and waiting a second (the server may be busy refusing). */
async function openOrBackOff(base: string, tally: Tally): Promise<WebSocket | null> {
  const ws = await openSocket(base).catch(() => null);
  if (!ws) {
    count(tally, 'connect-failed');
    await sleep(1_000);
  }
  return ws;
}

/** Finding 4a: one socket subscribing to 2,000 never-seen names a second (past the per-socket limit). */
const subscribeFlood: Attack = {
  name: 'subscribe-flood',
  async run(base, until, tally) {
    let n = 0;
    while (!until()) {
      const ws = await openOrBackOff(base, tally);
      if (!ws) continue;
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string };
        if (msg.type === 'error') count(tally, 'refused');
      });
      while (!until() && ws.readyState === WebSocket.OPEN) {
        const services = Array.from({ length: 2_000 }, () => `flood-${n++}`);
        ws.send(JSON.stringify({ type: 'subscribe', services }));
        count(tally, 'sent');
        await sleep(1_000);
      }
      if (ws.readyState !== WebSocket.OPEN) count(tally, 'closed');
      ws.terminate();
    }
  },
};

/**
 * Finding 4b: a socket that never reads and sends bad messages (50 a second). The server should close it
 * (1008) after 15 in a minute; since this client does not read, it cannot see the close, so each socket is
 * given up after 10 s and a new one opened, as a misbehaving program would.
 */
const badMessages: Attack = {
  name: 'bad-messages',
  async run(base, until, tally) {
    while (!until()) {
      const ws = await openOrBackOff(base, tally);
      if (!ws) continue;
      ws.pause(); // never read: frames and error replies queue up on the server's side
      count(tally, 'sockets');
      const end = Date.now() + 10_000;
      while (!until() && Date.now() < end && ws.readyState === WebSocket.OPEN) {
        for (let i = 0; i < 5; i++) ws.send('{not json');
        count(tally, 'sent');
        await sleep(100);
      }
      ws.terminate();
    }
  },
};

/**
 * Finding 2: the read that killed a demo server (`red` by route over a day at 5,000 points, refused by its
 * cost now) alternated with one the limits admit, two loops back to back, pausing after refusals.
 */
const heavyQueries: Attack = {
  name: 'heavy-query',
  async run(base, until, tally) {
    const paths = [
      '/api/v1/red?from=now-1d&groupBy=route&maxPoints=5000',
      '/api/v1/red?from=now-1d&groupBy=route&maxPoints=1000',
    ];
    const loop = async (offset: number): Promise<void> => {
      for (let i = offset; !until(); i++) {
        const status = await statusOf(`${base}${paths[i % 2]}`);
        count(tally, String(status || 'failed'));
        if (status !== 200) await sleep(250);
      }
    };
    await Promise.all([loop(0), loop(1)]);
  },
};

/**
 * Finding 6 (slow bodies): up to 4 uploads at once that declare 1 MB and send 16 bytes a second; the
 * server should answer 408 at `--request-timeout` (60 s) and hang up.
 */
const slowBodies: Attack = {
  name: 'slow-body',
  async run(base, until, tally) {
    const { hostname, port } = new URL(base);
    const one = (): Promise<void> =>
      new Promise((resolve) => {
        const socket = connect(Number(port), hostname);
        let answer = '';
        const drip = setInterval(() => socket.write('{"metrics":[]   '), 1_000);
        const opened = Date.now();
        let finished = false;
        const done = (key: string): void => {
          if (finished) return;
          finished = true;
          clearInterval(drip);
          socket.destroy();
          count(tally, key);
          resolve();
        };
        socket.on('connect', () =>
          socket.write(
            `POST /api/v1/metrics HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n`,
          ),
        );
        socket.on('data', (chunk) => {
          answer += chunk.toString('latin1');
        });
        // Keyed by how long the server let it trickle (to 10 s), so a missing or early timeout shows.
        const after = (): string => `after ${Math.round((Date.now() - opened) / 10_000) * 10}s`;
        socket.on('close', () => done(`${/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? 'closed'} ${after()}`));
        socket.on('error', () => {});
        const check = setInterval(() => {
          if (until()) {
            clearInterval(check);
            done('stopped');
          }
        }, 500);
        socket.on('close', () => clearInterval(check));
      });
    await Promise.all(
      Array.from({ length: 4 }, async (_, i) => {
        await sleep(i * 5_000);
        while (!until()) await one();
      }),
    );
  },
};

/** Finding 6 (bodies): a 64 KB gzip inflating to 64 MB every 2 s, and a 17 MiB body (past 16 MiB) every 10 s. */
const bigBodies: Attack = {
  name: 'big-bodies',
  async run(base, until, tally) {
    // 64 MB of spaces gzip to ~64 KB; inflation stops at --body-limit (16 MiB), so the answer should be 413.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    const oversized = Buffer.alloc(17 * 1024 * 1024, 0x20);
    for (let i = 0; !until(); i++) {
      const big = i % 5 === 4;
      const status = await statusOf(`${base}/api/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(big ? {} : { 'content-encoding': 'gzip' }) },
        body: big ? oversized : bomb,
      });
      // `no-answer` is usually the server refusing from Content-Length and hanging up before this client
      // finished sending (fetch then sees a reset, not the 413); /metrics counts the 413s it sent.
      count(tally, `${big ? 'oversized' : 'bomb'}:${status || 'no-answer'}`);
      await sleep(2_000);
    }
  },
};

/**
 * Finding 3: every 3 s a burst of 1,000 new series (unique attribute values) into one of 20 services in
 * turn, so the global series limit (50,000) is met after ~2.5 min; past it the server should refuse
 * (400 PULSE_ERR_CARDINALITY) and keep its memory where it was, while the soak's own series still get in.
 */
const cardinality: Attack = {
  name: 'cardinality',
  async run(base, until, tally) {
    for (let burst = 0; !until(); burst++) {
      const metrics = Array.from({ length: 1_000 }, (_, i) => ({
        service: `card-${burst % 20}`,
        name: 'junk.gauge',
        type: 'gauge',
        value: i,
        attributes: { id: `b${burst}-${i}` },
      }));
      const res = await fetch(`${base}/api/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metrics }),
        signal: AbortSignal.timeout(30_000),
      }).catch(() => null);
      const text = res ? await res.text() : '';
      count(
        tally,
        res ? `${res.status}${/"code":"(\w+)"/.exec(text)?.[1]?.replace('PULSE_ERR_', ':') ?? ''}` : 'failed',
      );
      await sleep(3_000);
    }
  },
};

export const ATTACKS: Attack[] = [subscribeFlood, badMessages, heavyQueries, slowBodies, bigBodies, cardinality];

/** Starts every attack; `stop()` ends them and waits. `tallies` has one Tally per attack name. */
export function startAttacks(base: string): { tallies: Map<string, Tally>; stop(): Promise<void> } {
  let stopped = false;
  const tallies = new Map<string, Tally>();
  const runs = ATTACKS.map((attack) => {
    const tally: Tally = new Map();
    tallies.set(attack.name, tally);
    return attack
      .run(base, () => stopped, tally)
      .catch((err: unknown) => {
        count(tally, `crashed: ${err instanceof Error ? err.message : String(err)}`);
      });
  });
  return {
    tallies,
    async stop() {
      stopped = true;
      await Promise.all(runs);
    },
  };
}
