import type { RedSource, ServicesResponse } from '@pulseboard/shared';
import { lazy, Suspense, useCallback, useMemo } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner.tsx';
import { LiveToggle } from './components/controls/LiveToggle.tsx';
import { RangePicker } from './components/controls/RangePicker.tsx';
import { ServiceFilter } from './components/controls/ServiceFilter.tsx';
import { ThemeToggle } from './components/controls/ThemeToggle.tsx';
import { GetStarted } from './components/GetStarted.tsx';
import { useAlerts } from './hooks/useAlerts.ts';
import { useServices } from './hooks/useResources.ts';
import { useView } from './hooks/useView.ts';
import { LiveProvider, useLiveFeed } from './live/LiveProvider.tsx';
import { OverviewPage } from './pages/OverviewPage.tsx';
import { ServicePage } from './pages/ServicePage.tsx';
import { LogOutButton } from './session/LogOutButton.tsx';
import { viewUrl } from './state/view.ts';
import type { PageConfig } from './theme/page-config.ts';

// The rule editor loads when first opened: the overview paints without its code.
const RulesPage = lazy(() => import('./pages/RulesPage.tsx').then((m) => ({ default: m.RulesPage })));

export function App({ config }: { config: PageConfig }) {
  const { view } = useView();
  const page = view.page;
  // The socket carries what the page shows: one service, the selected ones, or all ("*").
  const live = useMemo(
    () => (page.name === 'service' ? [page.service] : view.services.length > 0 ? view.services : null),
    [page, view.services],
  );
  return (
    <LiveProvider services={live}>
      <Dashboard config={config} />
    </LiveProvider>
  );
}

function Dashboard({ config }: { config: PageConfig }) {
  const { view, zoomed, navigate, zoomOut } = useView();
  const feed = useLiveFeed();
  const alerts = useAlerts();
  const services = useServices();
  const names = useMemo(() => services.data?.services.map((s) => s.name) ?? [], [services.data]);
  // A server nothing has reported to yet: how to send data, instead of charts with nothing in them.
  const empty = services.status === 'ready' && names.length === 0;
  const onZoom = useCallback(
    (from: number, to: number) => navigate({ from: String(from), to: String(to) }, { zoom: true }),
    [navigate],
  );
  const pageProps = { view, navigate, alerts, onZoom, config };
  const onRules = view.page.name === 'rules';
  const rulesHref = viewUrl({ ...view, page: { name: 'rules' } });
  return (
    <>
      <header className="app-header">
        <h1>
          <a
            href="/"
            onClick={(e) => {
              e.preventDefault();
              navigate({ page: { name: 'overview' } });
            }}
          >
            Pulseboard
          </a>
        </h1>
        <nav className="controls" aria-label="View controls">
          <a
            href={rulesHref}
            className="nav-link"
            aria-current={onRules ? 'page' : undefined}
            onClick={(e) => {
              if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
              e.preventDefault();
              navigate({ page: { name: 'rules' } });
            }}
          >
            Rules
          </a>
          {!onRules && <RangePicker view={view} navigate={navigate} />}
          {zoomed && !onRules && (
            <button type="button" onClick={zoomOut}>
              ⤺ Zoom out
            </button>
          )}
          {view.page.name === 'overview' && (
            <ServiceFilter all={names} selected={view.services} onChange={(s) => navigate({ services: s })} />
          )}
          {!onRules && <LiveToggle view={view} navigate={navigate} now={() => feed.now()} />}
          <span className="spacer" />
          <ThemeToggle />
          <LogOutButton />
        </nav>
      </header>
      <ConnectionBanner />
      <main>
        {view.page.name === 'rules' ? (
          <Suspense fallback={<p className="loading">Loading…</p>}>
            <RulesPage services={names} />
          </Suspense>
        ) : view.page.name === 'service' ? (
          <ServicePage
            {...pageProps}
            service={view.page.service}
            redSource={redSourceOf(services.data?.services, view.page.service)}
            onDeleted={() => {
              const gone = view.page.name === 'service' ? view.page.service : '';
              services.retry();
              navigate({ page: { name: 'overview' }, services: view.services.filter((s) => s !== gone) });
            }}
          />
        ) : empty ? (
          <GetStarted recheck={services.retry} />
        ) : (
          <OverviewPage {...pageProps} />
        )}
      </main>
    </>
  );
}

/** Where the named service's RED comes from, once the service list has loaded. */
function redSourceOf(services: ServicesResponse['services'] | undefined, name: string): RedSource | undefined {
  return services?.find((s) => s.name === name)?.redSource;
}
