import { type Alert, AlertsResponseSchema } from '@pulseboard/shared';
import { getJson, queryString } from './client.ts';

/** Firing (by severity), then pending, then the most recently resolved alerts. */
export async function fetchAlerts(signal?: AbortSignal): Promise<Alert[]> {
  const body = await getJson(`/api/v1/alerts${queryString({ state: 'all', limit: 20 })}`, AlertsResponseSchema, signal);
  return body.alerts;
}
