import { describe, expect, it } from 'vitest';
import { seriesKey } from '../../model.ts';
import { type CumulativePoint, CumulativeSeries } from './cumulative.ts';
import { type CumulativeValue, decodeValue, encodeValue, subtract } from './cumulative-values.ts';

const sum = (value: number): CumulativeValue => ({ type: 'sum', value });
const point = (key: string, start: number, time: number, value: CumulativeValue): CumulativePoint => ({
  key,
  start,
  time,
  value,
});

describe('cumulative -> delta', () => {
  it('counts the first point in full, then differences; a retried point counts nothing', () => {
    const { tracker, step } = setup();
    expect(step([point('a', 100, 1000, sum(5))])).toEqual([{ value: 5, fresh: true }]);
    expect(step([point('a', 100, 2000, sum(12))])).toEqual([{ value: 7, fresh: false }]);
    expect(step([point('a', 100, 2000, sum(12))])).toEqual([]);
    expect(step([point('a', 100, 1500, sum(9))])).toEqual([]);
    expect(tracker.size).toBe(1);
  });

  it('says which stored state each new one follows, and diffs against a state another instance stored', () => {
    const tracker = new CumulativeSeries([]);
    const first = tracker.advance(1, [point('a', 100, 1000, sum(5))]);
    expect(first.rows).toMatchObject([{ key: 'a', start: 100, time: 1000, after: null }]);
    tracker.settle(1, true);
    const second = tracker.advance(2, [point('a', 100, 2000, sum(12))]);
    expect(second.rows).toMatchObject([{ time: 2000, after: { start: 100, time: 1000 } }]);
    // Another instance stored a's point at 3000 (20): the commit failed; the retry diffs against it.
    tracker.reload([{ key: 'a', start: 100, time: 3000, state: encodeValue(sum(20)) }], []);
    tracker.settle(2, false);
    const retry = tracker.advance(3, [point('a', 100, 4000, sum(26))]);
    expect(retry.deltas.map((d) => d.value)).toEqual([sum(6)]);
    expect(retry.rows).toMatchObject([{ after: { start: 100, time: 3000 } }]);
    tracker.settle(3, true);
    // A series deleted meanwhile counts in full.
    tracker.reload([], ['a']);
    expect(tracker.advance(4, [point('a', 100, 5000, sum(30))]).deltas[0]).toMatchObject({ fresh: true });
  });

  it("marks first only a series' first point the server has seen, not a restart's or a reset's", () => {
    const tracker = new CumulativeSeries([]);
    const at = (request: number, p: CumulativePoint) => {
      const { first, since } = tracker.advance(request, [p]).deltas[0]!;
      tracker.settle(request, true);
      return { first, since };
    };
    expect(at(1, point('a', 100, 1_000, sum(5)))).toEqual({ first: true, since: 100 });
    expect(at(2, point('a', 100, 2_000, sum(12)))).toEqual({ first: false, since: 1_000 });
    expect(at(3, point('a', 3_000, 900_000, sum(3)))).toEqual({ first: false, since: 3_000 });
    expect(at(4, point('a', 3_000, 960_000, sum(1)))).toEqual({ first: false, since: 900_000 });
    // A newer start that began before the series' last point: another replica, running long before.
    expect(at(5, point('a', 500_000, 1_000_000, sum(9)))).toEqual({ first: true, since: 500_000 });
  });

  it('treats a new start time or a drop as a reset that counts in full', () => {
    const { step } = setup();
    step([point('a', 100, 1000, sum(50))]);
    expect(step([point('a', 3000, 4000, sum(3))])).toEqual([{ value: 3, fresh: true }]);
    expect(step([point('a', 3000, 5000, sum(1))])).toEqual([{ value: 1, fresh: true }]);
  });

  it('spreads a drop with the same start (a reset its sender did not announce) since the last point, not the start', () => {
    const tracker = new CumulativeSeries([]);
    const advance = (id: number, p: CumulativePoint) => {
      const { deltas } = tracker.advance(id, [p]);
      tracker.settle(id, true);
      return deltas.map((d) => ({ value: d.value, since: d.since }));
    };
    expect(advance(1, point('a', 100, 1_000, sum(100)))).toEqual([{ value: sum(100), since: 100 }]);
    advance(2, point('a', 100, 2_000, sum(300)));
    expect(advance(3, point('a', 100, 3_000, sum(10)))).toEqual([{ value: sum(10), since: 2_000 }]);
  });

  it('adds up two processes sending one series from two starts, each against its own last point', () => {
    const { tracker, step } = setup();
    // Replica A (started at 100) and B (started at 3000), 60 s exports, no instance id to tell them apart.
    step([point('a', 100, 60_000, sum(600))]);
    expect(step([point('a', 3000, 63_000, sum(400))])).toEqual([{ value: 400, fresh: true }]);
    // A goes on from where it was (before: dropped, the series read at half its rate), and so does B.
    expect(step([point('a', 100, 120_000, sum(1200))])).toEqual([{ value: 600, fresh: false }]);
    expect(step([point('a', 3000, 123_000, sum(1000))])).toEqual([{ value: 600, fresh: false }]);
    // A retried export of either counts nothing; a third start, unknown here, counts nothing until its next.
    expect(step([point('a', 100, 120_000, sum(1200))])).toEqual([]);
    expect(step([point('a', 2000, 121_000, sum(70))])).toEqual([]);
    expect(step([point('a', 2000, 181_000, sum(130))])).toEqual([{ value: 60, fresh: false }]);
    // Older starts are forgotten with the rest.
    tracker.forgetBefore(121_000);
    expect(step([point('a', 100, 240_000, sum(1900))])).toEqual([]);
    // At most eight older starts a series: a sender whose start moves every export adds no more.
    for (let i = 1; i <= 20; i++) step([point('a', 10_000 + i, 300_000 + i, sum(i))]);
    expect(step([point('a', 10_011, 400_000, sum(31))])).toEqual([]);
    expect(step([point('a', 10_013, 400_000, sum(33))])).toEqual([{ value: 20, fresh: false }]);
  });

  it('tells the processes of a series apart by their start once it has more than one, for reads to wait for each', () => {
    const tracker = new CumulativeSeries([]);
    const startsOf = (id: number, points: CumulativePoint[]) => {
      const { deltas } = tracker.advance(id, points);
      tracker.settle(id, true);
      return deltas.map((d) => d.startShared);
    };
    // One process: nothing to tell apart.
    expect(startsOf(1, [point('a', 100, 60_000, sum(600))])).toEqual([undefined]);
    expect(startsOf(2, [point('a', 100, 120_000, sum(1200))])).toEqual([undefined]);
    // A second start: each delta says which start it came from, the older one's too.
    expect(startsOf(3, [point('a', 3000, 123_000, sum(400))])).toEqual([3000]);
    expect(startsOf(4, [point('a', 100, 180_000, sum(1800))])).toEqual([100]);
    expect(startsOf(5, [point('a', 3000, 183_000, sum(1000))])).toEqual([3000]);
  });

  it('refuses points of an older start where instances share the store', () => {
    const series = new CumulativeSeries([], false);
    series.advance(1, [point('a', 3000, 63_000, sum(400))]);
    series.settle(1, true);
    const older = point('a', 100, 120_000, sum(1200));
    expect(series.advance(2, [older])).toEqual({ deltas: [], rows: [], older: [older] });
  });

  it('chains several points of one series in a request in time order, whatever their order in it', () => {
    const { step } = setup();
    const deltas = step([point('a', 0, 3000, sum(10)), point('b', 0, 1000, sum(1)), point('a', 0, 2000, sum(4))]);
    expect(deltas).toEqual([
      { value: 6, fresh: false },
      { value: 1, fresh: true },
      { value: 4, fresh: true },
    ]);
  });

  it('holds the series of a request until it settles; a failed write leaves the state, so the retry gets the same delta', () => {
    const series = new CumulativeSeries([]);
    series.advance(1, [point('a', 0, 1000, sum(5))]);
    expect(series.blocked([point('a', 0, 2000, sum(8))])).toBe(true);
    expect(series.blocked([point('b', 0, 2000, sum(8))])).toBe(false);
    series.settle(1, true);
    const retry = point('a', 0, 2000, sum(8));
    expect(series.advance(2, [retry]).deltas[0]?.value).toEqual(sum(3));
    series.settle(2, false);
    expect(series.blocked([retry])).toBe(false);
    expect(series.advance(3, [retry]).deltas[0]?.value).toEqual(sum(3));
  });

  it('forgets series silent since before a time: their next point counts in full, others still subtract', () => {
    const { tracker, step } = setup();
    step([point('old', 0, 1000, sum(5)), point('recent', 0, 5000, sum(5))]);
    tracker.forgetBefore(3000);
    expect(tracker.size).toBe(1);
    expect(step([point('old', 0, 6000, sum(8)), point('recent', 0, 6000, sum(8))])).toEqual([
      { value: 8, fresh: true },
      { value: 3, fresh: false },
    ]);
  });

  it('survives a restart through the stored rows', () => {
    const before = new CumulativeSeries([]);
    const { rows } = before.advance(1, [point('h', 7, 1000, histogram([1, 2, 0], 3))]);
    const after = new CumulativeSeries(rows);
    const later = point('h', 7, 2000, histogram([1, 5, 2], 8));
    const [delta] = after.advance(1, [later]).deltas;
    expect(delta).toMatchObject({ fresh: false, value: { count: 5, counts: [0, 3, 2] } });
  });

  it('keeps the older starts of a series through a restart: each goes on from its own last point', () => {
    const key = seriesKey({ service: 'noid', name: 'requests', attributes: { route: '/a\u0000b' } });
    const before = new CumulativeSeries([]);
    const rows = [
      point(key, 100, 60_000, sum(600)),
      point(key, 3000, 63_000, sum(400)),
      point(key, 100, 120_000, sum(1200)),
    ].flatMap((p, i) => {
      const advanced = before.advance(i, [p]);
      before.settle(i, true);
      return advanced.rows;
    });
    // The rows as the store keeps them: the newest of each key.
    const stored = [...new Map(rows.map((row) => [row.key, row])).values()];
    expect(stored.map((row) => row.start).sort()).toEqual([100, 3000]);
    const after = new CumulativeSeries(stored);
    let request = 10;
    const deltas = (p: CumulativePoint) => {
      const advanced = after.advance(++request, [p]);
      after.settle(request, true);
      return advanced.deltas.map((d) => (d.value as { value: number }).value);
    };
    expect(deltas(point(key, 100, 180_000, sum(1800)))).toEqual([600]);
    expect(deltas(point(key, 3000, 123_000, sum(1000)))).toEqual([600]);
  });

  it('stores the older starts of a series in one bounded row, and reads an unreadable one as none', () => {
    const key = seriesKey({ service: 'noid', name: 'requests', attributes: {} });
    const tracker = new CumulativeSeries([]);
    // A sender whose start moves every export: one row of at most eight starts, rewritten, not one row each.
    const rows = Array.from({ length: 20 }, (_, i) => {
      const advanced = tracker.advance(i, [point(key, 1000 + i, 60_000 + i, sum(i + 1))]);
      tracker.settle(i, true);
      return advanced.rows;
    }).flat();
    const keys = new Set(rows.map((row) => row.key));
    expect(keys.size).toBe(2);
    const othersRow = rows.findLast((row) => row.key !== key)!;
    expect(JSON.parse(othersRow.state)).toHaveLength(8);
    const unreadable = new CumulativeSeries([{ ...othersRow, state: '[[1, "x"]' }]);
    expect(unreadable.advance(1, [point(key, 1001, 90_000, sum(5))]).deltas).toEqual([
      expect.objectContaining({ fresh: true }),
    ]);
  });

  it('starts a series afresh when its stored state is unreadable', () => {
    const series = new CumulativeSeries([{ key: 'a', start: 0, time: 1000, state: 'from another version' }]);
    const later = point('a', 0, 2000, sum(8));
    expect(series.advance(1, [later]).deltas).toEqual([
      { point: later, value: sum(8), fresh: true, first: true, since: 0 },
    ]);
  });

  it('says where each delta starts: the point subtracted, or the start time when counted in full', () => {
    const series = new CumulativeSeries([{ key: 'a', start: 100, time: 1000, state: encodeValue(sum(2)) }]);
    const points = [point('a', 100, 6000, sum(5)), point('a', 100, 11_000, sum(9)), point('b', 300, 4000, sum(1))];
    expect(series.advance(1, points).deltas.map((d) => d.since)).toEqual([1000, 6000, 300]);
  });

  it('subtracts explicit histograms bucket by bucket; another layout or a lower bucket is a reset', () => {
    expect(subtract(histogram([2, 3], 5), histogram([1, 1], 2))).toMatchObject({ count: 3, counts: [1, 2], sum: 3 });
    expect(subtract(histogram([2, 3], 5), histogram([3, 1], 4))).toBeNull();
    expect(subtract(histogram([2, 3], 5, [1]), histogram([1, 1], 2, [2]))).toBeNull();
  });

  it('subtracts exponential histograms across a scale change by merging the older buckets', () => {
    // Previous at scale 2: buckets 4..7 each 1; current at scale 1 (buckets merge pairwise): 2 -> 3, 3 -> 4.
    const prev = exponential(2, { offset: 4, counts: [1, 1, 1, 1] }, 4);
    const cur = exponential(1, { offset: 2, counts: [3, 4] }, 7);
    expect(subtract(cur, prev)).toMatchObject({ count: 3, scale: 1, positive: { offset: 2, counts: [1, 2] } });
    expect(subtract(prev, cur)).toBeNull();
  });

  it('round-trips every value type through its stored text and refuses foreign text', () => {
    for (const v of [sum(3.5), histogram([1, 2], 3), exponential(3, { offset: -2, counts: [4, 0, 1] }, 5)]) {
      // min/max are not kept: they bound a cumulative point's values, not the next delta's.
      expect(decodeValue(encodeValue(v))).toEqual(v.type === 'sum' ? v : { ...v, min: null, max: null });
    }
    for (const text of ['nope', '{"t":"toString"}', '{"t":"sum"}', 'null']) expect(decodeValue(text)).toBeNull();
  });
});

function histogram(counts: number[], count: number, bounds = [10]): CumulativeValue {
  return { type: 'histogram', count, sum: count, min: null, max: null, bounds, counts };
}

function exponential(scale: number, positive: { offset: number; counts: number[] }, count: number): CumulativeValue {
  return {
    type: 'exponential',
    count,
    sum: null,
    min: null,
    max: null,
    scale,
    zeroCount: 0,
    positive,
    negative: { offset: 0, counts: [] },
  };
}

function setup() {
  const tracker = new CumulativeSeries([]);
  let request = 0;
  /** The deltas of `points` in their order (retried and stale ones give none), committed. */
  const step = (points: CumulativePoint[]) => {
    const id = ++request;
    const { deltas } = tracker.advance(id, points);
    tracker.settle(id, true);
    return deltas.map((d) => ({ value: (d.value as { value: number }).value, fresh: d.fresh }));
  };
  return { tracker, step };
}
