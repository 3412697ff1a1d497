import { describe, expect, it } from 'vitest';
import {
  activePreset,
  isLive,
  parseView,
  resolveWindow,
  spanText,
  toggleLive,
  viewUrl,
  withPreviousWindow,
} from './view.ts';

describe('view state in the URL', () => {
  it('defaults to the live last hour of every service', () => {
    const view = parseView('/', '');
    expect(view).toMatchObject({ page: { name: 'overview' }, from: 'now-1h', to: 'now', services: [] });
    expect(isLive(view)).toBe(true);
    expect(viewUrl(view)).toBe('/');
  });

  it('round-trips range, services, page and table state', () => {
    const url = '/services/a%20b%3Cx%3E?from=now-15m&service=x&service=y&metric=m&stat=max&sort=p99&dir=asc';
    const [path, search] = url.split('?');
    const view = parseView(path!, `?${search}`);
    expect(view).toMatchObject({
      page: { name: 'service', service: 'a b<x>' },
      from: 'now-15m',
      services: ['x', 'y'],
      metric: 'm',
      stat: 'max',
      sort: 'p99',
      desc: false,
    });
    expect(viewUrl(view)).toBe(url);
  });

  it('falls back to the default range when from/to are invalid or reversed', () => {
    expect(parseView('/', '?from=yesterday').from).toBe('now-1h');
    expect(parseView('/', '?from=2000&to=1000')).toMatchObject({ from: 'now-1h', to: 'now' });
    expect(parseView('/', '?sort=bogus').sort).toBe('count');
  });

  it('pausing freezes the window; going live keeps its length', () => {
    const view = parseView('/', '?from=now-15m');
    const paused = toggleLive(view, 1_000_000_000);
    expect(paused).toEqual({ from: String(1_000_000_000 - 900_000), to: '1000000000' });
    expect(toggleLive({ ...view, ...paused }, 5)).toEqual({ from: 'now-15m', to: 'now' });
  });

  it('has a rules page at /rules that keeps the range', () => {
    const view = parseView('/rules', '?from=now-15m');
    expect(view.page).toEqual({ name: 'rules' });
    expect(viewUrl(view)).toBe('/rules?from=now-15m');
  });

  it('names spans with the largest unit that divides them', () => {
    expect(spanText(86_400_000)).toBe('1d');
    expect(spanText(5_400_000)).toBe('90m');
    expect(spanText(1_500)).toBe('2s');
  });

  it('recognises presets by length, live only', () => {
    expect(activePreset({ from: 'now-1d', to: 'now' })).toBe('24h');
    expect(activePreset({ from: 'now-5m', to: 'now' })).toBe('5m');
    expect(activePreset({ from: 'now-7m', to: 'now' })).toBeNull();
    expect(activePreset({ from: '1', to: '2' })).toBeNull();
  });

  it('resolves relative and absolute windows', () => {
    expect(resolveWindow({ from: 'now-1m', to: 'now' }, 120_000)).toEqual({ from: 60_000, to: 120_000 });
    expect(resolveWindow({ from: '10', to: '20' }, 120_000)).toEqual({ from: 10, to: 20 });
  });

  it('puts the previous window in front of the shown one', () => {
    expect(withPreviousWindow({ from: 'now-1h', to: 'now' }, 10_000_000)).toEqual({ from: 'now-2h', to: 'now' });
    expect(withPreviousWindow({ from: 'now-7d', to: 'now' }, 10_000_000)).toEqual({ from: 'now-2w', to: 'now' });
    expect(withPreviousWindow({ from: '1000', to: '4000' }, 10_000_000)).toEqual({ from: '-2000', to: '4000' });
  });
});
