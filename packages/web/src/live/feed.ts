import {
  type Alert,
  isTotalSeries,
  LiveAlertSchema,
  LiveFrameSchema,
  LiveHelloSchema,
  type LiveServiceStats,
  type RedResponse,
} from '@pulseboard/shared';
import { checkerOf } from '../api/check.ts';
import { type BackoffOptions, backoffDelay } from './backoff.ts';

const isFrame = checkerOf(LiveFrameSchema);
const isHello = checkerOf(LiveHelloSchema);
const isAlert = checkerOf(LiveAlertSchema);

/** One interval of live data, from a frame (1 s) or from a backfill. */
export interface LiveTick {
  t: number;
  seconds: number;
  services: Record<string, LiveServiceStats>;
  /** The subscribed services merged by the server (percentiles from merged sketches); null when none had data. */
  total: LiveServiceStats | null;
}

export type LiveStatus =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'down'; attempt: number; retryAt: number };

/** The part of a WebSocket the feed uses; tests pass a stand-in. */
export interface SocketLike {
  send(data: string): void;
  close(): void;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: (() => void) | null;
}

export interface LiveFeedOptions {
  url: string;
  connect: (url: string) => SocketLike;
  /** One `red` call covering [from, to) at 1 s steps for the subscribed services (null: all), with their total. */
  backfill: (from: number, to: number, services: readonly string[] | null) => Promise<RedResponse>;
  backoff?: BackoffOptions;
  random?: () => number;
}

/** Longer outages than this reload the views instead: the 1 s tier keeps an hour by default. */
const MAX_BACKFILL_MS = 3_600_000;

/**
 * The page's one WebSocket. Reconnects with exponential backoff; after a reconnect it fetches the missed seconds
 * with one `red` call (holding frames that arrive meanwhile) so listeners get every second once, in order.
 */
export class LiveFeed {
  private socket: SocketLike | null = null;
  private open = false;
  private running = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The last second delivered to listeners. */
  private lastT: number | null = null;
  /** Frames held while a backfill is in flight; null when none is. */
  private held: LiveTick[] | null = null;
  /** Bumped per connection, so a late backfill of an old connection is dropped. */
  private generation = 0;
  private services: readonly string[] | null = null;
  private offsetMs = 0;
  private status: LiveStatus = { state: 'connecting' };
  private readonly ticks = new Set<(tick: LiveTick) => void>();
  private readonly resets = new Set<() => void>();
  private readonly alerts = new Set<(alert: Alert) => void>();
  private readonly statuses = new Set<() => void>();

  constructor(private readonly options: LiveFeedOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.generation++;
    this.socket?.close();
    this.socket = null;
    this.open = false;
  }

  /** Skips the wait before the next attempt. */
  reconnectNow(): void {
    if (!this.running || this.status.state !== 'down') return;
    if (this.timer) clearTimeout(this.timer);
    this.connect();
  }

  /** Which services frames carry (null: all); sent now and after every reconnect. */
  setServices(next: readonly string[] | null): void {
    const prev = this.services;
    if (sameList(prev, next)) return;
    this.services = next;
    if (!this.open) return;
    // Subscribe first, then drop what is no longer wanted, so no frame misses a wanted service.
    const wanted = next ?? ['*'];
    const removed = (prev ?? ['*']).filter((s) => !wanted.includes(s));
    this.send({ type: 'subscribe', services: wanted });
    if (removed.length > 0) this.send({ type: 'unsubscribe', services: removed });
  }

  /** The server's clock as seen from the last `hello` (pages on a skewed client still line up). */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  getStatus = (): LiveStatus => this.status;

  onStatus = (listener: () => void) => subscribe(this.statuses, listener);
  onTick = (listener: (tick: LiveTick) => void) => subscribe(this.ticks, listener);
  /** Called when the missed seconds could not be backfilled: views reload. */
  onReset = (listener: () => void) => subscribe(this.resets, listener);
  onAlert = (listener: (alert: Alert) => void) => subscribe(this.alerts, listener);

  private connect(): void {
    this.timer = null;
    const generation = ++this.generation;
    const socket = this.options.connect(this.options.url);
    this.socket = socket;
    socket.onopen = () => {
      if (generation !== this.generation) return;
      this.open = true;
      this.send({ type: 'subscribe', services: this.services ?? ['*'] });
    };
    socket.onmessage = (event) => {
      if (generation === this.generation && typeof event.data === 'string') this.message(event.data, generation);
    };
    socket.onclose = () => {
      if (generation !== this.generation) return;
      this.dropped();
    };
  }

  private dropped(): void {
    this.socket = null;
    this.open = false;
    this.held = null;
    this.generation++;
    if (!this.running) return;
    const delay = backoffDelay(this.attempt, this.options.backoff ?? { baseMs: 500, maxMs: 15_000 }, this.random);
    this.attempt++;
    this.setStatus({ state: 'down', attempt: this.attempt, retryAt: Date.now() + delay });
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private message(text: string, generation: number): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (isFrame(message))
      this.frame({ t: message.t, seconds: 1, services: message.services, total: message.total ?? null });
    else if (isHello(message)) this.hello(message.cursor, generation);
    else if (isAlert(message)) for (const listener of this.alerts) listener(message.alert);
  }

  private hello(cursor: number, generation: number): void {
    this.attempt = 0;
    // Ignore sub-second skew: it is network delay, not a wrong clock.
    const offset = cursor + 1000 - Date.now();
    this.offsetMs = Math.abs(offset) > 2000 ? offset : 0;
    this.setStatus({ state: 'open' });
    const last = this.lastT;
    if (last === null || cursor <= last) return;
    if (cursor - last > MAX_BACKFILL_MS) {
      this.lastT = cursor;
      this.emitReset();
      return;
    }
    this.held = [];
    const reset = () => {
      if (generation !== this.generation) return;
      this.lastT = cursor;
      this.emitReset();
      this.release();
    };
    this.options.backfill(last + 1000, cursor + 1000, this.services).then((res) => {
      if (generation !== this.generation) return;
      // A service that reports every N s is read at steps of N s and only up to its last report: that is not
      // the missed seconds one by one, so views reload instead (they read such a service up to its `until`).
      if (res.step !== 1000) return reset();
      for (const tick of ticksFromRed(res)) this.deliver(tick);
      this.release();
    }, reset);
  }

  private release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const tick of held) this.deliver(tick);
  }

  private frame(tick: LiveTick): void {
    if (this.held) this.held.push(tick);
    else this.deliver(tick);
  }

  private deliver(tick: LiveTick): void {
    if (this.lastT !== null && tick.t <= this.lastT) return;
    this.lastT = tick.t + (tick.seconds - 1) * 1000;
    for (const listener of this.ticks) listener(tick);
  }

  private emitReset(): void {
    for (const listener of this.resets) listener();
  }

  private send(message: { type: 'subscribe' | 'unsubscribe'; services: readonly string[] }): void {
    this.socket?.send(JSON.stringify(message));
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const listener of this.statuses) listener();
  }

  private readonly random = () => (this.options.random ?? Math.random)();
}

/** A backfill response as ticks, one per step, with the services that had requests in it and their total. */
export function ticksFromRed(res: RedResponse): LiveTick[] {
  const byT = new Map<number, LiveTick>();
  for (let t = res.from; t < res.to; t += res.step) {
    byT.set(t, { t, seconds: res.step / 1000, services: {}, total: null });
  }
  for (const series of res.series) {
    for (const p of series.points) {
      const tick = byT.get(p.t);
      if (!tick || p.count === 0) continue;
      const { t: _t, ...point } = p;
      const stats = { ...point, cpu: null, memory: null };
      if (isTotalSeries(series)) tick.total = stats;
      else tick.services[series.service] = stats;
    }
  }
  return [...byT.values()];
}

function subscribe<T>(set: Set<T>, listener: T): () => void {
  set.add(listener);
  return () => set.delete(listener);
}

function sameList(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
