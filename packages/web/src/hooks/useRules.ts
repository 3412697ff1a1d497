import type { Rule, Silence } from '@pulseboard/shared';
import { fetchRules, fetchSilences } from '../api/alerts.ts';
import { type LiveQuery, useLiveQuery } from './useLiveQuery.ts';

/** The rules with their open alert counts; reloaded every 15 s and on `retry` (after a change). */
export const useRules = (): LiveQuery<Rule[]> =>
  useLiveQuery({ key: 'rules', load: (signal) => fetchRules(signal), refreshMs: 15_000 });

export const useSilences = (): LiveQuery<Silence[]> =>
  useLiveQuery({ key: 'silences', load: (signal) => fetchSilences(signal), refreshMs: 30_000 });
