import { describe, expect, it } from 'vitest';
import { INCIDENT_KINDS, IncidentSchedule, incidentsBetween } from './incidents.ts';
import { SERVICES } from './profiles.ts';

const ORIGIN = Date.UTC(2025, 5, 1, 8, 30, 12, 345);
const MINUTE = 60_000;

describe('IncidentSchedule', () => {
  for (const seed of [1, 2, 3, 99]) {
    it(`seed ${seed}: starts within 3 minutes of the origin, then every 20-40 minutes for 2-6 minutes`, () => {
      const incidents = new IncidentSchedule({ seed, origin: ORIGIN }).incidentsBetween(
        ORIGIN,
        ORIGIN + 24 * 60 * MINUTE,
      );
      expect(incidents.length).toBeGreaterThan(40);
      const [first] = incidents;
      expect(first!.start - ORIGIN).toBeGreaterThan(0);
      expect(first!.start - ORIGIN).toBeLessThanOrEqual(3 * MINUTE);
      expect(['latency', 'errors']).toContain(first!.kind);
      incidents.forEach((incident, i) => {
        expect(incident.start % 1000).toBe(0);
        expect(incident.end - incident.start).toBeGreaterThanOrEqual(2 * MINUTE);
        expect(incident.end - incident.start).toBeLessThanOrEqual(6 * MINUTE);
        expect(SERVICES.map((s) => s.name)).toContain(incident.service);
        expect(incident.routes.length).toBeGreaterThan(0);
        const next = incidents[i + 1];
        if (next) {
          expect(next.start - incident.start).toBeGreaterThanOrEqual(20 * MINUTE - 1000);
          expect(next.start - incident.start).toBeLessThanOrEqual(40 * MINUTE + 1000);
          expect(next.start).toBeGreaterThan(incident.end);
          expect(next.service).not.toBe(incident.service);
          expect(next.kind).not.toBe(incident.kind);
        }
      });
      expect(new Set(incidents.map((i) => i.kind))).toEqual(new Set(INCIDENT_KINDS));
      expect(new Set(incidents.map((i) => `${i.service}/${i.kind}`)).size).toBe(20);
      expect(new Set(incidents.map((i) => i.id)).size).toBe(incidents.length);
    });
  }

  it('sets magnitudes in the documented ranges', () => {
    const incidents = incidentsBetween({ seed: 5, origin: ORIGIN }, ORIGIN, ORIGIN + 48 * 60 * MINUTE);
    for (const i of incidents) {
      if (i.kind === 'latency') expect(i.magnitude).toBeGreaterThanOrEqual(3);
      if (i.kind === 'latency') expect(i.magnitude).toBeLessThanOrEqual(8);
      if (i.kind === 'errors') expect(i.magnitude).toBeGreaterThanOrEqual(0.1);
      if (i.kind === 'errors') expect(i.magnitude).toBeLessThanOrEqual(0.4);
      if (i.kind === 'cpu') expect(i.magnitude).toBeGreaterThanOrEqual(0.95);
      if (i.kind === 'latency') {
        const all = SERVICES.find((s) => s.name === i.service)!.routes.map((r) => r.route);
        expect(new Set(i.routes).size).toBe(i.routes.length);
        expect(i.routes.every((r) => all.includes(r))).toBe(true);
      }
    }
  });

  it('returns what overlaps the window, the same however it is asked', () => {
    const schedule = new IncidentSchedule({ seed: 8, origin: ORIGIN });
    const day = schedule.incidentsBetween(ORIGIN, ORIGIN + 24 * 60 * MINUTE);
    const pieces = [];
    for (let t = ORIGIN; t < ORIGIN + 24 * 60 * MINUTE; t += 7 * MINUTE)
      pieces.push(...schedule.incidentsBetween(t, t + 7 * MINUTE));
    const unique = [...new Map(pieces.map((i) => [i.id, i])).values()];
    expect(unique).toEqual(day);
    const one = day[3]!;
    expect(schedule.incidentsBetween(one.end - 1, one.end)).toEqual([one]);
    expect(schedule.incidentsBetween(one.end, one.end + 1000)).toEqual([]);
    expect(
      new IncidentSchedule({ seed: 8, origin: ORIGIN }).incidentsBetween(ORIGIN, ORIGIN + 24 * 60 * MINUTE),
    ).toEqual(day);
  });

  it('also has incidents before the origin, none running at it', () => {
    const schedule = new IncidentSchedule({ seed: 8, origin: ORIGIN });
    const history = schedule.incidentsBetween(ORIGIN - 24 * 60 * MINUTE, ORIGIN);
    expect(history.length).toBeGreaterThan(40);
    expect(history.every((i) => i.end <= ORIGIN - 10 * MINUTE)).toBe(true);
  });
});
