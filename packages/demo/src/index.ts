export { countObservations, type Encoding, encodingFor, FORMATS, type Format, type Outcome } from './encodings.ts';
export { DEFAULT_DAY_LENGTH_MS, DemoGenerator, type DemoGeneratorOptions, METHOD_ATTR } from './generator.ts';
export {
  INCIDENT_KINDS,
  INCIDENT_SLOT_MS,
  type Incident,
  type IncidentKind,
  IncidentSchedule,
  type IncidentScheduleOptions,
  incidentsBetween,
} from './incidents.ts';
export { PEAK_PHASE, type Spike, TROUGH_SHARE } from './model.ts';
export {
  buildExportRequest,
  DURATION_BOUNDS_S,
  type ExportMetricsServiceRequest,
  type HistogramDataPoint,
} from './otlp/model.ts';
export { decodeExportResponse, encodeExportRequest } from './otlp/protobuf.ts';
export { type RouteProfile, SERVICES, type ServiceProfile, TOTAL_PEAK_RPS } from './profiles.ts';
export type { LatencyPair } from './strata.ts';
export type { GaugeBucket, RequestBucket, Summary } from './summarize.ts';
