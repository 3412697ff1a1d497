import { RED_METRIC } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { DemoGenerator } from './generator.ts';
import { SERVICES } from './profiles.ts';

const ORIGIN = Date.UTC(2025, 2, 10, 9);

function observedCounts(g: DemoGenerator, from: number, to: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let t = from; t < to; t += 60_000) {
    for (const item of g.observe(t, Math.min(to, t + 60_000))) {
      if (item.name !== RED_METRIC) continue;
      counts.set(item.service, (counts.get(item.service) ?? 0) + (item.points?.length ?? 0));
    }
  }
  return counts;
}

describe('DemoGenerator.summarize', () => {
  it('matches observe: request counts per service within 10%, 5xx counts in proportion', () => {
    const g = new DemoGenerator({ seed: 9, origin: ORIGIN });
    // Ten minutes that include the first incident, so incident handling is compared too.
    const from = ORIGIN;
    const to = ORIGIN + 10 * 60_000;
    expect(g.incidents(from, to).length).toBeGreaterThan(0);
    const observed = observedCounts(g, from, to);
    const summary = g.summarize(from, to, 10_000);
    const summarized = new Map<string, number>();
    for (const r of summary.requests) summarized.set(r.service, (summarized.get(r.service) ?? 0) + r.count);
    for (const [service, count] of observed) {
      expect(summarized.get(service) ?? 0, service).toBeGreaterThan(count * 0.9);
      expect(summarized.get(service) ?? 0, service).toBeLessThan(count * 1.1);
    }
  });

  it('builds buckets whose latency pairs sum to the count', () => {
    const g = new DemoGenerator({ seed: 9, origin: ORIGIN });
    const from = ORIGIN - 3_600_000 + 2_500;
    const to = ORIGIN - 1_800_000;
    const { requests, gauges } = g.summarize(from, to, 10_000);
    expect(requests.length).toBeGreaterThan(1000);
    // Collected, then asserted once: an expect per pair would dominate the test's run time.
    const bad = requests.filter(
      (r) =>
        r.t % 10_000 !== 0 ||
        r.t <= from - 10_000 ||
        r.t >= to ||
        r.count <= 0 ||
        r.latencies.length > 32 ||
        r.latencies.reduce((sum, [, c]) => sum + c, 0) !== r.count ||
        r.latencies.some(([value, count]) => !(value > 0) || !Number.isInteger(count) || count <= 0),
    );
    expect(bad).toEqual([]);
    expect(requests.some((r) => r.status === 404)).toBe(true);
    expect(requests.some((r) => r.status >= 500)).toBe(true);
    const instances = SERVICES.reduce((n, s) => n + s.instances.length, 0);
    const buckets = new Set(gauges.map((x) => x.t));
    expect(gauges.length).toBeLessThanOrEqual(buckets.size * instances);
    for (const x of gauges) {
      expect(x.cpu).toBeGreaterThan(0);
      expect(x.cpu).toBeLessThanOrEqual(1);
      expect(x.memory).toBeGreaterThan(100 * 1024 * 1024);
    }
  });

  it('is deterministic', () => {
    const a = new DemoGenerator({ seed: 2, origin: ORIGIN }).summarize(ORIGIN - 600_000, ORIGIN, 60_000);
    const b = new DemoGenerator({ seed: 2, origin: ORIGIN }).summarize(ORIGIN - 600_000, ORIGIN, 60_000);
    expect(a).toEqual(b);
  });

  it('gives the same buckets when a window is cut at step boundaries', () => {
    const g = new DemoGenerator({ seed: 2, origin: ORIGIN });
    const whole = g.summarize(ORIGIN - 1_200_000, ORIGIN, 10_000);
    const first = g.summarize(ORIGIN - 1_200_000, ORIGIN - 600_000, 10_000);
    const second = g.summarize(ORIGIN - 600_000, ORIGIN, 10_000);
    expect([...first.requests, ...second.requests]).toEqual(whole.requests);
    expect([...first.gauges, ...second.gauges]).toEqual(whole.gauges);
  });

  it('leaves a silent service out, gauges included', () => {
    const g = new DemoGenerator({ seed: 4, origin: ORIGIN });
    const silent = g.incidents(ORIGIN, ORIGIN + 6 * 3_600_000).find((i) => i.kind === 'silent');
    if (!silent) throw new Error('no silent incident in six hours');
    const start = Math.ceil(silent.start / 10_000) * 10_000;
    const end = Math.floor(silent.end / 10_000) * 10_000;
    const { requests, gauges } = g.summarize(start, end, 10_000);
    expect(requests.filter((r) => r.service === silent.service)).toEqual([]);
    expect(gauges.filter((x) => x.service === silent.service)).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
  });

  it('rejects a step that is not a whole number of seconds', () => {
    const g = new DemoGenerator({ seed: 2, origin: ORIGIN });
    expect(() => g.summarize(ORIGIN, ORIGIN + 60_000, 1500)).toThrow(RangeError);
    expect(() => g.summarize(ORIGIN, ORIGIN + 60_000, 0)).toThrow(RangeError);
  });

  it('summarizes 24 hours at 10 s steps for every service', () => {
    const g = new DemoGenerator({ seed: 1, origin: ORIGIN });
    const { requests, gauges } = g.summarize(ORIGIN - 86_400_000, ORIGIN, 10_000);
    const total = requests.reduce((sum, r) => sum + r.count, 0);
    // 24 h between 30% and 100% of the peak (220 requests/s in all).
    expect(total).toBeGreaterThan(0.3 * 220 * 86_400);
    expect(total).toBeLessThan(1.2 * 220 * 86_400);
    expect(gauges.length).toBeGreaterThan(8000 * 5);
  });
});
