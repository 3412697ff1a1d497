import websocket from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../core.ts';
import { LiveHub } from './hub.ts';
import { startSecondTicker } from './ticker.ts';

/** How long after a second closes its frame is built: time for requests in flight to commit. */
const GRACE_MS = 15;
const HEARTBEAT_MS = 15_000;
const MAX_SLOW_MS = 30_000;

/** `GET /api/v1/live`: the WebSocket stream of one frame a second, fed by the bus. */
export const livePlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const hub = new LiveHub({
    now: core.now,
    maxBufferedBytes: core.config.liveMaxBufferedBytes,
    maxSlowMs: MAX_SLOW_MS,
    onDropped: (n) => core.metrics.droppedFrames.inc(n),
  });
  const unsubscribe = core.bus.subscribe('frame', (frame) => hub.publish(frame));
  const unsubscribeAlerts = core.bus.subscribe('alert', (alert) => hub.publishAlert(alert));
  const stopTicker = startSecondTicker({
    now: core.now,
    graceMs: GRACE_MS,
    onSecond: (t) => {
      // Commit what is queued first, so a request that arrived before the second closed is in its frame.
      core.aggregator.flush();
      core.bus.publish('frame', core.window.take(t));
    },
  });
  const heartbeat = setInterval(() => hub.heartbeat(), HEARTBEAT_MS);

  app.get(
    '/api/v1/live',
    { websocket: true, schema: { tags: ['live'], summary: 'Live frames (WebSocket)' } },
    (socket) => {
      const cursor = Math.floor(core.now() / 1000) * 1000 - 1000;
      const client = hub.add(socket, cursor);
      core.metrics.liveClients.set(hub.size);
      const closed = () => {
        client.onClose();
        core.metrics.liveClients.set(hub.size);
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
