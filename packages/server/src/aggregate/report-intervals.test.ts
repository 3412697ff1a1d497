import { describe, expect, it } from 'vitest';
import { ReportIntervals } from './report-intervals.ts';

describe('ReportIntervals', () => {
  it('rounds spans to whole seconds, keeps the slower of two instances, and remembers across restarts', () => {
    let saved: string | null = null;
    const intervals = new ReportIntervals(null, (json) => {
      saved = json;
    });
    const reported = (interval: number, until: number) => new Map([['shop', { interval, until }]]);
    intervals.note(reported(5_003, 10_000), 10_000);
    expect(intervals.of('shop')).toBe(5_000);
    expect(intervals.of('native')).toBe(1_000);
    expect(intervals.reportedUntil('shop', 10_000)).toBe(10_000);
    // Another instance exports every 60 s: the service reads at 60 s, and a 5 s export does not undo it...
    intervals.note(reported(59_998, 12_000), 12_000);
    intervals.note(reported(4_999, 15_000), 15_000);
    expect(intervals.of('shop')).toBe(60_000);
    expect(intervals.reportedUntil('shop', 15_000)).toBe(15_000);
    expect(intervals.longest(['native', 'shop'])).toBe(60_000);
    // ...until the 60 s one has been silent for three of its intervals.
    intervals.note(reported(5_000, 200_000), 200_000);
    expect(intervals.of('shop')).toBe(5_000);
    const restarted = new ReportIntervals(saved, () => {});
    expect(restarted.of('shop')).toBe(5_000);
    restarted.forget('shop');
    expect(restarted.of('shop')).toBe(1_000);
  });

  it('tells where every service still reporting has sent up to; a stopped one holds nothing back', () => {
    const intervals = new ReportIntervals(null, () => {});
    intervals.note(
      new Map([
        ['a', { interval: 60_000, until: 1_000_000 }],
        ['b', { interval: 60_000, until: 1_040_000 }],
        ['gone', { interval: 60_000, until: 800_000 }],
      ]),
      1_040_000,
    );
    expect(intervals.sentByAll(['native', 'b'], 1_050_000)).toBe(1_040_000);
    expect(intervals.sentByAll(['native', 'a', 'b'], 1_050_000)).toBe(1_000_000);
    // `gone` last sent four intervals ago: it has stopped, not fallen behind.
    expect(intervals.sentByAll(['a', 'gone'], 1_050_000)).toBe(1_000_000);
    expect(intervals.sentByAll(['native'], 1_050_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it("keeps a service reporting as things happen complete up to the end of its newest data's second while it reports", () => {
    const intervals = new ReportIntervals(null, () => {});
    expect(intervals.reportedUntil('live', 100_000)).toBe(Number.POSITIVE_INFINITY);
    // Second 99 arrived at 100.4 s; nothing of second 100 yet: complete up to 100 s, not to now.
    intervals.seen(new Map([['live', 99_870]]), 100_400);
    expect(intervals.reportedUntil('live', 100_400)).toBe(100_000);
    // Older data arriving later (a late batch) does not move it back.
    intervals.seen(new Map([['live', 42_000]]), 100_900);
    expect(intervals.reportedUntil('live', 100_900)).toBe(100_000);
    expect(intervals.sentByAll(['live'], 100_900)).toBe(100_000);
    // Silent for more than 3 s: stopped, so its quiet seconds read as zeros again.
    expect(intervals.reportedUntil('live', 103_401)).toBe(Number.POSITIVE_INFINITY);
    expect(intervals.sentByAll(['live'], 103_401)).toBe(Number.POSITIVE_INFINITY);
    intervals.forget('live');
    expect(intervals.reportedUntil('live', 100_900)).toBe(Number.POSITIVE_INFINITY);
  });
});
