import type { AlertsQuery } from '../hooks/useAlerts.ts';
import type { Navigate } from '../hooks/useView.ts';
import type { ViewState } from '../state/view.ts';
import type { PageConfig } from '../theme/page-config.ts';

export interface PageProps {
  view: ViewState;
  navigate: Navigate;
  alerts: AlertsQuery;
  onZoom: (from: number, to: number) => void;
  config: PageConfig;
}
