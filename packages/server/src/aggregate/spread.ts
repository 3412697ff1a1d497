import type { ExplicitPoint } from '../model.ts';
import { requestHeap } from './heap-guard.ts';

/** Piece lengths a point is cut into, finest first: the rollup tiers' resolutions, so pieces fill whole buckets. */
const PIECE_MS = [1_000, 10_000, 60_000, 3_600_000] as const;
/** At most this many pieces a point: a 60 s export is cut per second, a longer span into coarser pieces. */
const MAX_PIECES = 64;
/**
 * The most of a span that is spread: its older part's share is dropped. A point may claim to count since long
 * ago (a cumulative counter's first point since its process started; an exporter sending its start in ms
 * rather than ns: 1970), and cut into hours that was hundreds of thousands of pieces (seconds of a
 * thread, and a decode worker out of memory), written before any retention. Views then show the span's
 * steady rate over its last MAX_PIECES - 1 hours and nothing before, where Prometheus shows nothing before
 * the first point.
 */
const MAX_SPREAD_MS = (MAX_PIECES - 1) * PIECE_MS[PIECE_MS.length - 1]!;
/**
 * A cumulative series' first point over at most this counts in full: a new process's first export, of an
 * exporter sending every 5 minutes or more often (the SDKs' default is 60 s).
 */
const FIRST_COUNTED_MS = 360_000;
/**
 * What a longer first point keeps: its share of its newest 10 s, the process's average since its start. The
 * rest is a baseline the series counts from, as Prometheus' `rate` and the Collector's `cumulativetodelta`
 * take a first point. Spread over up to 63 h, a Collector's first export of 2,000 long-running series to a
 * new server filled ~400,000 buckets (each piece a bucket of each tier, of its series and of its route) and
 * took a decode worker past its heap; and the hours before the server saw a series read as a steady rate.
 */
const FIRST_KEPT_MS = 10_000;

/**
 * How much of [since, time) is spread (its newest part), for a point that is its cumulative series' `first`
 * (the first the server has seen of it, of any start; see FIRST_KEPT_MS) or not.
 */
export function spreadLimit(since: number, time: number, first: boolean): number {
  return first && time - since > FIRST_COUNTED_MS ? FIRST_KEPT_MS : MAX_SPREAD_MS;
}

/**
 * Where an OTLP histogram point that covers [since, time) lands in time: spread evenly over its interval,
 * not all at its end. Each piece (a second, or a coarser bucket for long spans) gets the share of every
 * bucket count that its overlap with the interval is of the whole, rounded so the shares add up to the
 * counts exactly; sums are shared in proportion. A series that reports every 60 s then reads as the same
 * steady rate in every second it covers, at any step, instead of nothing for 59 s and a burst in the 60th.
 *
 * Points that cover a second or less, or whose start is unknown (0, or not before their time), are kept
 * whole at their time.
 */
export function spreadPoint(p: ExplicitPoint, since: number, limit = MAX_SPREAD_MS): ExplicitPoint[] {
  if (!spreads(since, p.time)) return [p];
  const pieces: ExplicitPoint[] = [];
  const { spreadFrom, ...whole } = p;
  for (const { at, counts } of spreadCounts(p.counts, since, p.time, limit)) {
    const count = counts.reduce((n, c) => n + c, 0);
    if (count > 0) {
      pieces.push({
        ...whole,
        time: at,
        counts,
        count,
        sum: p.sum === null ? null : (p.sum * count) / p.count,
        // The point's extremes still bound every piece, but are observations of only one of them.
        exact: false,
      });
    }
  }
  return pieces;
}

/**
 * `spreadPoint`, deferred where all of the span is spread: the point itself, marked `spreadFrom`, which the
 * fold cuts into its pieces as it reads it (`explicitPieces`), a series at a time. Cut up front, each piece an
 * object with its own counts, a Collector's export of 8,000 points of 60 s took ~240 MB of a decode
 * worker's 256 MiB heap before the fold began.
 */
export function spreadLater(p: ExplicitPoint, since: number, limit = MAX_SPREAD_MS): ExplicitPoint[] {
  if (!spreads(since, p.time)) return [p];
  if (p.time - since > limit) return spreadPoint(p, since, limit);
  return [{ ...p, spreadFrom: since }];
}

/**
 * A series' points with those spread as the fold reads them cut into their pieces: one series' pieces at a
 * time, not a request's. The same array when none is.
 */
export function explicitPieces(points: readonly ExplicitPoint[]): readonly ExplicitPoint[] {
  if (!points.some((p) => p.spreadFrom !== undefined)) return points;
  const pieces: ExplicitPoint[] = [];
  for (const p of points) {
    if (p.spreadFrom === undefined) {
      pieces.push(p);
      continue;
    }
    const cut = spreadPoint(p, p.spreadFrom);
    for (const piece of cut) pieces.push(piece);
    // 140,000 points of one series over one minute are 8 M pieces, in no more buckets than that minute's.
    requestHeap.spend(cut.length * p.counts.length);
  }
  return pieces;
}

/**
 * How many pieces a point stands for (`explicitPieces`): those its span is cut into, but no more than its
 * count, since `spreadPoint` leaves out the pieces its rounding leaves empty.
 */
export function pieceCount(p: ExplicitPoint): number {
  if (p.spreadFrom === undefined || !spreads(p.spreadFrom, p.time)) return 1;
  // One a piece-long bucket [from, time) touches, as `piecesOf` cuts it.
  const piece = pieceMs(p.time - p.spreadFrom);
  const n = Math.ceil(p.time / piece) - Math.floor(Math.max(p.spreadFrom, p.time - MAX_SPREAD_MS) / piece);
  return Math.max(1, Math.min(n, Math.ceil(p.count)));
}

/**
 * Whole counts over [since, time) (a spread span, see `spreads`) cut into pieces: each piece gets every count's
 * share of its overlap with the span, rounded so each count's pieces add up to it exactly.
 */
export function spreadCounts(counts: readonly number[], since: number, time: number, limit = MAX_SPREAD_MS) {
  const pieces: { at: number; counts: number[] }[] = [];
  let before = counts.map(() => 0);
  // Cumulative rounding: each piece takes what its end's share adds. Rounded alike (at one half), every small
  // count landed in the middle of its span: an error series of a few requests per bucket then had all of an
  // export's errors mid-interval, and 5 s health cells of a 10 s exporter alternated 0.7 % and 3.9 % for a
  // steady 2 %. Each count rounds at its own offset instead (by bucket and span start, a low-discrepancy
  // sequence), so small counts spread over the span and over successive exports.
  const offsets = counts.map((_, i) => fraction(0.5 + i * GOLDEN + Math.floor(since / 1000) * PLASTIC));
  const dropped = droppedShare(since, time, limit);
  if (dropped > 0) before = counts.map((c, i) => Math.floor(c * dropped + offsets[i]!));
  for (const { at, share } of piecesOf(since, time, limit)) {
    const upTo = counts.map((c, i) => (share === 1 ? c : Math.floor(c * share + offsets[i]!)));
    pieces.push({ at, counts: upTo.map((c, i) => c - before[i]!) });
    before = upTo;
  }
  return pieces;
}

/** Steps of two low-discrepancy sequences (the golden ratio's and the plastic number's fractional inverses). */
const GOLDEN = 0.6180339887498949;
const PLASTIC = 0.7548776662466927;
const fraction = (x: number) => x - Math.floor(x);

/**
 * A counter's increase over [since, time) spread the same way, as [time, share of the increase] pieces: a
 * counter exported every 60 s reads as its steady rate at a 10 s step instead of 0 five times and 6x once.
 */
export function spreadIncrease(value: number, since: number, time: number, limit = MAX_SPREAD_MS): [number, number][] {
  if (!spreads(since, time)) return [[time, value]];
  const pieces: [number, number][] = [];
  let before = value * droppedShare(since, time, limit);
  for (const { at, share } of piecesOf(since, time, limit)) {
    // Each piece takes what its end's share adds: the last ends at exactly the whole increase.
    const upTo = share === 1 ? value : value * share;
    pieces.push([at, upTo - before]);
    before = upTo;
  }
  return pieces;
}

/** Whether [since, time) is spread: its start is known and it covers more than a second. */
export const spreads = (since: number, time: number) => since > 0 && time - since > 1000;

/** The share of [since, time) before the part that is spread: its newest `limit` ms (see MAX_SPREAD_MS). */
const droppedShare = (since: number, time: number, limit: number) => Math.max(0, time - limit - since) / (time - since);

/**
 * The pieces [at, ...) that [since, time) is cut into, each with the share of the span up to its end; of a
 * span longer than `limit`, only those of its newest `limit` ms.
 */
/** The length of the pieces a span is cut into: the finest that makes at most MAX_PIECES - 1 of it. */
const pieceMs = (span: number) => PIECE_MS.find((ms) => span / ms <= MAX_PIECES - 1) ?? PIECE_MS[PIECE_MS.length - 1]!;

function* piecesOf(since: number, time: number, limit: number): Generator<{ at: number; share: number }> {
  const span = time - since;
  const piece = pieceMs(span);
  for (let at = Math.max(since, time - limit); at < time; ) {
    const end = Math.min(time, Math.floor(at / piece) * piece + piece);
    yield { at, share: end === time ? 1 : (end - since) / span };
    at = end;
  }
}
