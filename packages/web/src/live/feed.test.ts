import type { RedResponse } from '@pulseboard/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from './backoff.ts';
import { LiveFeed, type LiveTick, type SocketLike } from './feed.ts';

class FakeSocket implements SocketLike {
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.onclose?.();
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

const stats = { rate: 5, errorRate: 0, p50: 1, p95: 2, p99: 3, count: 5, cpu: null, memory: null };
const frame = (t: number) => ({ type: 'frame', t, cursor: t, services: { a: stats } });

/** One frame at 100 s, the socket drops, and the next one says hello at 105 s: seconds 101-104 are missed. */
async function missSecondsAndReconnect(socket: ReturnType<typeof setup>['socket']) {
  socket().onopen?.();
  socket().receive({ type: 'hello', resolution: 1000, cursor: 99_000 });
  socket().receive(frame(100_000));
  socket().close();
  vi.advanceTimersByTime(100);
  socket().receive({ type: 'hello', resolution: 1000, cursor: 105_000 });
  socket().receive(frame(106_000));
  await vi.runAllTimersAsync();
}

function setup(backfill: (from: number, to: number) => Promise<RedResponse>) {
  const sockets: FakeSocket[] = [];
  const feed = new LiveFeed({
    url: 'ws://test/api/v1/live',
    connect: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    backfill,
    backoff: { baseMs: 100, maxMs: 1000 },
    random: () => 0.5,
  });
  const ticks: LiveTick[] = [];
  feed.onTick((tick) => ticks.push(tick));
  const resets = vi.fn();
  feed.onReset(resets);
  feed.start();
  const socket = () => sockets[sockets.length - 1]!;
  return { feed, sockets, socket, ticks, resets };
}

beforeEach(() => vi.useFakeTimers({ now: 100_000 }));
afterEach(() => vi.useRealTimers());

describe('live feed', () => {
  it('subscribes on open and passes frames on once each, in order', () => {
    const { socket, ticks, feed } = setup(() => Promise.reject(new Error('unused')));
    socket().onopen?.();
    expect(socket().sent).toEqual([{ type: 'subscribe', services: ['*'] }]);
    socket().receive({ type: 'hello', resolution: 1000, cursor: 99_000 });
    socket().receive(frame(100_000));
    socket().receive(frame(100_000));
    socket().receive(frame(101_000));
    expect(ticks.map((t) => t.t)).toEqual([100_000, 101_000]);
    expect(feed.getStatus()).toEqual({ state: 'open' });
  });

  it('reconnects with exponential backoff while the server is away', () => {
    const { socket, sockets, feed } = setup(() => Promise.reject(new Error('unused')));
    socket().close();
    expect(feed.getStatus()).toMatchObject({ state: 'down', attempt: 1 });
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(2);
    socket().close();
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    expect(backoffDelay(10, { baseMs: 100, maxMs: 1000 }, () => 0.5)).toBe(1000);
  });

  it('backfills the missed seconds with one red call, holding frames until it is in', async () => {
    let resolve: (res: RedResponse) => void = () => {};
    const backfill = vi.fn(() => new Promise<RedResponse>((r) => (resolve = r)));
    const { socket, ticks } = setup(backfill);
    socket().onopen?.();
    socket().receive({ type: 'hello', resolution: 1000, cursor: 99_000 });
    socket().receive(frame(100_000));
    socket().close();
    vi.advanceTimersByTime(100);
    socket().onopen?.();
    socket().receive({ type: 'hello', resolution: 1000, cursor: 103_000 });
    socket().receive(frame(104_000));
    expect(backfill).toHaveBeenCalledWith(101_000, 104_000, null);
    expect(ticks.map((t) => t.t)).toEqual([100_000]);
    const point = (t: number, count: number) => ({ t, rate: count, errorRate: 0, p50: 1, p95: 1, p99: 1, count });
    resolve({
      from: 101_000,
      to: 104_000,
      step: 1000,
      series: [{ service: 'a', points: [point(101_000, 3), point(102_000, 0), point(103_000, 4)] }],
    });
    await vi.runAllTimersAsync();
    expect(ticks.map((t) => t.t)).toEqual([100_000, 101_000, 102_000, 103_000, 104_000]);
    expect(ticks[2]!.services).toEqual({});
    expect(ticks[3]!.services.a?.count).toBe(4);
  });

  it('asks views to reload when the backfill fails', async () => {
    const { socket, ticks, resets } = setup(() => Promise.reject(new Error('down')));
    await missSecondsAndReconnect(socket);
    expect(resets).toHaveBeenCalledOnce();
    expect(ticks.map((t) => t.t)).toEqual([100_000, 106_000]);
  });

  it('asks views to reload when the missed seconds come back in steps of a slow reporter', async () => {
    const point = { t: 60_000, rate: 40, errorRate: 0, p50: 1, p95: 1, p99: 1, count: 2400 };
    const res: RedResponse = {
      from: 101_000,
      to: 106_000,
      step: 60_000,
      series: [{ service: 'a', interval: 60_000, until: 102_000, points: [point] }],
    };
    const { socket, ticks, resets } = setup(() => Promise.resolve(res));
    await missSecondsAndReconnect(socket);
    expect(resets).toHaveBeenCalledOnce();
    expect(ticks.map((t) => t.t)).toEqual([100_000, 106_000]);
  });

  it('changes the subscription without a moment of missing services', () => {
    const { socket, feed } = setup(() => Promise.reject(new Error('unused')));
    socket().onopen?.();
    feed.setServices(['a', 'b']);
    feed.setServices(['b', 'c']);
    expect(socket().sent.slice(1)).toEqual([
      { type: 'subscribe', services: ['a', 'b'] },
      { type: 'unsubscribe', services: ['*'] },
      { type: 'subscribe', services: ['b', 'c'] },
      { type: 'unsubscribe', services: ['a'] },
    ]);
  });
});
