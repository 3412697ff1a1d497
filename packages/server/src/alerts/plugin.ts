import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../core.ts';
import { runPeriodically } from '../store/periodic.ts';
import { AlertService } from './alert-service.ts';
import { DEFAULT_RULES } from './default-rules.ts';
import { DestinationPolicy } from './notifiers/destination.ts';
import { NOTIFIERS } from './notifiers/registry.ts';
import { serverDispatcher } from './notifiers/server-dispatcher.ts';
import { alertUrlFor } from './notify.ts';
import { registerAlertRoutes } from './routes.ts';
import { RuleSet } from './rule-set.ts';
import { storeSignalSource } from './store-signals.ts';

/** An evaluation slower than this is logged: it delays the event loop (and so the next live frame). */
const SLOW_EVALUATION_MS = 50;
const PRUNE_EVERY_MS = 3_600_000;
/** Resolved alerts are kept this long for the history views. */
const KEEP_RESOLVED_MS = 30 * 86_400_000;

export interface AlertsPluginOptions {
  core: Core;
  /** Retry backoff base for notifications (tests shorten it). */
  notifyBackoffMs?: number;
}

/**
 * Alert rules evaluated on each closed second (the bus's `frame` tick), with signals read from the store;
 * state changes go to the store, the bus (so the live socket carries them) and notifiers.
 */
export const alertsPlugin: FastifyPluginAsync<AlertsPluginOptions> = async (app, { core, ...options }) => {
  const { config } = core;
  const policy = new DestinationPolicy({ allow: config.webhookAllow });
  const targetRefusal = (url: string) => {
    const reason = policy.urlRefusal(new URL(url));
    return reason && `${reason}; notifications to it are refused unless --webhook-allow lists it`;
  };
  const fixed = [
    ...(config.defaultRules ? DEFAULT_RULES : []),
    // Loaded only with --rules: its YAML parser is ~70 modules, ~0.6 MiB of heap a server without holds idle.
    ...(config.rulesFile ? (await import('./rules-file.ts')).loadRulesFile(config.rulesFile, targetRefusal) : []),
  ];
  const rules = await RuleSet.load({
    store: core.alertStore,
    fixed,
    now: core.now,
    newId: randomUUID,
    maxRules: config.maxRules,
    targetRefusal,
    metricKind: (name) => {
      for (const record of core.registry.all()) if (record.name === name) return record.kind;
      return undefined;
    },
  });
  const dispatcher = serverDispatcher({
    policy,
    metrics: core.metrics,
    log: app.log,
    backoffMs: options.notifyBackoffMs ?? 1_000,
  });
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const service = await AlertService.open({
    store: core.alertStore,
    rules,
    source: storeSignalSource(core.query),
    bus: core.bus,
    notify: { dispatcher, notifiers: NOTIFIERS, context: { alertUrl: alertUrlFor(`http://${host}:${config.port}`) } },
    now: core.now,
    maxSilences: config.maxSilences,
  });
  registerAlertRoutes(app, service);

  // Frames arrive once a second; evaluation runs after the frame has gone out, never inside its send,
  // and a burst of frames after a stall collapses into one evaluation at the newest time.
  let due: number | null = null;
  /** Whether this instance held the alert lease at the last evaluation (with --redis). */
  let leaseHeld = false;
  let scheduled: NodeJS.Immediate | null = null;
  /** The evaluation in progress: evaluations share the open episodes, so a frame during one waits for it. */
  let evaluating: Promise<void> | null = null;
  let closed = false;
  const evaluate = async (now: number) => {
    // In a cluster only the lease holder evaluates, so each rule is judged (and notified) once; a new holder
    // starts from the episodes as stored, not as it last saw them.
    if (core.cluster) {
      const held = core.cluster.alertLease.held;
      if (held && !leaseHeld) await service.resumeFromStore();
      leaseHeld = held;
      if (!held) return;
    }
    // Time on the main thread and waiting for the store alike: either delays the next evaluation.
    const started = performance.now();
    await service.evaluate(now);
    const ms = performance.now() - started;
    if (ms > SLOW_EVALUATION_MS) app.log.warn({ ms: Math.round(ms) }, 'slow alert evaluation');
  };
  const run = () => {
    scheduled = null;
    const now = due;
    if (now === null || evaluating || closed) return;
    due = null;
    evaluating = evaluate(now)
      .catch((error: unknown) => {
        // On a full disk every evaluation fails the same way: the watch logs that once a minute.
        if (!core.diskFull.check(error)) app.log.error({ err: error }, 'alert evaluation failed');
      })
      .finally(() => {
        evaluating = null;
        // Frames that came meanwhile collapse into one evaluation at the newest time.
        if (due !== null && !closed) scheduled ??= setImmediate(run);
      });
  };
  const unsubscribe = core.bus.subscribe('frame', (frame) => {
    due = Math.max(due ?? 0, frame.t + 1000);
    scheduled ??= setImmediate(run);
  });

  const prune = async () => {
    const now = core.now();
    await core.alertStore.pruneResolved(now - KEEP_RESOLVED_MS);
    await core.alertStore.pruneSilences(now - KEEP_RESOLVED_MS);
  };
  await prune();
  runPeriodically(app, 'pruning resolved alerts and ended silences', PRUNE_EVERY_MS, prune);

  app.addHook('onClose', async () => {
    closed = true;
    unsubscribe();
    if (scheduled) clearImmediate(scheduled);
    // The store closes after this plugin: an evaluation still writing must finish first.
    await evaluating;
    await dispatcher.close();
  });
};
