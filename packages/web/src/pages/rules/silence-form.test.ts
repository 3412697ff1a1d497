import { describe, expect, it } from 'vitest';
import { checkSilence, EMPTY_SILENCE } from './silence-form.ts';

describe('silence form', () => {
  it('needs a rule or a service', () => {
    expect(checkSilence(EMPTY_SILENCE, '')).toEqual({ field: 'ruleId', message: 'give a rule, a service, or both' });
  });

  it('names a bad duration', () => {
    expect(checkSilence({ ...EMPTY_SILENCE, service: 'checkout', duration: 'an hour' }, '')).toMatchObject({
      field: 'duration',
    });
  });

  it('sends only what was filled in, with who made it', () => {
    expect(checkSilence({ ...EMPTY_SILENCE, ruleId: 'r1', comment: ' deploy ' }, 'ana')).toEqual({
      ok: true,
      input: { ruleId: 'r1', duration: '1h', comment: 'deploy', createdBy: 'ana' },
    });
  });
});
