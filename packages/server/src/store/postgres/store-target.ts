// TEMPORARY: the async Store interface of branch async-store, until it is merged (then `Store` from ../store.ts).

import type { Alert, RuleBody, Silence } from '@pulseboard/shared';
import type { TierIndex } from '../../model.ts';
import type { AlertQuery, StoredRule } from '../alert-store.ts';
import type {
  Appender,
  BuildPart,
  CumulativeState,
  RedBucket,
  RedRead,
  SampleBucket,
  SeriesRecord,
  ServiceRecord,
} from '../store.ts';

export interface Store {
  loadSeries(): AsyncIterable<SeriesRecord>;
  loadCumulativeState(): Promise<CumulativeState[]>;
  forgetCumulativeBefore(time: number): Promise<number>;
  appender(): Appender;
  readRed(read: RedRead): Promise<RedBucket[]>;
  readSamples(tier: TierIndex, seriesIds: readonly number[], from: number, to: number): Promise<SampleBucket[]>;
  services(): Promise<ServiceRecord[]>;
  deleteService(name: string): Promise<boolean>;
  buildBuckets(tier: TierIndex, from: number, to: number, part: BuildPart): Promise<void>;
  markBuilt(tier: TierIndex, t: number): Promise<void>;
  loadDirty(): Promise<[number, number][]>;
  expire(tier: TierIndex, cutoff: number, seriesIds: readonly number[], services: readonly string[]): Promise<number>;
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
  sharedSeries?: SharedSeries;
}

export interface SharedSeries {
  after(id: number): AsyncIterable<SeriesRecord>;
  onAssigned: ((assigned: readonly [record: SeriesRecord, id: number][]) => void) | null;
}

export interface AlertStore {
  listRules(): Promise<StoredRule[]>;
  insertRule(rule: StoredRule): Promise<void>;
  updateRule(id: string, body: RuleBody, updatedAt: number): Promise<boolean>;
  deleteRule(id: string): Promise<boolean>;
  saveAlert(alert: Alert): Promise<void>;
  deleteAlert(id: string): Promise<void>;
  getAlert(id: string): Promise<Alert | null>;
  openAlerts(): Promise<Alert[]>;
  alerts(query: AlertQuery): Promise<Alert[]>;
  acknowledge(id: string, by: string, at: number): Promise<Alert | null>;
  pruneResolved(before: number): Promise<number>;
  insertSilence(silence: Silence): Promise<void>;
  deleteSilence(id: string): Promise<boolean>;
  activeSilences(now: number): Promise<Silence[]>;
  pruneSilences(before: number): Promise<number>;
}
