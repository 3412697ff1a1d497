import { describe, expect, it } from 'vitest';
import { Sketch } from '../sketch/sketch.ts';
import { BAD_MESSAGES, LiveHub, type LiveRefusal, type LiveSocket, MESSAGES } from './hub.ts';
import type { WireText } from './wire-text.ts';

describe('LiveHub', () => {
  it('sends each client only the services it subscribed to', () => {
    const { hub, connect } = setup();
    const all = connect(['*']);
    const one = connect(['checkout']);
    hub.publish({ t: 1000, services: { checkout: stats(5), search: stats(7) } });
    expect(Object.keys(all.frames().at(-1)!.services)).toEqual(['checkout', 'search']);
    expect(Object.keys(one.frames().at(-1)!.services)).toEqual(['checkout']);
    one.client.onMessage(JSON.stringify({ type: 'unsubscribe', services: ['checkout'] }));
    hub.publish({ t: 2000, services: { checkout: stats(5) } });
    expect(one.frames().at(-1)).toMatchObject({ t: 2000, cursor: 2000, services: {} });
  });

  it('adds the subscribed services merged as total, percentiles from their merged sketches', () => {
    const { hub, connect } = setup();
    const all = connect(['*']);
    const one = connect(['fast']);
    hub.publish({
      t: 1000,
      services: { fast: stats(100), slow: stats(5) },
      sketches: new Map([
        ['fast', sketchOf(10, 100)],
        ['slow', sketchOf(800, 5)],
      ]),
    });
    expect(all.frames().at(-1)!.total).toMatchObject({ rate: 105, count: 105 });
    expect(all.frames().at(-1)!.total.p99).toBeCloseTo(800, -1);
    expect(one.frames().at(-1)!.total).toMatchObject({ rate: 100, count: 100 });
    expect(one.frames().at(-1)!.total.p99).toBeCloseTo(10, 0);
  });

  it("writes a subset's frame as JSON.stringify writes the frame, services sharing their text across subsets", () => {
    const { hub, connect } = setup();
    const both = connect(['b', '__proto__']);
    const one = connect(['b']);
    const services = Object.assign(Object.create(null), { a: stats(1), b: stats(2) });
    Object.defineProperty(services, '__proto__', { value: stats(3), enumerable: true });
    hub.publish({ t: 5000, services, sketches: new Map([['b', sketchOf(40, 2)]]) });
    const expected = (names: string[], rate: number) =>
      JSON.stringify({
        type: 'frame',
        t: 5000,
        cursor: 5000,
        services: Object.fromEntries(names.map((n) => [n, services[n]])),
        total: { rate, errorRate: 0, p50: 40, p95: 40, p99: 40, count: rate, cpu: null, memory: null, interval: 1000 },
      });
    expect(JSON.parse(both.socket.sent.at(-1)!)).toEqual(JSON.parse(expected(['b', '__proto__'], 5)));
    expect(one.socket.sent.at(-1)).toBe(expected(['b'], 2));
  });

  it('sends subset frames a slice at a time; clients a frame has not reached when the next comes get the newer', async () => {
    const { hub, connect, clock, dropped } = setup();
    const clients = Array.from({ length: 6 }, (_, i) => connect([`s${i}`]));
    // Every reading of the clock takes 4 ms: a 10 ms slice sends three frames, then lets the event loop run.
    const read = clock.read;
    clock.read = () => (clock.now += 4);
    const services = Object.fromEntries(clients.map((_, i) => [`s${i}`, stats(i)]));
    hub.publish({ t: 1000, services });
    expect(clients.map((c) => c.frames().length)).toEqual([1, 1, 1, 0, 0, 0]);
    hub.publish({ t: 2000, services });
    expect(dropped).toEqual([3]);
    await new Promise((resolve) => setImmediate(resolve));
    clock.read = read;
    expect(clients.map((c) => c.frames().map((f) => f.t))).toEqual([
      [1000, 2000],
      [1000, 2000],
      [1000, 2000],
      [2000],
      [2000],
      [2000],
    ]);
  });

  it('skips a stalled client without holding back the others, counts it, and closes it after 30 s', () => {
    const { hub, connect, clock } = setup();
    const healthy = connect();
    const stalled = connect();
    stalled.socket.bufferedAmount = 5 * 1024 ** 2;
    for (let t = 1; t <= 31; t++) {
      clock.now = t * 1000;
      hub.publish({ t: t * 1000, services: {} });
    }
    expect(healthy.frames()).toHaveLength(31);
    expect(stalled.frames()).toHaveLength(0);
    expect(hub.dropped).toBe(31);
    clock.now = 32_500;
    hub.publish({ t: 32_000, services: {} });
    expect(stalled.socket.terminated).toBe(true);
    expect(hub.size).toBe(1);
  });

  it('answers a malformed message with an error naming the field and keeps the connection', () => {
    const { connect, hub } = setup();
    const c = connect();
    c.client.onMessage(JSON.stringify({ type: 'subscribe', services: 'checkout' }));
    c.client.onMessage('not json');
    const errors = c.socket.sent.map((s) => JSON.parse(s)).filter((m) => m.type === 'error');
    expect(errors[0].message).toMatch(/^services/);
    expect(errors[1].message).toMatch(/^message: not valid JSON/);
    expect(hub.size).toBe(1);
  });

  it('sends alert changes to every client whatever it subscribed to, skipping one over the buffer bound', () => {
    const { hub, connect } = setup();
    const all = connect(['*']);
    const other = connect(['search']);
    const stalled = connect();
    stalled.socket.bufferedAmount = 5 * 1024 ** 2;
    const alert = {
      id: 'a1',
      ruleId: 'r1',
      ruleName: 'slow',
      service: 'checkout',
      state: 'firing' as const,
      severity: 'critical' as const,
      signal: 'p99',
      value: 300,
      startedAt: 0,
      reason: 'p99 300 ms is above 250 ms over 1m',
      silenced: false,
    };
    hub.publishAlert(alert);
    const alerts = (c: typeof all) => c.socket.sent.map((m) => JSON.parse(m)).filter((m) => m.type === 'alert');
    expect(alerts(all)).toEqual([{ type: 'alert', alert }]);
    expect(alerts(other)).toEqual([{ type: 'alert', alert }]);
    expect(alerts(stalled)).toEqual([]);
  });

  it('refuses a subscription past the per-socket limit whole, naming the limit, and keeps the socket', () => {
    const { hub, connect, refused } = setup();
    const c = connect(['a', 'b']);
    c.client.onMessage(JSON.stringify({ type: 'subscribe', services: ['b', 'c', 'd'] }));
    expect(c.errors()).toEqual([
      expect.objectContaining({
        code: 'PULSE_ERR_LIVE_LIMIT',
        message: expect.stringMatching(/^services: .* at most 3 /),
      }),
    ]);
    expect(refused).toEqual(['subscriptions']);
    // Nothing of the refused message applied; a subscription within the limit and "*" still work.
    hub.publish({ t: 1000, services: { a: stats(1), c: stats(1), d: stats(1) } });
    expect(Object.keys(c.frames().at(-1)!.services)).toEqual(['a']);
    c.client.onMessage(JSON.stringify({ type: 'subscribe', services: ['c', '*'] }));
    hub.publish({ t: 2000, services: { a: stats(1), c: stats(1), d: stats(1) } });
    expect(Object.keys(c.frames().at(-1)!.services)).toEqual(['a', 'c', 'd']);
    expect(c.errors()).toHaveLength(1);
  });

  it('answers the first bad messages of a minute, then drops them, and closes a socket that keeps sending them', () => {
    const { hub, connect, clock, refused } = setup();
    const c = connect();
    const other = connect();
    for (let i = 0; i < BAD_MESSAGES.allowed; i++) c.client.onMessage('x');
    expect(c.errors()).toHaveLength(BAD_MESSAGES.answered);
    expect(c.socket.closed).toBeNull();
    // A new minute: the allowance starts again.
    clock.now = BAD_MESSAGES.windowMs;
    for (let i = 0; i < BAD_MESSAGES.allowed; i++) c.client.onMessage('x');
    expect(c.errors()).toHaveLength(2 * BAD_MESSAGES.answered);
    expect(c.socket.closed).toBeNull();
    c.client.onMessage('x');
    expect(c.socket.closed).toEqual({ code: 1008, reason: expect.stringContaining('bad messages') });
    expect(refused).toEqual(['bad_messages']);
    expect(hub.size).toBe(1);
    // What it still sends is ignored; the other client keeps its frames.
    c.client.onMessage(JSON.stringify({ type: 'subscribe', services: ['*'] }));
    hub.publish({ t: 1000, services: {} });
    expect(c.frames()).toHaveLength(0);
    expect(other.frames()).toHaveLength(1);
  });

  it('closes a socket sending more than its messages in 10 s, good ones too, and keeps the others', () => {
    const { hub, connect, clock, refused } = setup();
    const c = connect();
    const other = connect();
    const toggle = (i: number) =>
      c.client.onMessage(JSON.stringify({ type: i % 2 === 0 ? 'subscribe' : 'unsubscribe', services: ['a', 'b'] }));
    // Its subscription on connecting was the first.
    for (let i = 1; i < MESSAGES.allowed; i++) toggle(i);
    expect(c.socket.closed).toBeNull();
    // The next 10 s: the allowance starts again.
    clock.now = MESSAGES.windowMs;
    for (let i = 0; i < MESSAGES.allowed; i++) toggle(i);
    expect(c.socket.closed).toBeNull();
    toggle(0);
    expect(c.socket.closed).toEqual({ code: 1008, reason: `more than ${MESSAGES.allowed} messages in 10 s` });
    expect(refused).toEqual(['messages']);
    hub.publish({ t: 1000, services: { a: stats(1) } });
    expect(c.frames()).toHaveLength(0);
    expect(other.frames()).toHaveLength(1);
  });

  it('cuts off a client whose unsent bytes would pass the queue bound, whatever is being sent', () => {
    const { hub, connect, refused } = setup();
    const c = connect();
    const other = connect();
    c.socket.bufferedAmount = 4 * 1024 ** 2 - 10;
    c.client.onMessage('not json');
    expect(c.socket.terminated).toBe(true);
    expect(refused).toEqual(['queue']);
    expect(hub.size).toBe(1);
    hub.publish({ t: 1000, services: {} });
    expect(other.frames()).toHaveLength(1);
  });

  it('drops a client that stops answering pings', () => {
    const { hub, connect } = setup();
    const c = connect();
    hub.heartbeat();
    expect(c.socket.pings).toBe(1);
    hub.heartbeat();
    expect(c.socket.terminated).toBe(true);
    expect(hub.size).toBe(0);
  });
});

function sketchOf(value: number, count: number) {
  const sketch = new Sketch();
  sketch.add(value, count);
  return sketch;
}

function stats(rate: number) {
  return { rate, errorRate: 0, p50: 1, p95: 2, p99: 3, count: rate, cpu: null, memory: null };
}

class FakeSocket implements LiveSocket {
  bufferedAmount = 0;
  sent: string[] = [];
  terminated = false;
  closed: { code?: number; reason?: string } | null = null;
  pings = 0;
  send(message: WireText) {
    this.sent.push(message.text);
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason };
  }
  terminate() {
    this.terminated = true;
  }
  ping() {
    this.pings++;
  }
}

function setup() {
  const clock = { now: 0, read: (): number => clock.now };
  const refused: LiveRefusal[] = [];
  const dropped: number[] = [];
  const hub = new LiveHub({
    now: () => clock.read(),
    onDropped: (count) => dropped.push(count),
    maxBufferedBytes: 1024 ** 2,
    maxSlowMs: 30_000,
    maxQueuedBytes: 4 * 1024 ** 2,
    maxSubscriptions: 3,
    onRefused: (reason) => refused.push(reason),
  });
  const connect = (services = ['*']) => {
    const socket = new FakeSocket();
    const client = hub.add(socket, 0);
    client.onMessage(JSON.stringify({ type: 'subscribe', services }));
    const frames = () => socket.sent.map((s) => JSON.parse(s)).filter((m) => m.type === 'frame');
    const errors = () => socket.sent.map((s) => JSON.parse(s)).filter((m) => m.type === 'error');
    return { socket, client, frames, errors };
  };
  return { hub, connect, clock, refused, dropped };
}
