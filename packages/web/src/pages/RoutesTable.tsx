import { Fragment, useMemo } from 'react';
import { QueryState } from '../components/QueryState.tsx';
import { formatCount, formatMs, formatPercent, formatRate } from '../format.ts';
import type { useRoutes } from '../hooks/useResources.ts';
import type { Navigate } from '../hooks/useView.ts';
import type { RouteSort, ViewState } from '../state/view.ts';
import { routeRows, routesSeconds, sortRoutes } from './routes.ts';

const COLUMNS: { key: RouteSort; label: string; numeric: boolean }[] = [
  { key: 'route', label: 'Route', numeric: false },
  { key: 'count', label: 'Requests', numeric: true },
  { key: 'p99', label: 'p99', numeric: true },
  { key: 'errorRate', label: 'Error rate', numeric: true },
];

/** The service's routes over the range (`query`, read by the page), sortable by any column (the sort is in the URL). */
export function RoutesTable({
  view,
  navigate,
  query,
}: {
  view: ViewState;
  navigate: Navigate;
  query: ReturnType<typeof useRoutes>;
}) {
  const rows = useMemo(
    () => (query.data ? sortRoutes(routeRows(query.data.routes, routesSeconds(query.data)), view.sort, view.desc) : []),
    [query.data, view.sort, view.desc],
  );
  const sortBy = (key: RouteSort) =>
    navigate({ sort: key, desc: view.sort === key ? !view.desc : key !== 'route' }, { replace: true });
  return (
    <section className="panel" aria-labelledby="routes-title" data-testid="routes-table" data-state={query.status}>
      <div className="panel-head">
        <h2 id="routes-title">Top routes</h2>
      </div>
      <QueryState query={query} what="routes" height={200} />
      {query.status === 'ready' && rows.length === 0 && <p className="muted">No requests in this range.</p>}
      {rows.length > 0 && (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th
                    key={c.key}
                    className={c.numeric ? 'num' : undefined}
                    aria-sort={view.sort === c.key ? (view.desc ? 'descending' : 'ascending') : 'none'}
                  >
                    <button type="button" className="link-button" onClick={() => sortBy(c.key)}>
                      {c.label}
                      {view.sort === c.key ? (view.desc ? ' ▼' : ' ▲') : ''}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.route}>
                  <td>{breakAfterSlashes(r.route)}</td>
                  <td className="num">
                    {formatCount(r.count)} <span className="muted">({formatRate(r.rate)})</span>
                  </td>
                  <td className="num">{formatMs(r.p99)}</td>
                  <td className="num">{formatPercent(r.errorRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** A route with a line-break opportunity after each "/": on a phone "/api/products" broke as "/api/produc ts". */
function breakAfterSlashes(route: string) {
  return route.split('/').map((part, i, parts) => (
    // Parts of one route never reorder: their index is a stable key.
    // biome-ignore lint/suspicious/noArrayIndexKey: see above
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 && (
        <>
          /<wbr />
        </>
      )}
    </Fragment>
  ));
}
