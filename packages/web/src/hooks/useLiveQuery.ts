import { useEffect, useRef, useState } from 'react';
import type { Window } from '../api/endpoints.ts';
import type { LiveTick } from '../live/feed.ts';
import { useLiveFeed } from '../live/LiveProvider.tsx';
import { isLive, resolveWindow } from '../state/view.ts';

export type QueryStatus = 'loading' | 'ready' | 'error';

/** Live renders are spread over the second in this many slots, this far apart. */
const SLOTS = 8;
const STAGGER_MS = 110;
let nextSlot = 0;

export interface LiveQuery<T> {
  status: QueryStatus;
  data: T | null;
  error: Error | null;
  /** Bumped whenever `data` changes in place (live seconds), for memoised derivations. */
  version: number;
  retry: () => void;
}

export type Later = (work: (signal: AbortSignal) => Promise<boolean>) => void;

export interface LiveQueryOptions<T> {
  /** Reloads when it changes; null waits (e.g. for the chart's width). */
  key: string | null;
  /** The URL's range; without one the data is not time-bound and counts as live. */
  range?: { from: string; to: string };
  load: (signal: AbortSignal, window: Window) => Promise<T>;
  /**
   * Folds a live second into `data`; `gap` asks for a reload. `later` runs follow-up work on `data` (reloading a
   * part of it), aborted with the query; `data` re-renders when it resolves true.
   */
  onTick?: (data: T, tick: LiveTick, later: Later) => 'stale' | 'gap' | 'changed';
  /** While live, reload this often (for data frames do not carry). */
  refreshMs?: number;
}

/**
 * Loads a view's data for the URL's range, aborting a superseded load, and keeps it live: live seconds are folded
 * in, or the data is reloaded periodically. A failed reload keeps the data it had; only a failed first load
 * shows the error.
 */
export function useLiveQuery<T>({ key, range, load, onTick, refreshMs }: LiveQueryOptions<T>): LiveQuery<T> {
  const feed = useLiveFeed();
  const live = range ? isLive(range) : true;
  const [state, setState] = useState<Omit<LiveQuery<T>, 'retry'>>({
    status: 'loading',
    data: null,
    error: null,
    version: 0,
  });
  const [reloads, setReloads] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const onTickRef = useRef(onTick);
  onTickRef.current = onTick;
  const loadedKey = useRef<string | null>(null);
  const [slot] = useState(() => (onTick ? nextSlot++ % SLOTS : 0));

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` is the trigger for a reload of the same key.
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    const fresh = loadedKey.current !== key;
    if (fresh) setState((s) => ({ ...s, status: 'loading', data: null, error: null }));
    const { from, to } = resolveWindow(range ?? { from: 'now-1h', to: 'now' }, feed.now());
    // Whole seconds, so live seconds continue exactly where the loaded data ends.
    const window = live ? { from: Math.floor(from / 1000) * 1000, to: Math.floor(to / 1000) * 1000 } : { from, to };
    loadRef.current(controller.signal, window).then(
      (data) => {
        if (controller.signal.aborted) return;
        loadedKey.current = key;
        setState((s) => ({ status: 'ready', data, error: null, version: s.version + 1 }));
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const failure = error instanceof Error ? error : new Error(String(error));
        setState((s) => (fresh || !s.data ? { ...s, status: 'error', error: failure } : s));
      },
    );
    return () => controller.abort();
  }, [key, reloads]);

  const data = state.data;
  useEffect(() => {
    if (!live || data === null || !onTickRef.current) return;
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const controller = new AbortController();
    const bump = () => setState((s) => (s.data === data ? { ...s, version: s.version + 1 } : s));
    const later: Later = (work) =>
      work(controller.signal).then(
        (changed) => {
          if (changed && !controller.signal.aborted) bump();
        },
        // A failed follow-up keeps the data as it was: the next load replaces it anyway.
        () => undefined,
      );
    const unsubscribe = feed.onTick((tick) => {
      const result = onTickRef.current?.(data, tick, later);
      if (result === 'gap') setReloads((n) => n + 1);
      else if (result === 'changed') {
        // Each chart re-renders at its own moment in the second: React would batch updates made together into
        // one long task (every chart at once) that stalls input.
        const timer = setTimeout(() => {
          timers.delete(timer);
          setState((s) => ({ ...s, version: s.version + 1 }));
        }, slot * STAGGER_MS);
        timers.add(timer);
      }
    });
    return () => {
      unsubscribe();
      controller.abort();
      for (const timer of timers) clearTimeout(timer);
    };
  }, [feed, live, data, slot]);

  useEffect(() => {
    if (!live) return;
    return feed.onReset(() => setReloads((n) => n + 1));
  }, [feed, live]);

  useEffect(() => {
    if (!live || !refreshMs) return;
    const timer = setInterval(() => {
      if (feed.getStatus().state === 'open') setReloads((n) => n + 1);
    }, refreshMs);
    return () => clearInterval(timer);
  }, [feed, live, refreshMs]);

  return { ...state, retry: () => setReloads((n) => n + 1) };
}
