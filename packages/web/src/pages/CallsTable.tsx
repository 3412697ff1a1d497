import type { CallStats } from '@pulseboard/shared';
import { QueryState } from '../components/QueryState.tsx';
import { ServiceLink } from '../components/ServiceLink.tsx';
import { formatCount, formatMs, formatPercent, formatRate } from '../format.ts';
import { useCalls } from '../hooks/useResources.ts';
import type { ViewState } from '../state/view.ts';

/**
 * The services this one calls and is called by over the range, busiest first, from the CLIENT/PRODUCER
 * spans (and cross-service parent links) the services send. Hidden while nothing calls or is called. Rates
 * are over the time the service's data covers, as its routes' are: over the whole range, a service that
 * started a minute ago showed a tenth of its call rate on a 15-minute page beside its real route rates.
 */
export function CallsTable({
  view,
  service,
  coveredSeconds,
}: {
  view: ViewState;
  service: string;
  /** The time the service's data covers (null until read; see `coveredSeconds` in routes.ts). */
  coveredSeconds: number | null;
}) {
  const query = useCalls({ from: view.from, to: view.to }, service);
  const data = query.data;
  if (query.status === 'ready' && data && data.downstream.length === 0 && data.upstream.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="calls-title" data-testid="calls-table" data-state={query.status}>
      <div className="panel-head">
        <h2 id="calls-title">Calls between services</h2>
      </div>
      <QueryState query={query} what="calls" height={120} />
      {data && (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                {/* Unlabelled on screen: "calls →" and "← called by" say it, and a phone's width has no room. */}
                <th>
                  <span className="visually-hidden">Direction</span>
                </th>
                <th>Service</th>
                <th className="num">Calls</th>
                <th className="num">p99</th>
                <th className="num">Error rate</th>
              </tr>
            </thead>
            <tbody>
              {data.downstream.map((c) => (
                <CallRow key={`down-${c.service}`} direction="downstream" call={c} seconds={coveredSeconds} />
              ))}
              {data.upstream.map((c) => (
                <CallRow key={`up-${c.service}`} direction="upstream" call={c} seconds={coveredSeconds} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * `downstream`: this service calls `call.service`; `upstream`: `call.service` calls this one. The rate is over
 * `seconds` (the service's covered time); the API's rate over the whole range where it has no RED data, and
 * none shown until the covered time is read (the whole range's would flash a wrong figure first).
 */
function CallRow({
  direction,
  call,
  seconds,
}: {
  direction: 'downstream' | 'upstream';
  call: CallStats;
  seconds: number | null;
}) {
  const rate = seconds === null ? null : seconds > 0 ? call.count / seconds : call.rate;
  return (
    <tr>
      <td className="muted direction">{direction === 'downstream' ? 'calls →' : '← called by'}</td>
      <td>
        <ServiceLink service={call.service} />
      </td>
      <td className="num">
        {formatCount(call.count)} {rate !== null && <span className="muted">({formatRate(rate)})</span>}
      </td>
      <td className="num">{formatMs(call.p99)}</td>
      <td className="num">{formatPercent(call.errorRate)}</td>
    </tr>
  );
}
