import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from './testing/test-app.ts';

describe('text no store can keep, in a request', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('is refused with 400 naming the field: NUL in a query, a path or a body, a lone surrogate in a body', async () => {
    const { app } = await startTestApp({}, () => 1_800_000_000_000);
    close = () => app.close();
    const cases = [
      { method: 'GET', url: '/api/v1/red?service=a%00b', field: 'service', code: 'PULSE_ERR_NUL_CHARACTER' },
      { method: 'GET', url: '/api/v1/alerts/a%00b', field: 'id', code: 'PULSE_ERR_NUL_CHARACTER' },
      { method: 'DELETE', url: '/api/v1/services/a%00b', field: 'name', code: 'PULSE_ERR_NUL_CHARACTER' },
      {
        method: 'POST',
        url: '/api/v1/silences',
        payload: { service: 's\u0000', duration: '1h' },
        field: 'service',
        code: 'PULSE_ERR_NUL_CHARACTER',
      },
      {
        method: 'POST',
        url: '/api/v1/rules',
        payload: '{"name":"x\\ud800","service":"s","signal":"rate","condition":{"type":"absent"},"window":"1m"}',
        field: 'name',
        code: 'PULSE_ERR_INVALID_TEXT',
      },
    ] as const;
    for (const { method, url, field, code, ...rest } of cases) {
      const payload = 'payload' in rest ? rest.payload : undefined;
      const res = await app.inject({
        method,
        url,
        ...(payload !== undefined ? { payload, headers: { 'content-type': 'application/json' } } : {}),
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ code, message: expect.stringMatching(new RegExp(`^${field}: `)) });
    }
    // Text that is fine passes: a tab and an emoji in a silence's comment.
    const fine = await app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: { service: 's', duration: '1h', comment: 'deploy\t\ud83d\ude80' },
    });
    expect(fine.statusCode).toBe(201);
  });
});
