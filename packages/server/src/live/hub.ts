import {
  type Alert,
  type ErrorCode,
  type LiveAlert,
  LiveClientMessageSchema,
  type LiveError,
  type LiveHello,
} from '@pulseboard/shared';
import { Compile } from 'typebox/compile';
import type { SecondFrame } from '../bus/bus.ts';
import { serialiseAll, subsetFrame } from './frame-text.ts';
import { type WireText, wireText } from './wire-text.ts';

/** The part of a WebSocket the hub uses, so tests can drive it with a stand-in for slow networks. */
export interface LiveSocket {
  readonly bufferedAmount: number;
  send(message: WireText): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
}

export interface HubOptions {
  now: () => number;
  /** A client with more unsent bytes than this is skipped for a frame. */
  maxBufferedBytes: number;
  /** A client over the bound this long is closed. */
  maxSlowMs: number;
  /** Unsent bytes past which a client is cut off whatever is being sent: it is not reading. */
  maxQueuedBytes: number;
  /** Services one client may subscribe to by name (`*` aside). */
  maxSubscriptions: number;
  onDropped?: (count: number) => void;
  /** A subscription refused, a client closed for bad messages or cut off for its queue. */
  onRefused?: (reason: LiveRefusal) => void;
}

export type LiveRefusal = 'subscriptions' | 'bad_messages' | 'messages' | 'queue';

/** WebSocket close codes the hub uses (documented in the README). */
export const CLOSE_CODES = { goingAway: 1001, policy: 1008, tryAgainLater: 1013 } as const;

/**
 * Bad messages (not JSON, not the schema, over a limit) a client may send per minute: the first
 * `ANSWERED` get an error message, the rest are dropped, and past `ALLOWED` the socket is closed with 1008.
 * Answering every one let a client that never reads queue error replies without bound.
 */
export const BAD_MESSAGES = { answered: 10, allowed: 15, windowMs: 60_000 } as const;

/**
 * Messages of any kind a client may send per 10 s; past it the socket is closed with 1008 (a page reconnects
 * and subscribes afresh). A page sends one or two each time its services change: going between the overview
 * and a service page 30 times in 10 s, or ticking 30 services off one by one. 100 sockets subscribing and
 * unsubscribing 500 services as fast as they could held the main thread up to 6.7 s (each message is parsed
 * and checked there); allowed 120 a minute, and reconnecting each time they were closed, 640 ms (a minute's
 * messages came at once); at 60 in 10 s, 226 ms.
 */
export const MESSAGES = { allowed: 60, windowMs: 10_000 } as const;

/** Compiled once: checking a 64 KiB subscription took ~60 ms with the interpreting `Value.Check`, ~1 ms so. */
const clientMessage = Compile(LiveClientMessageSchema);

interface Client {
  socket: LiveSocket;
  all: boolean;
  services: Set<string>;
  slowSince: number | null;
  alive: boolean;
  /** Bad messages in the current `BAD_MESSAGES` window. */
  bad: WindowCount;
  /** Messages of any kind in the current `MESSAGES` window. */
  messages: WindowCount;
}

/** How many of something happened in the current window; a new window starts once the last has passed. */
class WindowCount {
  private count = 0;

  constructor(
    private readonly windowMs: number,
    private since: number,
  ) {}

  /** Counts one at `now`; the count so far in its window. */
  add(now: number): number {
    if (now - this.since >= this.windowMs) {
      this.count = 0;
      this.since = now;
    }
    return ++this.count;
  }
}

/** Frames of clients watching subsets are written for this long at a time, then the event loop has a turn. */
const SUBSET_SLICE_MS = 10;

/** A frame being sent to the clients that watch subsets, a slice at a time. */
interface SubsetRun {
  frame: SecondFrame;
  clients: Client[];
  next: number;
  bySubset: Map<string, WireText>;
  pieces: Map<string, string>;
}

/**
 * Live subscribers: one frame a second per client with only the services it asked for. Sends never wait:
 * a client that cannot keep up is skipped (counted) and eventually closed, so no client slows another and
 * the server's memory per client stays bounded.
 */
export class LiveHub {
  private readonly clients = new Set<Client>();
  dropped = 0;
  private subsetRun: SubsetRun | null = null;
  private subsetTurn: NodeJS.Immediate | null = null;

  constructor(private readonly options: HubOptions) {}

  get size(): number {
    return this.clients.size;
  }

  add(
    socket: LiveSocket,
    cursor: number,
  ): { onMessage: (data: string) => void; onPong: () => void; onClose: () => void } {
    const client: Client = {
      socket,
      all: false,
      services: new Set(),
      slowSince: null,
      alive: true,
      bad: new WindowCount(BAD_MESSAGES.windowMs, this.options.now()),
      messages: new WindowCount(MESSAGES.windowMs, this.options.now()),
    };
    this.clients.add(client);
    const hello: LiveHello = { type: 'hello', resolution: 1000, cursor };
    this.send(client, wireText(JSON.stringify(hello)));
    return {
      onMessage: (data) => this.handle(client, data),
      onPong: () => {
        client.alive = true;
      },
      onClose: () => {
        this.clients.delete(client);
      },
    };
  }

  publish(frame: SecondFrame): void {
    const now = this.options.now();
    let everything: WireText | null = null;
    const subsetClients: Client[] = [];
    let dropped = 0;
    for (const client of this.clients) {
      if (client.socket.bufferedAmount > this.options.maxBufferedBytes) {
        dropped++;
        client.slowSince ??= now;
        if (now - client.slowSince > this.options.maxSlowMs) {
          client.socket.terminate();
          this.clients.delete(client);
        }
        continue;
      }
      client.slowSince = null;
      // Most dashboards watch every service: serialise that frame once for all of them.
      if (client.all) this.send(client, (everything ??= serialiseAll(frame)));
      else subsetClients.push(client);
    }
    // A frame still going out to subsets when the next comes is not sent to the rest: they get the newer.
    const unsent = this.subsetRun ? this.subsetRun.clients.length - this.subsetRun.next : 0;
    this.countDropped(dropped + unsent);
    this.subsetRun = null;
    if (subsetClients.length > 0) {
      // Clients that watch the same services share one serialised frame (its total merges their sketches),
      // and every subset shares each service's text.
      this.subsetRun = { frame, clients: subsetClients, next: 0, bySubset: new Map(), pieces: new Map() };
      this.sendSubsets();
    }
  }

  /**
   * Sends the current subset frame for up to SUBSET_SLICE_MS, then lets the event loop run before going on:
   * hundreds of clients each watching a different half of 1,000 services took the main thread ~0.5 s a
   * frame (a total each, merging hundreds of sketches), and health checks and ingest waited.
   */
  private sendSubsets(): void {
    const run = this.subsetRun;
    if (!run) return;
    const started = this.options.now();
    while (run.next < run.clients.length) {
      const client = run.clients[run.next++]!;
      if (!this.clients.has(client)) continue;
      this.send(client, subsetFrame(run.frame, client.services, run.bySubset, run.pieces));
      if (run.next < run.clients.length && this.options.now() - started >= SUBSET_SLICE_MS) {
        this.subsetTurn ??= setImmediate(() => {
          this.subsetTurn = null;
          this.sendSubsets();
        });
        return;
      }
    }
    this.subsetRun = null;
  }

  private countDropped(dropped: number): void {
    if (dropped === 0) return;
    this.dropped += dropped;
    this.options.onDropped?.(dropped);
  }

  /**
   * An alert state change goes to every client whatever it subscribed to (the alert panel shows all
   * services). A client over the buffer bound is skipped like for frames; it reloads alerts on reconnect.
   */
  publishAlert(alert: Alert): void {
    const message: LiveAlert = { type: 'alert', alert };
    const data = wireText(JSON.stringify(message));
    for (const client of this.clients) {
      if (client.socket.bufferedAmount <= this.options.maxBufferedBytes) this.send(client, data);
    }
  }

  /** Pings every client; one that did not answer the previous ping is gone. */
  heartbeat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        this.clients.delete(client);
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  closeAll(): void {
    for (const client of this.clients) client.socket.close(CLOSE_CODES.goingAway, 'server shutting down');
    this.clients.clear();
    this.subsetRun = null;
    if (this.subsetTurn) clearImmediate(this.subsetTurn);
    this.subsetTurn = null;
  }

  private handle(client: Client, data: string): void {
    // A client already closed may still have messages in flight: they are ignored.
    if (!this.clients.has(client)) return;
    if (this.overMessages(client)) return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      this.reject(client, 'PULSE_ERR_VALIDATION', () => 'message: not valid JSON');
      return;
    }
    if (!clientMessage.Check(message)) {
      const checked = message;
      this.reject(client, 'PULSE_ERR_VALIDATION', () => {
        const first = clientMessage.Errors(checked)[0];
        const where = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'message';
        return `${where}: ${first?.message ?? 'invalid'}; expected {"type":"subscribe"|"unsubscribe","services":[...]}`;
      });
      return;
    }
    const subscribe = message.type === 'subscribe';
    if (subscribe && !this.fits(client, message.services)) {
      const max = this.options.maxSubscriptions;
      this.options.onRefused?.('subscriptions');
      this.reject(
        client,
        'PULSE_ERR_LIVE_LIMIT',
        () =>
          `services: a socket may subscribe to at most ${max} services by name (--live-max-subscriptions); subscribe to "*" for all of them`,
      );
      return;
    }
    for (const service of message.services) {
      if (service === '*') client.all = subscribe;
      else if (subscribe) client.services.add(service);
      else client.services.delete(service);
    }
  }

  /** Counts a message; past `MESSAGES` in its window closes the socket with 1008 and says so (true). */
  private overMessages(client: Client): boolean {
    if (client.messages.add(this.options.now()) <= MESSAGES.allowed) return false;
    this.closeFor(client, 'messages', `more than ${MESSAGES.allowed} messages in ${MESSAGES.windowMs / 1000} s`);
    return true;
  }

  /** Closes a client past one of its allowances with 1008, counted as `reason`. */
  private closeFor(client: Client, reason: LiveRefusal, why: string): void {
    this.clients.delete(client);
    this.options.onRefused?.(reason);
    client.socket.close(CLOSE_CODES.policy, why);
  }

  /** Whether subscribing to `services` keeps the client within its limit (all or nothing). */
  private fits(client: Client, services: readonly string[]): boolean {
    let added = 0;
    for (const service of new Set(services)) if (service !== '*' && !client.services.has(service)) added++;
    return client.services.size + added <= this.options.maxSubscriptions;
  }

  /**
   * Answers a bad message while the client is within its allowance; closes it with 1008 past it. The text is
   * built only when it is sent: listing a 64 KiB message's schema errors is the costly part.
   */
  private reject(client: Client, code: ErrorCode, message: () => string): void {
    const bad = client.bad.add(this.options.now());
    if (bad > BAD_MESSAGES.allowed) {
      const why = `more than ${BAD_MESSAGES.allowed} bad messages in ${BAD_MESSAGES.windowMs / 1000} s`;
      this.closeFor(client, 'bad_messages', why);
      return;
    }
    if (bad > BAD_MESSAGES.answered) return;
    const error: LiveError = { type: 'error', code, message: message() };
    this.send(client, wireText(JSON.stringify(error)));
  }

  /**
   * Every message goes through here: a client whose unsent bytes would pass `maxQueuedBytes` is not reading,
   * and is cut off (no close frame: it would only queue behind the rest) so its queue is freed.
   */
  private send(client: Client, data: WireText): void {
    if (client.socket.bufferedAmount + data.frame.length > this.options.maxQueuedBytes) {
      this.clients.delete(client);
      this.options.onRefused?.('queue');
      client.socket.terminate();
      return;
    }
    client.socket.send(data);
  }
}
