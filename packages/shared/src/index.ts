export * from './alert-rules.ts';
export * from './alerts.ts';
export * from './errors.ts';
export * from './ingest.ts';
export * from './live.ts';
export * from './query.ts';
export * from './signal-format.ts';
export * from './time.ts';
