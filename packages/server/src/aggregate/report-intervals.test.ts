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
    // Another instance exports every 60 s: once it has twice, the service reads at 60 s, and a 5 s export
    // does not undo it...
    intervals.note(reported(59_998, 12_000), 12_000);
    expect(intervals.of('shop')).toBe(5_000);
    intervals.note(reported(60_001, 72_000), 72_000);
    intervals.note(reported(4_999, 75_000), 75_000);
    expect(intervals.of('shop')).toBe(60_000);
    expect(intervals.reportedUntil('shop', 75_000)).toBe(75_000);
    expect(intervals.longest(['native', 'shop'])).toBe(60_000);
    // ...until the 60 s one has been silent for three of its intervals.
    intervals.note(reported(5_000, 260_000), 260_000);
    expect(intervals.of('shop')).toBe(5_000);
    const restarted = new ReportIntervals(saved, () => {});
    expect(restarted.of('shop')).toBe(5_000);
    restarted.forget('shop');
    expect(restarted.of('shop')).toBe(1_000);
  });

  it('reads a span over a lost export as a gap, and keeps where each service had reported across a restart', () => {
    let saved: string | null = null;
    const intervals = new ReportIntervals(null, (json) => {
      saved = json;
    });
    const reported = (interval: number, until: number) => new Map([['shop', { interval, until }]]);
    intervals.note(reported(60_000, 60_000), 60_000);
    intervals.note(reported(60_000, 120_000), 120_000);
    // The export of 180 s was lost: the next cumulative point spans two intervals.
    intervals.note(reported(120_000, 240_000), 240_000);
    expect(intervals.of('shop')).toBe(60_000);
    expect(intervals.reportedUntil('shop', 250_000)).toBe(240_000);
    const restarted = new ReportIntervals(saved, () => {});
    expect(restarted.of('shop')).toBe(60_000);
    // Until its next report, the time since its last one is unknown, not quiet.
    expect(restarted.reportedUntil('shop', 290_000)).toBe(240_000);
    restarted.note(reported(120_000, 420_000), 420_000);
    expect(restarted.of('shop')).toBe(60_000);
    // Stored by an earlier version: intervals only.
    expect(new ReportIntervals('{"shop":60000}', () => {}).reportedUntil('shop', 1)).toBe(Number.POSITIVE_INFINITY);
  });

  it("takes a new service's first span (at most 60 s) until its first measured interval", () => {
    const intervals = new ReportIntervals(null, () => {});
    const first = (service: string, interval: number, until: number) =>
      new Map([[service, { interval, until, first: true }]]);
    // An SDK's first cumulative export, one interval after the process started.
    intervals.note(first('new', 60_004, 60_000), 60_000);
    expect(intervals.of('new')).toBe(60_000);
    expect(intervals.reportedUntil('new', 90_000)).toBe(60_000);
    // A process that ran for an hour before its first export reached the server: not an hour's interval.
    intervals.note(first('old', 3_600_000, 3_600_000), 3_600_000);
    expect(intervals.of('old')).toBe(60_000);
    // Its first measured interval replaces the guess at once, shorter or longer.
    intervals.note(new Map([['old', { interval: 10_000, until: 3_610_000 }]]), 3_610_000);
    expect(intervals.of('old')).toBe(10_000);
    // A known service's process restarting: its first span moves where it has reported up to, not its interval.
    intervals.note(first('old', 2_000, 3_700_000), 3_700_000);
    expect(intervals.of('old')).toBe(10_000);
    expect(intervals.reportedUntil('old', 3_700_500)).toBe(3_700_000);
  });

  it("knows where a new service's data begins, and not for one known before a restart", () => {
    const intervals = new ReportIntervals('{"known":60000}', () => {});
    intervals.note(new Map([['new', { interval: 60_004, until: 160_000, first: true }]]), 160_000);
    intervals.note(new Map([['known', { interval: 60_000, until: 160_000 }]]), 160_000);
    expect(intervals.dataFrom('new')).toBe(99_996);
    expect(intervals.dataFrom('known')).toBe(Number.NEGATIVE_INFINITY);
    // Its first measured interval keeps where it began.
    intervals.note(new Map([['new', { interval: 60_000, until: 220_000 }]]), 220_000);
    expect(intervals.dataFrom('new')).toBe(99_996);
    expect(intervals.dataFrom('native')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('reads a service exporting from several instances up to where all have reported; a stopped one holds nothing back', () => {
    const intervals = new ReportIntervals(null, () => {});
    const report = (instance: string, until: number) =>
      intervals.note(new Map([['pods', { interval: 60_000, until, instances: new Map([[instance, until]]) }]]), until);
    report('pod-0', 60_000);
    report('pod-1', 80_000);
    report('pod-2', 100_000);
    // pod-0 and pod-1 have not sent the requests after 60 s and 80 s yet: reads stop at 60 s.
    expect(intervals.reportedUntil('pods', 100_500)).toBe(60_000);
    expect(intervals.readsUpTo('pods', 100_500)).toBe(60_000);
    report('pod-0', 120_000);
    expect(intervals.reportedUntil('pods', 120_500)).toBe(80_000);
    report('pod-1', 140_000);
    report('pod-2', 160_000);
    expect(intervals.readsUpTo('pods', 160_500)).toBe(120_000);
    // pod-0 stopped (its pod replaced): one export missed is a gap its next covers, two and it is not waited for.
    report('pod-1', 200_000);
    report('pod-2', 220_000);
    expect(intervals.reportedUntil('pods', 220_500)).toBe(120_000);
    report('pod-1', 260_000);
    expect(intervals.reportedUntil('pods', 260_500)).toBe(220_000);
    // All instances as far as the newest report: reads are not cut (they end there anyway).
    report('pod-2', 260_000);
    expect(intervals.reportedUntil('pods', 260_500)).toBe(260_000);
    expect(intervals.readsUpTo('pods', 260_500)).toBe(Number.POSITIVE_INFINITY);
    // Every pod stops, one last: two intervals on, the others' last exports are all there is of them.
    report('pod-1', 300_000);
    expect(intervals.reportedUntil('pods', 300_500)).toBe(260_000);
    expect(intervals.reportedUntil('pods', 381_000)).toBe(300_000);
    expect(intervals.readsUpTo('pods', 381_000)).toBe(Number.POSITIVE_INFINITY);
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
    intervals.seen(new Map([['live', { first: 99_000, last: 99_870 }]]), 100_400);
    expect(intervals.reportedUntil('live', 100_400)).toBe(100_000);
    // Older data arriving later (a late batch) does not move it back.
    intervals.seen(new Map([['live', { first: 42_000, last: 42_000 }]]), 100_900);
    expect(intervals.reportedUntil('live', 100_900)).toBe(100_000);
    expect(intervals.sentByAll(['live'], 100_900)).toBe(100_000);
    // Silent for more than 3 s: stopped, so its quiet seconds read as zeros again.
    expect(intervals.reportedUntil('live', 103_401)).toBe(Number.POSITIVE_INFINITY);
    expect(intervals.sentByAll(['live'], 103_401)).toBe(Number.POSITIVE_INFINITY);
    intervals.forget('live');
    expect(intervals.reportedUntil('live', 100_900)).toBe(Number.POSITIVE_INFINITY);
  });

  it('reads a service whose data arrives in batches (spans every 5 s) as reporting every N s, not stopped between batches', () => {
    const intervals = new ReportIntervals(null, () => {});
    // An SDK's span batches: each lands ~0.3 s after it went out, with the spans that ended in the 5 s before.
    for (let sent = 105_000; sent <= 130_000; sent += 5_000) {
      intervals.seen(new Map([['traced', { first: sent - 4_990, last: sent - 10 }]]), sent + 300);
    }
    // 5.29 s late at most: read as reporting every 6 s, its data beginning at its first batch's first whole second.
    expect(intervals.of('traced')).toBe(6_000);
    expect(intervals.longest(['traced', 'native'])).toBe(6_000);
    expect(intervals.dataFrom('traced')).toBe(101_000);
    // Complete up to 6 s before now, in whole seconds (each of its senders has sent what ended by then), between
    // batches too, until two of its intervals pass; its reads stop there.
    expect(intervals.reportedUntil('traced', 130_300)).toBe(124_000);
    expect(intervals.readsUpTo('traced', 130_300)).toBe(124_000);
    expect(intervals.reportedUntil('traced', 136_200)).toBe(130_000);
    expect(intervals.sentByAll(['traced'], 142_300)).toBe(136_000);
    expect(intervals.reportedUntil('traced', 142_301)).toBe(Number.POSITIVE_INFINITY);
    expect(intervals.readsUpTo('traced', 142_301)).toBe(Number.POSITIVE_INFINITY);
    // A single late request is data sent once, not a way of sending.
    intervals.seen(new Map([['once', { first: 120_000, last: 125_000 }]]), 130_000);
    expect(intervals.of('once')).toBe(1_000);
    // Nor are two stragglers (an export retried) five minutes apart.
    intervals.seen(new Map([['retried', { first: 120_000, last: 125_000 }]]), 130_000);
    for (let t = 131_000; t < 430_000; t += 1000)
      intervals.seen(new Map([['retried', { first: t - 1000, last: t - 10 }]]), t);
    intervals.seen(new Map([['retried', { first: 420_000, last: 429_000 }]]), 430_000);
    expect(intervals.of('retried')).toBe(1_000);
    // A sender posting each second as it closes (about a second late) still reports as things happen.
    intervals.seen(new Map([['posting', { first: 130_000, last: 130_990 }]]), 131_050);
    expect(intervals.of('posting')).toBe(1_000);
    expect(intervals.reportedUntil('posting', 131_050)).toBe(131_000);
    expect(intervals.readsUpTo('posting', 131_050)).toBe(Number.POSITIVE_INFINITY);
  });

  it("reads a new service's first batch as one, not as a service that stopped 3 s after it", () => {
    const intervals = new ReportIntervals(null, () => {});
    // A trace SDK's first batch: the spans of its first 5 s, landing 0.6 s after it went out.
    intervals.seen(new Map([['traced', { first: 100_020, last: 104_990 }]]), 105_600);
    // Complete up to its newest second, which it went out in (the rest of that second comes in the next batch:
    // read to its end, the first batch read 16.8/s for 20), until a second batch is due; not stopped 3 s after
    // it (+Infinity, which read its seconds since as zeros). Its reads stop there too.
    expect(intervals.reportedUntil('traced', 109_000)).toBe(104_000);
    expect(intervals.readsUpTo('traced', 109_000)).toBe(104_000);
    // Its interval is how late that batch was: a page waits that long for the next before taking it as stopped.
    expect(intervals.of('traced')).toBe(6_000);
    // Its data begins at its first whole second, as once it sends in batches: live frames read its first
    // interval over the seconds it existed in, not the whole 6 s.
    expect(intervals.dataFrom('traced')).toBe(101_000);
    expect(intervals.reportedUntil('traced', 117_600)).toBe(104_000);
    expect(intervals.reportedUntil('traced', 117_601)).toBe(Number.POSITIVE_INFINITY);
    expect(intervals.readsUpTo('traced', 117_601)).toBe(Number.POSITIVE_INFINITY);
    // The second batch makes it a service sending in batches.
    intervals.seen(new Map([['traced', { first: 105_000, last: 109_990 }]]), 110_600);
    expect(intervals.of('traced')).toBe(6_000);
    expect(intervals.reportedUntil('traced', 112_000)).toBe(106_000);
    // Data all seconds old (sent once, from a file or a test) is not a first batch: stopped 3 s after.
    intervals.seen(new Map([['old', { first: 100_000, last: 101_000 }]]), 105_600);
    expect(intervals.reportedUntil('old', 105_600)).toBe(102_000);
    expect(intervals.dataFrom('old')).toBe(Number.NEGATIVE_INFINITY);
    expect(intervals.reportedUntil('old', 108_601)).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes how late data was when its request arrived, not when it was committed or heard of', () => {
    const intervals = new ReportIntervals(null, () => {});
    // A live sender's requests, each on time (1.2 s), committed 4 s later on a loaded machine (or heard of
    // from another instance): before, read as a batch sender every 6 s, its reads ending 6 s before now.
    for (let t = 100_000; t <= 130_000; t += 1000) {
      intervals.seen(new Map([['live', { first: t - 1000, last: t - 10, lag: 1_200 }]]), t + 4_000);
    }
    expect(intervals.of('live')).toBe(1_000);
    expect(intervals.readsUpTo('live', 134_000)).toBe(Number.POSITIVE_INFINITY);
    // Spans every 5 s arrive 5.3 s late, whenever they are committed.
    for (let t = 105_000; t <= 130_000; t += 5_000) {
      intervals.seen(new Map([['traced', { first: t - 4_990, last: t - 10, lag: 5_290 }]]), t + 2_300);
    }
    expect(intervals.of('traced')).toBe(6_000);
  });
});
