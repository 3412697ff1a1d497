import type { Alert } from '@pulseboard/shared';
import type { LiveQuery } from '../hooks/useLiveQuery.ts';
import type { Navigate } from '../hooks/useView.ts';
import type { ViewState } from '../state/view.ts';
import type { PageConfig } from '../theme/page-config.ts';

export interface PageProps {
  view: ViewState;
  navigate: Navigate;
  alerts: LiveQuery<Alert[]>;
  onZoom: (from: number, to: number) => void;
  config: PageConfig;
}
