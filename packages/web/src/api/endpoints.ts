import {
  CallsResponseSchema,
  HealthResponseSchema,
  MetricsResponseSchema,
  OverviewResponseSchema,
  RedResponseSchema,
  SeriesResponseSchema,
  ServicesResponseSchema,
} from '@pulseboard/shared';
import { getJson, queryString, sendJson } from './client.ts';

/** A resolved time window in epoch ms. */
export interface Window {
  from: number;
  to: number;
}

/** `null` services means every service. */
export type Services = readonly string[] | null;

export const fetchServices = (signal?: AbortSignal) => getJson('/api/v1/services', ServicesResponseSchema, signal);

/** Deletes a service and all its stored data (an admin session). */
export const deleteService = (name: string): Promise<void> =>
  sendJson('DELETE', `/api/v1/services/${encodeURIComponent(name)}`);

export const fetchOverview = (w: Window, services: Services, signal?: AbortSignal) =>
  getJson(`/api/v1/overview${queryString({ ...w, service: services })}`, OverviewResponseSchema, signal);

export interface RedParams extends Window {
  services: Services;
  maxPoints: number;
  groupBy?: 'route';
  /** Adds the selected services merged by the server (`{"total":true,"points"}`). */
  total?: boolean;
}

export const fetchRed = ({ services, total, ...rest }: RedParams, signal?: AbortSignal) =>
  getJson(
    `/api/v1/red${queryString({ ...rest, service: services, total: total ? 'true' : undefined })}`,
    RedResponseSchema,
    signal,
  );

export const fetchHealth = (w: Window & { maxPoints: number }, signal?: AbortSignal) =>
  getJson(`/api/v1/health${queryString({ ...w })}`, HealthResponseSchema, signal);

export const fetchMetrics = (service: string, signal?: AbortSignal) =>
  getJson(`/api/v1/metrics${queryString({ service })}`, MetricsResponseSchema, signal);

export interface SeriesParams extends Window {
  metric: string;
  services: Services;
  stat: string;
  maxPoints: number;
}

export const fetchSeries = ({ services, ...rest }: SeriesParams, signal?: AbortSignal) =>
  getJson(`/api/v1/series${queryString({ ...rest, service: services })}`, SeriesResponseSchema, signal);

/** A service's calls to and from other services over the window (from spans). */
export const fetchCalls = (w: Window, service: string, signal?: AbortSignal) =>
  getJson(`/api/v1/calls${queryString({ ...w, service })}`, CallsResponseSchema, signal);
