import {
  type Alert,
  type LiveAlert,
  LiveClientMessageSchema,
  type LiveError,
  type LiveFrame,
  type LiveHello,
} from '@pulseboard/shared';
import Value from 'typebox/value';
import type { SecondFrame } from '../bus/bus.ts';
import { liveTotal } from './total.ts';

/** The part of a WebSocket the hub uses, so tests can drive it with a stand-in for slow networks. */
export interface LiveSocket {
  readonly bufferedAmount: number;
  send(data: string): void;
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
  onDropped?: (count: number) => void;
}

interface Client {
  socket: LiveSocket;
  all: boolean;
  services: Set<string>;
  slowSince: number | null;
  alive: boolean;
}

/**
 * Live subscribers: one frame a second per client with only the services it asked for. Sends never wait:
 * a client that cannot keep up is skipped (counted) and eventually closed, so no client slows another and
 * the server's memory per client stays bounded.
 */
export class LiveHub {
  private readonly clients = new Set<Client>();
  dropped = 0;

  constructor(private readonly options: HubOptions) {}

  get size(): number {
    return this.clients.size;
  }

  add(
    socket: LiveSocket,
    cursor: number,
  ): { onMessage: (data: string) => void; onPong: () => void; onClose: () => void } {
    const client: Client = { socket, all: false, services: new Set(), slowSince: null, alive: true };
    this.clients.add(client);
    const hello: LiveHello = { type: 'hello', resolution: 1000, cursor };
    socket.send(JSON.stringify(hello));
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
    let everything: string | null = null;
    // Clients that watch the same services share one serialised frame (its total merges their sketches).
    const bySubset = new Map<string, string>();
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
      const data = client.all ? (everything ??= serialise(frame, null)) : subsetFrame(frame, client.services, bySubset);
      client.socket.send(data);
    }
    if (dropped > 0) {
      this.dropped += dropped;
      this.options.onDropped?.(dropped);
    }
  }

  /**
   * An alert state change goes to every client whatever it subscribed to (the alert panel shows all
   * services). A client over the buffer bound is skipped like for frames; it reloads alerts on reconnect.
   */
  publishAlert(alert: Alert): void {
    const message: LiveAlert = { type: 'alert', alert };
    const data = JSON.stringify(message);
    for (const client of this.clients) {
      if (client.socket.bufferedAmount <= this.options.maxBufferedBytes) client.socket.send(data);
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
    for (const client of this.clients) client.socket.close(1001, 'server shutting down');
    this.clients.clear();
  }

  private handle(client: Client, data: string): void {
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      this.reject(client, 'message: not valid JSON');
      return;
    }
    if (!Value.Check(LiveClientMessageSchema, message)) {
      const first = [...Value.Errors(LiveClientMessageSchema, message)][0];
      const where = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'message';
      this.reject(
        client,
        `${where}: ${first?.message ?? 'invalid'}; expected {"type":"subscribe"|"unsubscribe","services":[...]}`,
      );
      return;
    }
    const subscribe = message.type === 'subscribe';
    for (const service of message.services) {
      if (service === '*') client.all = subscribe;
      else if (subscribe) client.services.add(service);
      else client.services.delete(service);
    }
  }

  private reject(client: Client, message: string): void {
    const error: LiveError = { type: 'error', code: 'PULSE_ERR_VALIDATION', message };
    client.socket.send(JSON.stringify(error));
  }
}

function subsetFrame(frame: SecondFrame, only: ReadonlySet<string>, cache: Map<string, string>): string {
  const names = Object.keys(frame.services).filter((s) => only.has(s));
  const key = names.join('\u0000');
  let data = cache.get(key);
  if (data === undefined) cache.set(key, (data = serialise(frame, names)));
  return data;
}

function serialise(frame: SecondFrame, only: readonly string[] | null): string {
  const services = only ? Object.fromEntries(only.map((s) => [s, frame.services[s]!])) : frame.services;
  const total = liveTotal(
    Object.entries(services).map(([name, stats]) => ({ stats, sketch: frame.sketches?.get(name) ?? null })),
  );
  const message: LiveFrame = { type: 'frame', t: frame.t, cursor: frame.t, services, total };
  return JSON.stringify(message);
}
