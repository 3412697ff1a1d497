import { describe, expect, it } from 'vitest';
import { startTestApp } from '../../testing/test-app.ts';
import { readResponse } from './test-encoder.ts';

const NOW = 1_795_881_944_000;
const PROTOBUF_TYPE = { 'content-type': 'application/x-protobuf' };

describe('POST /v1/logs', () => {
  it('refuses every log record with a partialSuccess that says only metrics are stored', async () => {
    const { app } = await startTestApp({}, () => NOW);
    // ExportLogsServiceRequest { resource_logs = 1 { scope_logs = 2 { log_records = 2 {} x2 } } }
    const logs = Buffer.from([0x0a, 0x06, 0x12, 0x04, 0x12, 0x00, 0x12, 0x00]);
    const res = await app.inject({ method: 'POST', url: '/v1/logs', headers: PROTOBUF_TYPE, payload: logs });
    expect(readResponse(res.rawPayload)).toMatchObject({
      rejected: 2,
      message: expect.stringContaining('log records'),
    });
    await app.close();
  });

  it('counts JSON log records too, and answers a body that is not JSON with 400', async () => {
    const { app } = await startTestApp({}, () => NOW);
    const records = (n: number) => ({ scopeLogs: [{ logRecords: Array.from({ length: n }, () => ({})) }] });
    const post = (payload: string) =>
      app.inject({ method: 'POST', url: '/v1/logs', headers: { 'content-type': 'application/json' }, payload });
    const res = await post(JSON.stringify({ resourceLogs: [records(3), records(4)] }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ partialSuccess: { rejectedLogRecords: '7' } });
    const bad = await post('{"resourceLogs": [');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 3, message: expect.stringContaining('not valid JSON') });
    await app.close();
  });
});
