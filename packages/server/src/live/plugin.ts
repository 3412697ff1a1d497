import type { Socket } from 'node:net';
import websocket, { type WebSocket } from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import { type Core, closeSecond } from '../core.ts';
import { CLOSE_CODES, LiveHub, type LiveRefusal, type LiveSocket } from './hub.ts';
import { startSecondTicker } from './ticker.ts';

/**
 * How long after a second closes its frame may wait for ingest requests that arrived before then to commit
 * (`closeSecond`); with none in flight it goes out at once.
 */
const MAX_WAIT_MS = 15;
/** Timers may fire a millisecond before the wall clock reaches their target: aim just past the boundary. */
const TIMER_SLACK_MS = 1;
const HEARTBEAT_MS = 15_000;
const MAX_SLOW_MS = 30_000;
const MAX_MESSAGE_BYTES = 64 * 1024;
const CLOSE_TIMEOUT_MS = 2_000;

/** `GET /api/v1/live`: the WebSocket stream of one frame a second, fed by the bus. */
export const livePlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  // A client message is a subscription list: 64 KiB holds thousands of names. Past it ws closes with 1009.
  // No per-message compression (ws's default, stated because `closingSoon` writes pre-framed messages to
  // the TCP socket, which a compressed connection's queue would interleave with).
  await app.register(websocket, { options: { maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false } });
  const { config } = core;
  // One line per socket refused or closed, at most one a second: a flood must not become a flood of logs.
  let lastLog = 0;
  const refused = (reason: LiveRefusal | 'connections') => {
    core.metrics.liveRefused.inc({ reason });
    const now = core.now();
    if (reason !== 'subscriptions' && now - lastLog >= 1000) {
      lastLog = now;
      app.log.warn({ reason }, 'live socket refused or closed (see pulseboard_live_refused_total)');
    }
  };
  const hub = new LiveHub({
    now: core.now,
    maxBufferedBytes: config.liveMaxBufferedBytes,
    maxSlowMs: MAX_SLOW_MS,
    maxQueuedBytes: config.liveMaxQueuedBytes,
    maxSubscriptions: config.liveMaxSubscriptions,
    onDropped: (n) => core.metrics.droppedFrames.inc(n),
    onRefused: refused,
  });
  const unsubscribe = core.bus.subscribe('frame', (frame) => hub.publish(frame));
  const unsubscribeAlerts = core.bus.subscribe('alert', (alert) => hub.publishAlert(alert));
  // One second's frame at a time, oldest first: each waits for its own requests before it commits.
  let closing = Promise.resolve();
  const stopTicker = startSecondTicker({
    now: core.now,
    graceMs: TIMER_SLACK_MS,
    onSecond: (t) => {
      closing = closing
        .then(() => closeSecond(core, t, { waitUntil: t + 1000 + MAX_WAIT_MS }))
        .catch((error: unknown) => app.log.error({ err: error, t }, 'could not publish a live frame'));
    },
  });
  const heartbeat = setInterval(() => hub.heartbeat(), HEARTBEAT_MS);
  /** Live sockets open per client address. */
  const perAddress = new Map<string, number>();

  app.get(
    '/api/v1/live',
    { websocket: true, schema: { tags: ['live'], summary: 'Live frames (WebSocket)' } },
    (socket, request) => {
      if (hub.size >= config.liveMaxClients) {
        refused('connections');
        socket.close(CLOSE_CODES.tryAgainLater, `${config.liveMaxClients} live clients connected (--live-max-clients)`);
        return;
      }
      // One address could otherwise hold every slot and lock every other dashboard out.
      const address = request.ip;
      const held = perAddress.get(address) ?? 0;
      if (held >= config.liveMaxClientsPerAddress) {
        refused('connections');
        const limit = config.liveMaxClientsPerAddress;
        socket.close(
          CLOSE_CODES.tryAgainLater,
          `${limit} live clients from this address (--live-max-clients-per-address)`,
        );
        return;
      }
      perAddress.set(address, held + 1);
      const cursor = Math.floor(core.now() / 1000) * 1000 - 1000;
      const client = hub.add(closingSoon(socket, request.raw.socket), cursor);
      core.metrics.liveClients.set(hub.size);
      let open = true;
      const closed = () => {
        client.onClose();
        core.metrics.liveClients.set(hub.size);
        if (!open) return;
        open = false;
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      };
      socket.on('message', (data) => client.onMessage(data.toString()));
      socket.on('pong', client.onPong);
      socket.on('close', closed);
      socket.on('error', closed);
    },
  );

  app.addHook('onClose', async () => {
    stopTicker();
    clearInterval(heartbeat);
    unsubscribe();
    unsubscribeAlerts();
    hub.closeAll();
  });
};

/**
 * The socket as the hub sees it. A socket the hub closes (1008 for bad messages) that does not answer the
 * close is dropped after CLOSE_TIMEOUT_MS instead of ws's 30 s, during which a flood would still be read.
 *
 * Messages are written as framed (`WireText`) straight to the upgraded TCP socket, the one `ws` writes to:
 * `ws` writes each of its own frames (pings, pongs, the close) whole and at once, since this server has no
 * per-message compression to queue them behind, so frames never interleave. Only while the socket is open:
 * after a close frame nothing may follow. `bufferedAmount` still counts these bytes (`ws` reads the TCP
 * socket's queue).
 */
function closingSoon(socket: WebSocket, tcp: Socket): LiveSocket {
  return {
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send: (message) => {
      if (socket.readyState === socket.OPEN) tcp.write(message.frame);
    },
    terminate: () => socket.terminate(),
    ping: () => socket.ping(),
    close: (code, reason) => {
      socket.close(code, reason);
      setTimeout(() => socket.terminate(), CLOSE_TIMEOUT_MS).unref();
    },
  };
}
