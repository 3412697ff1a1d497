import { describe, expect, it } from 'vitest';
import { formatTick, niceStep, tickInterval, timeTicks, valueTicks } from './ticks.ts';

const at = (h: number, m: number, s = 0, day = 3) => new Date(2026, 11, day, h, m, s).getTime();

describe('value ticks', () => {
  it('steps by 1, 2 or 5 x 10^n', () => {
    expect(niceStep(63.75)).toBe(100);
    expect(niceStep(42)).toBe(50);
    expect(niceStep(0.0023)).toBe(0.005);
    expect(niceStep(2)).toBe(2);
    expect(niceStep(0.1 + 0.2 - 0.1)).toBe(0.2);
  });

  it('covers the data from 0 to the first nice tick above it', () => {
    expect(valueTicks(255)).toEqual([0, 100, 200, 300]);
    expect(valueTicks(380)).toEqual([0, 100, 200, 300, 400]);
    expect(valueTicks(0.0141)).toEqual([0, 0.005, 0.01, 0.015]);
    expect(valueTicks(0.3)).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it('keeps a floor for an all-zero chart and survives no data', () => {
    expect(valueTicks(0, 4, 0.01)).toEqual([0, 0.005, 0.01]);
    expect(valueTicks(0)).toEqual([0, 1]);
    expect(valueTicks(Number.NaN)).toEqual([0, 1]);
  });

  it('reaches below zero for negative data', () => {
    expect(valueTicks(30, 4, 0, -12)).toEqual([-20, 0, 20, 40]);
  });
});

describe('time ticks', () => {
  it('picks a round interval for the span and the room', () => {
    expect(tickInterval(3_600_000, 8)).toBe(10 * 60_000);
    expect(tickInterval(5 * 60_000, 6)).toBe(60_000);
    expect(tickInterval(7 * 86_400_000, 8)).toBe(86_400_000);
    expect(tickInterval(60_000, 4)).toBe(15_000);
    // A window snapped a few seconds wider keeps its ticks.
    expect(tickInterval(3_605_000, 2)).toBe(30 * 60_000);
  });

  it('puts ticks on round local times that stay put as the window slides', () => {
    const interval = 10 * 60_000;
    expect(timeTicks(at(7, 31, 12), at(8, 31, 12), interval)).toEqual([
      at(7, 40),
      at(7, 50),
      at(8, 0),
      at(8, 10),
      at(8, 20),
      at(8, 30),
    ]);
    // A second later the ticks are the same moments.
    expect(timeTicks(at(7, 31, 13), at(8, 31, 13), interval)).toEqual(
      timeTicks(at(7, 31, 12), at(8, 31, 12), interval),
    );
  });

  it('puts day ticks on local midnight', () => {
    const ticks = timeTicks(at(8, 0, 0, 1), at(8, 0, 0, 3), 86_400_000);
    expect(ticks).toEqual([at(0, 0, 0, 2), at(0, 0, 0, 3)]);
  });

  it('labels ticks in the page time format', () => {
    expect(formatTick(at(8, 5), 5 * 60_000)).toBe('08:05');
    expect(formatTick(at(8, 5, 30), 30_000)).toBe('08:05:30');
    expect(formatTick(at(0, 0), 3_600_000)).toBe('Dec 3');
    expect(formatTick(at(0, 0), 86_400_000)).toBe('Dec 3');
  });
});
