import { CPU_METRIC, MEMORY_METRIC, type NativeItem, RED_METRIC, STATUS_ATTR } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { DemoGenerator } from './generator.ts';
import type { IncidentKind } from './incidents.ts';
import { PEAK_PHASE } from './model.ts';
import { SERVICES } from './profiles.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Midnight UTC, so PEAK_PHASE maps to a known hour of the default 24 h day. */
const ORIGIN = Date.UTC(2025, 2, 10);

/** Series identity -> points sorted by time, so outputs can be compared however they were produced. */
function bySeries(items: NativeItem[]): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const item of items) {
    const attributes = Object.entries(item.attributes ?? {}).sort(([a], [b]) => a.localeCompare(b));
    const key = JSON.stringify([item.service, item.name, item.type, item.unit, attributes]);
    const points: [number, number][] = item.points ?? [[item.timestamp ?? Number.NaN, item.value ?? Number.NaN]];
    const list = out.get(key) ?? [];
    list.push(...points);
    out.set(key, list);
  }
  for (const list of out.values()) list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function requests(items: NativeItem[], service?: string): Array<{ status: number; latency: number; t: number }> {
  const out: Array<{ status: number; latency: number; t: number }> = [];
  for (const item of items) {
    if (item.name !== RED_METRIC || (service && item.service !== service)) continue;
    const status = Number(item.attributes?.[STATUS_ATTR]);
    for (const [t, latency] of item.points ?? []) out.push({ status, latency, t });
  }
  return out;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;
}

describe('DemoGenerator.observe', () => {
  it('is deterministic for the same options and window', () => {
    const a = new DemoGenerator({ seed: 42, origin: ORIGIN }).observe(ORIGIN + 5_000, ORIGIN + 25_000);
    const b = new DemoGenerator({ seed: 42, origin: ORIGIN }).observe(ORIGIN + 5_000, ORIGIN + 25_000);
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(100);
    const other = new DemoGenerator({ seed: 43, origin: ORIGIN }).observe(ORIGIN + 5_000, ORIGIN + 25_000);
    expect(bySeries(other)).not.toEqual(bySeries(a));
  });

  it('does not depend on how a window is split into calls', () => {
    const g = new DemoGenerator({ seed: 7, origin: ORIGIN });
    const from = ORIGIN + 60_000;
    const whole = g.observe(from, from + 90_000);
    const seconds = [] as NativeItem[];
    for (let t = from; t < from + 90_000; t += 1000) seconds.push(...g.observe(t, t + 1000));
    expect(bySeries(seconds)).toEqual(bySeries(whole));
    // Cuts inside a second too, made by a fresh instance so no state carries over.
    const fresh = new DemoGenerator({ seed: 7, origin: ORIGIN });
    const uneven = [...fresh.observe(from, from + 30_500), ...fresh.observe(from + 30_500, from + 90_000)];
    expect(bySeries(uneven)).toEqual(bySeries(whole));
  });

  it('emits compact histogram items and one CPU and memory gauge per instance per second', () => {
    const g = new DemoGenerator({ seed: 1, origin: ORIGIN });
    const items = g.observe(ORIGIN - HOUR, ORIGIN - HOUR + 1000);
    const instances = SERVICES.reduce((n, s) => n + s.instances.length, 0);
    expect(items.filter((i) => i.name === CPU_METRIC)).toHaveLength(instances);
    expect(items.filter((i) => i.name === MEMORY_METRIC)).toHaveLength(instances);
    for (const item of items) {
      if (item.name === RED_METRIC) {
        expect(item.type).toBe('histogram');
        expect(item.unit).toBe('ms');
        expect(Object.keys(item.attributes ?? {}).sort()).toEqual([
          'http.request.method',
          'http.response.status_code',
          'http.route',
          'service.instance.id',
        ]);
        expect(item.points?.length).toBeGreaterThan(0);
        for (const [t, v] of item.points ?? []) {
          expect(t).toBeGreaterThanOrEqual(ORIGIN - HOUR);
          expect(t).toBeLessThan(ORIGIN - HOUR + 1000);
          expect(v).toBeGreaterThan(0);
        }
      } else {
        expect(item.type).toBe('gauge');
        expect(item.timestamp).toBe(ORIGIN - HOUR);
        if (item.name === CPU_METRIC) expect(item.value).toBeGreaterThan(0);
        if (item.name === CPU_METRIC) expect(item.value).toBeLessThanOrEqual(1);
        if (item.name === MEMORY_METRIC) expect(item.value).toBeGreaterThan(100 * 1024 * 1024);
      }
    }
  });

  it('follows the daily curve: the peak hour carries far more requests than the trough', () => {
    const g = new DemoGenerator({ seed: 3, origin: ORIGIN });
    const peak = ORIGIN + PEAK_PHASE * DAY;
    const trough = peak - DAY / 2;
    const count = (t: number) => requests(g.observe(t, t + 60_000)).length;
    expect(count(peak)).toBeGreaterThan(1.8 * count(trough));
  });

  it('uses a short day length when asked', () => {
    const g = new DemoGenerator({ seed: 3, origin: ORIGIN, dayLengthMs: 10 * 60_000 });
    const peak = ORIGIN + PEAK_PHASE * 10 * 60_000;
    const count = (t: number) => requests(g.observe(t, t + 20_000)).length;
    expect(count(peak)).toBeGreaterThan(1.8 * count(peak - 5 * 60_000));
  });

  it('answers some requests 404 and 401 without counting them as errors', () => {
    const g = new DemoGenerator({ seed: 5, origin: ORIGIN });
    const from = ORIGIN - 2 * HOUR;
    expect(g.incidents(from, from + 120_000)).toEqual([]);
    const all = requests(g.observe(from, from + 120_000));
    const notFound = all.filter((r) => r.status === 404).length;
    const unauthorized = all.filter((r) => r.status === 401).length;
    const serverErrors = all.filter((r) => r.status >= 500).length;
    expect(notFound).toBeGreaterThan(0);
    expect(unauthorized).toBeGreaterThan(0);
    // Base 5xx shares are 0.2%-1.5%; 4xx are several times that and must stay out of the error share.
    expect(serverErrors / all.length).toBeGreaterThan(0.001);
    expect(serverErrors / all.length).toBeLessThan(0.02);
    expect(notFound + unauthorized).toBeGreaterThan(serverErrors);
  });
});

describe('incidents visibly change the output', () => {
  const g = new DemoGenerator({ seed: 11, origin: ORIGIN });
  const schedule = g.incidents(ORIGIN, ORIGIN + 6 * HOUR);
  const first = (kind: IncidentKind) => {
    const incident = schedule.find((i) => i.kind === kind);
    if (!incident) throw new Error(`no ${kind} incident in the first 6 hours`);
    return incident;
  };
  /** Compares the two minutes before an incident with its first two minutes (incidents last at least 2). */
  const around = (kind: IncidentKind) => {
    const incident = first(kind);
    const before = g.observe(incident.start - 120_000, incident.start);
    const during = g.observe(incident.start, incident.start + 120_000);
    return { incident, before, during };
  };

  it('latency: the service p99 rises several-fold', () => {
    const { incident, before, during } = around('latency');
    const p99 = (items: NativeItem[]) =>
      quantile(
        requests(items, incident.service).map((r) => r.latency),
        0.99,
      );
    expect(p99(during)).toBeGreaterThan(2.5 * p99(before));
  });

  it('errors: the 5xx share jumps', () => {
    const { incident, before, during } = around('errors');
    const share = (items: NativeItem[]) => {
      const all = requests(items, incident.service);
      return all.filter((r) => r.status >= 500).length / all.length;
    };
    expect(share(before)).toBeLessThan(0.03);
    expect(share(during)).toBeGreaterThan(0.08);
  });

  it('silent: the service sends nothing at all, gauges included', () => {
    const { incident, before } = around('silent');
    const during = g.observe(incident.start, incident.end);
    expect(before.some((i) => i.service === incident.service)).toBe(true);
    expect(during.filter((i) => i.service === incident.service)).toEqual([]);
    expect(during.some((i) => i.service !== incident.service)).toBe(true);
    const after = g.observe(incident.end, incident.end + 2_000);
    expect(after.some((i) => i.service === incident.service)).toBe(true);
  });

  it('cpu: the CPU gauge sits at 0.9 or above', () => {
    const { incident, before, during } = around('cpu');
    const cpu = (items: NativeItem[]) =>
      items.filter((i) => i.service === incident.service && i.name === CPU_METRIC).map((i) => i.value ?? 0);
    expect(cpu(during).length).toBeGreaterThan(0);
    expect(Math.min(...cpu(during))).toBeGreaterThanOrEqual(0.9);
    expect(Math.max(...cpu(before))).toBeLessThan(0.9);
  });
});
