import { DemoGenerator } from '@pulseboard/demo';
import type { FastifyPluginAsync } from 'fastify';
import { type Core, noteTierWritten } from '../core.ts';
import { decodeNativeBatch } from '../ingest/native/decode.ts';
import { backfillDemo } from './backfill.ts';

const HISTORY_MS = 24 * 3_600_000;

/**
 * The in-process demo: as each second closes, the generator's traffic for it goes through the same decode
 * and aggregation as real requests, handed over before that second's frame is built (`core.secondClosing`),
 * so the frame holds it without waiting. On an empty database it also backfills a day of history, in
 * the background. Both start once the server listens.
 */
export const demoPlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  const start = Math.floor(core.now() / 10_000) * 10_000;
  const generator = new DemoGenerator({
    seed: core.config.demoSeed,
    origin: start,
    dayLengthMs: core.config.demoDayLengthMs,
  });
  const { limits } = core;
  const emptyStore = (await core.store.services()).length === 0;
  let sentUpTo = emptyStore ? start : Math.floor(core.now() / 1000) * 1000;
  let stopped = false;

  const send = (from: number, to: number) => {
    const items = generator.observe(from, to);
    if (items.length === 0) return;
    core.aggregator.submit(decodeNativeBatch({ metrics: items }, core.now(), limits)).catch((error: unknown) => {
      app.log.warn({ err: error }, 'demo batch rejected');
    });
  };
  /** Second t has closed: send everything up to its end. */
  const handOver = (t: number) => {
    const closed = t + 1000;
    // Never more than a minute at once, so a long pause (a suspended laptop) does not flood the queue.
    if (closed > sentUpTo) send(Math.max(sentUpTo, closed - 60_000), closed);
    sentUpTo = Math.max(sentUpTo, closed);
  };

  // Not ready until the history is written; the writing itself waits for onListen.
  if (emptyStore) core.pendingStartup.add('demo backfill');
  const backfill = () => {
    let lastReported = -1;
    const started = performance.now();
    backfillDemo({
      generator,
      store: core.store,
      registry: core.registry,
      from: start - HISTORY_MS,
      to: start,
      stopped: () => stopped,
      onTierWritten: (tier, t) => noteTierWritten(core, tier, t),
      onServicesSeen: (seen) => core.query.services.seen(seen),
      onProgress: (done) => {
        const pct = Math.floor(done * 10) * 10;
        if (pct === lastReported) return;
        lastReported = pct;
        app.log.info(`demo backfill: ${pct}% of the last 24 h written`);
      },
    })
      .then(() => app.log.info(`demo backfill done in ${((performance.now() - started) / 1000).toFixed(1)} s`))
      .catch((error: unknown) => app.log.error({ err: error }, 'demo backfill failed'))
      .finally(() => core.pendingStartup.delete('demo backfill'));
  };

  // Only once the server listens: the page and the API answer from the first moment, and a start that fails
  // to listen (a busy port) has written nothing.
  app.addHook('onListen', async () => {
    core.secondClosing.add(handOver);
    if (emptyStore) backfill();
  });

  app.addHook('onClose', async () => {
    stopped = true;
    core.secondClosing.delete(handOver);
  });
};
