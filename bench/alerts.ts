/**
 * `npx tsx bench/alerts.ts [--days N] [--seed N] [--list-false]`: alert quality of the default rules on simulated demo
 * traffic. A day of warm-up (so baselines have "yesterday"), then N days (7) scored against the demo's own
 * incident schedule: recall (incidents with an alert), false alerts per service per day, precision, and
 * the delay from incident start to firing. Time is injected: a week runs in a couple of minutes.
 */
import type { Alert } from '@pulseboard/shared';
import { DemoGenerator, type Incident } from '../packages/demo/src/index.ts';
import { DEFAULT_RULES } from '../packages/server/src/alerts/default-rules.ts';
import { AlertEvaluator } from '../packages/server/src/alerts/evaluator.ts';
import { SimulatedSignals, STEP_MS } from './alerts-sim.ts';

const DAY = 86_400_000;
const CHUNK_MS = 10 * 60_000;
/** An alert that fires up to this long after its incident ended still counts as detecting it. */
const LATE_MS = 2 * 60_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
  return n;
}

const days = arg('days', 7);
const seed = arg('seed', 42);
const origin = Date.UTC(2026, 0, 5);
const warmFrom = origin - DAY;
const scoreTo = origin + days * DAY;
const generator = new DemoGenerator({ seed, origin });
const rules = DEFAULT_RULES;
const source = new SimulatedSignals(generator, [...new Set(rules.map((r) => r.signal))]);
let n = 0;
const evaluator = new AlertEvaluator({ source, newId: () => `a${++n}` });
const fired: Alert[] = [];

const started = performance.now();
for (let chunk = warmFrom; chunk < scoreTo; chunk += CHUNK_MS) {
  source.load(chunk, chunk + CHUNK_MS);
  for (let now = chunk + STEP_MS; now <= chunk + CHUNK_MS; now += STEP_MS) {
    for (const change of await evaluator.evaluate(rules, now)) {
      if (change.transition === 'firing' && now >= origin) fired.push(change.alert);
    }
  }
  if ((chunk - warmFrom) % DAY === 0 && chunk > warmFrom) {
    process.stderr.write(`  simulated ${Math.round((chunk - warmFrom) / DAY)} of ${days + 1} days\n`);
  }
}
const seconds = (performance.now() - started) / 1000;

const incidents = generator.incidents(origin, scoreTo).filter((i) => i.start >= origin);
const matches = (a: Alert, i: Incident) =>
  a.service === i.service && a.firedAt! >= i.start && a.firedAt! < i.end + LATE_MS;
const detected = incidents.map((i) => {
  const first = fired.filter((a) => matches(a, i)).sort((a, b) => a.firedAt! - b.firedAt!)[0];
  return { incident: i, delay: first ? first.firedAt! - i.start : null };
});
const truePositives = fired.filter((a) => incidents.some((i) => matches(a, i)));
const falseAlerts = fired.filter((a) => !incidents.some((i) => matches(a, i)));
const services = generator.services().length;
const delays = detected.flatMap((d) => (d.delay === null ? [] : [d.delay])).sort((a, b) => a - b);
const median = delays.length ? delays[Math.floor(delays.length / 2)]! : Number.NaN;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

console.log(`alert quality: default rules, ${days} simulated days x ${services} services (seed ${seed})`);
console.log(`  simulated in ${seconds.toFixed(1)} s (${Math.round(((days + 1) * DAY) / 1000 / seconds)}x real time)`);
console.log(`  incidents ${incidents.length}, firing alerts ${fired.length}`);
console.log(`  recall     ${pct(detected.filter((d) => d.delay !== null).length / incidents.length)}  (goal >= 95%)`);
for (const kind of [...new Set(incidents.map((i) => i.kind))]) {
  const of = detected.filter((d) => d.incident.kind === kind);
  const hit = of.filter((d) => d.delay !== null);
  const kindDelays = hit.map((d) => d.delay!).sort((a, b) => a - b);
  const kindMedian = kindDelays.length ? `${Math.round(kindDelays[Math.floor(kindDelays.length / 2)]! / 1000)} s` : '-';
  console.log(`    ${kind.padEnd(8)} ${hit.length}/${of.length}, median delay ${kindMedian}`);
}
console.log(`  precision  ${pct(truePositives.length / Math.max(1, fired.length))}`);
console.log(
  `  false alerts ${falseAlerts.length} = ${(falseAlerts.length / services / days).toFixed(2)} per service per day  (goal <= 1)`,
);
const byRule = new Map<string, number>();
for (const a of falseAlerts) byRule.set(a.ruleId, (byRule.get(a.ruleId) ?? 0) + 1);
for (const [rule, count] of byRule) console.log(`    ${rule}: ${count}`);
if (process.argv.includes('--list-false')) {
  // Each false alert with its reason, and the traffic spike near it if any (the usual suspect).
  const spikes = generator.spikes(origin, scoreTo);
  for (const a of falseAlerts) {
    const near = spikes.find((s) => s.service === a.service && a.firedAt! >= s.start && a.firedAt! < s.end + 120_000);
    const spike = near ? ` (traffic spike x${near.factor} for ${(near.end - near.start) / 1000} s)` : '';
    console.log(`    ${new Date(a.firedAt!).toISOString()} ${a.service}: ${a.reason}${spike}`);
  }
}
console.log(`  median delay ${Math.round(median / 1000)} s from incident start to firing  (goal < 60 s)`);
