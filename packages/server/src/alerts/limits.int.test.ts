import type { ErrorBody, Rule, Silence } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../config.ts';
import { getJson, startTestApp } from '../testing/test-app.ts';

const NOW = 1_800_000_000_000;

describe('alert rule and silence limits', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('refuses an API rule past --max-rules with 409 naming the limit, and takes one again after a delete', async () => {
    const { app } = await setup({ maxRules: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/rules', payload: rule(`r${i}`) });
      expect(res.statusCode).toBe(201);
      ids.push((res.json() as Rule).id);
    }
    const over = await app.inject({ method: 'POST', url: '/api/v1/rules', payload: rule('r2') });
    expect(over.statusCode).toBe(409);
    expect(over.json()).toEqual({
      code: 'PULSE_ERR_LIMIT_REACHED',
      message: expect.stringMatching(/^rules: 2 rules made over the API, the limit \(--max-rules 2\)/),
    });
    expect((await getJson<{ rules: Rule[] }>(app, '/api/v1/rules')).body.rules).toHaveLength(2);
    // Editing an existing rule is not adding one.
    expect((await app.inject({ method: 'PUT', url: `/api/v1/rules/${ids[0]}`, payload: rule('r0b') })).statusCode).toBe(
      200,
    );
    await app.inject({ method: 'DELETE', url: `/api/v1/rules/${ids[1]}` });
    expect((await app.inject({ method: 'POST', url: '/api/v1/rules', payload: rule('r3') })).statusCode).toBe(201);
  });

  it('refuses a silence past --max-silences with 409 naming the limit; ended or deleted ones free a place', async () => {
    const { app, clock } = await setup({ maxSilences: 2 });
    const silence = (duration: string) =>
      app.inject({ method: 'POST', url: '/api/v1/silences', payload: { service: 'checkout', duration } });
    const short = (await silence('1m')).json() as Silence;
    const long = (await silence('1h')).json() as Silence;
    const over = await silence('1h');
    expect(over.statusCode).toBe(409);
    expect((over.json() as ErrorBody).message).toMatch(
      /^silences: 2 silences are active, the limit \(--max-silences 2\)/,
    );
    expect((await getJson<{ silences: Silence[] }>(app, '/api/v1/silences')).body.silences).toHaveLength(2);
    // The 1m silence ends: its place is free.
    clock.now = NOW + 61_000;
    expect((await silence('1h')).statusCode).toBe(201);
    expect((await silence('1h')).statusCode).toBe(409);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/silences/${long.id}` })).statusCode).toBe(204);
    expect((await silence('1h')).statusCode).toBe(201);
    const listed = (await getJson<{ silences: Silence[] }>(app, '/api/v1/silences')).body.silences;
    expect(listed.map((s) => s.id)).not.toContain(short.id);
    expect(listed.map((s) => s.id)).not.toContain(long.id);
    expect(listed).toHaveLength(2);
  });

  async function setup(overrides: Partial<Config>) {
    const clock = { now: NOW };
    const handle = await startTestApp({ defaultRules: false, ...overrides }, () => clock.now);
    close = () => handle.app.close();
    return { app: handle.app as FastifyInstance, clock };
  }
});

function rule(name: string) {
  return {
    name,
    service: 'checkout',
    signal: 'p99',
    condition: { type: 'threshold', op: '>', value: 250 },
    window: '1m',
    severity: 'warning',
  };
}
