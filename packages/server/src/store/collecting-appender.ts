import type { Rows } from './rows.ts';
import { type Appender, type CumulativeState, type SeenSpan, type SeriesRecord, widenSeen } from './store.ts';

/** What an appender collected for one commit, in the order to write it. */
export interface Collected {
  series: SeriesRecord[];
  /** Per service, the oldest and newest times seen. */
  seen: Map<string, SeenSpan>;
  cumulative: CumulativeState[];
  dirty: [number, number][];
  rows: Rows[];
}

/**
 * An appender that keeps references until `commit` and then hands them all to `write`, which must write
 * them in one transaction (see `Appender` for the contract). Appending costs nothing, and no transaction
 * is held open while a producer is still adding.
 */
export function collectingAppender(write: (collected: Collected) => void | Promise<void>): Appender {
  let collected: Collected | null = { series: [], seen: new Map(), cumulative: [], dirty: [], rows: [] };
  const open = () => {
    if (!collected) throw new Error('this appender has been committed; take a new one');
    return collected;
  };
  return {
    addSeries: (record) => void open().series.push(record),
    addRows: (rows) => void open().rows.push(rows),
    seeService: (name, seen) => widenSeen(open().seen, name, seen),
    setCumulative: (state) => void open().cumulative.push(state),
    markDirty: (tier, t) => void open().dirty.push([tier, t]),
    async commit() {
      const c = open();
      collected = null;
      await write(c);
    },
  };
}
