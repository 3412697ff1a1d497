import { type ReactNode, useId } from 'react';
import type { QueryStatus } from '../../hooks/useLiveQuery.ts';
import { QueryState } from '../QueryState.tsx';

export interface FrameQuery {
  status: QueryStatus;
  error: Error | null;
  retry: () => void;
}

export interface ChartFrameProps {
  title: ReactNode;
  query: FrameQuery;
  /** Loaded, but nothing to draw in this range. */
  empty: boolean;
  /** Controls in the header (a service picker, a stat picker). */
  actions?: ReactNode;
  /** Measures the body, so the chart can ask for points to fit its width. */
  bodyRef?: (element: HTMLDivElement | null) => void;
  height?: number;
  testId: string;
  /** `data-*` facts about the drawn data, for tests and debugging (points, first/last time, step). */
  facts?: Record<string, string | number>;
  children: ReactNode;
}

/** Every chart's frame: a title, and a loading skeleton, an empty note or an error with retry instead of a chart. */
export function ChartFrame({
  title,
  query,
  empty,
  actions,
  bodyRef,
  height = 240,
  testId,
  facts,
  children,
}: ChartFrameProps) {
  const titleId = useId();
  const state = query.status === 'ready' && empty ? 'empty' : query.status;
  const dataFacts = Object.fromEntries(Object.entries(facts ?? {}).map(([k, v]) => [`data-${k}`, String(v)]));
  return (
    <section className="panel" aria-labelledby={titleId} data-testid={testId} data-state={state} {...dataFacts}>
      <div className="panel-head">
        <h2 id={titleId}>{title}</h2>
        {actions}
      </div>
      <div className="chart-body" ref={bodyRef} style={{ height }} aria-busy={state === 'loading'}>
        <QueryState query={query} />
        {state === 'empty' && (
          <div className="state" role="status">
            No data in this range
          </div>
        )}
        {state === 'ready' && children}
      </div>
    </section>
  );
}
