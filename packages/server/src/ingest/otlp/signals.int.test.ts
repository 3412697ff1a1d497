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
});
