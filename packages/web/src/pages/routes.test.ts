import { describe, expect, it } from 'vitest';
import { type RouteRow, sortRoutes } from './routes.ts';

const rows: RouteRow[] = [
  { route: '/b', count: 10, rate: 1, p99: 300, errorRate: 0.1 },
  { route: '/a', count: 30, rate: 3, p99: null, errorRate: null },
  { route: '/c', count: 20, rate: 2, p99: 100, errorRate: 0 },
];

describe('top routes sorting', () => {
  it('sorts by any column either way', () => {
    expect(sortRoutes(rows, 'count', true).map((r) => r.route)).toEqual(['/a', '/c', '/b']);
    expect(sortRoutes(rows, 'route', false).map((r) => r.route)).toEqual(['/a', '/b', '/c']);
  });

  it('puts rows without a value last in both directions', () => {
    expect(sortRoutes(rows, 'p99', true).map((r) => r.route)).toEqual(['/b', '/c', '/a']);
    expect(sortRoutes(rows, 'p99', false).map((r) => r.route)).toEqual(['/c', '/b', '/a']);
  });
});
