import {
  type Alert,
  AlertSchema,
  AlertsResponseSchema,
  type Rule,
  type RuleInput,
  RuleSchema,
  RulesResponseSchema,
  type Silence,
  type SilenceInput,
  SilenceSchema,
  SilencesResponseSchema,
} from '@pulseboard/shared';
import { getJson, queryString, sendJson } from './client.ts';

/** Firing, pending and the most recently resolved alerts (the panel orders them). */
export async function fetchAlerts(signal?: AbortSignal): Promise<Alert[]> {
  const body = await getJson(`/api/v1/alerts${queryString({ state: 'all', limit: 20 })}`, AlertsResponseSchema, signal);
  return body.alerts;
}

const at = (kind: string, id: string) => `/api/v1/${kind}/${encodeURIComponent(id)}`;

export const ackAlert = (id: string, by: string): Promise<Alert> =>
  sendJson('POST', `${at('alerts', id)}/ack`, { by }, AlertSchema);

export async function fetchRules(signal?: AbortSignal): Promise<Rule[]> {
  return (await getJson('/api/v1/rules', RulesResponseSchema, signal)).rules;
}

export const createRule = (rule: RuleInput): Promise<Rule> => sendJson('POST', '/api/v1/rules', rule, RuleSchema);
export const updateRule = (id: string, rule: RuleInput): Promise<Rule> =>
  sendJson('PUT', at('rules', id), rule, RuleSchema);
export const deleteRule = (id: string): Promise<void> => sendJson('DELETE', at('rules', id));

export async function fetchSilences(signal?: AbortSignal): Promise<Silence[]> {
  return (await getJson('/api/v1/silences', SilencesResponseSchema, signal)).silences;
}

export const createSilence = (input: SilenceInput): Promise<Silence> =>
  sendJson('POST', '/api/v1/silences', input, SilenceSchema);
export const deleteSilence = (id: string): Promise<void> => sendJson('DELETE', at('silences', id));
