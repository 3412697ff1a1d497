import { describe, expect, it } from 'vitest';
import { explainCell, heatmapGrid, isSilent } from './health.ts';

const targets = { errorRate: 0.01, p99Ms: 500 };

describe('health heatmap', () => {
  it('explains a score by its worse part', () => {
    const lines = explainCell({ service: 's', t: 0, score: 0.5, errorRate: 0.002, p99: 1500 }, targets);
    expect(lines[0]).toContain('0.20%');
    expect(lines[1]).toContain('1.50 s');
    expect(lines[1]).toContain('0.50');
    expect(explainCell({ service: 's', t: 0, score: 0, errorRate: null, p99: null }, targets)[0]).toMatch(/Silent/);
    expect(explainCell({ service: 's', t: 0, score: null, errorRate: null, p99: null }, targets)[0]).toMatch(/No data/);
    const down = { service: 's', t: 0, score: null, errorRate: null, p99: null, down: true as const };
    expect(explainCell(down, targets)[0]).toMatch(/Pulseboard itself was not running/);
  });

  it('tells a silent cell (no requests, scored 0) from one of failing requests and from no data', () => {
    expect(isSilent({ service: 's', t: 0, score: 0, errorRate: null, p99: null })).toBe(true);
    expect(isSilent({ service: 's', t: 0, score: 0, errorRate: 1, p99: 30 })).toBe(false);
    expect(isSilent({ service: 's', t: 0, score: null, errorRate: null, p99: null })).toBe(false);
  });

  it('keeps the worst services past the row limit, in name order', () => {
    const cell = (service: string, score: number) => ({ service, t: 0, score, errorRate: 0, p99: 1 });
    const res = {
      from: 0,
      to: 1,
      step: 1,
      services: ['a', 'b', 'c'],
      cells: [cell('a', 1), cell('b', 0.2), cell('c', 0.1)],
    };
    const grid = heatmapGrid(res, null, 2);
    expect(grid.rows.map((r) => r.service)).toEqual(['b', 'c']);
    expect(grid.hidden).toBe(1);
    expect(heatmapGrid(res, ['a'], 2).rows.map((r) => r.service)).toEqual(['a']);
  });
});
