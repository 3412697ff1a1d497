import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('parseConfig', () => {
  it('defaults to port 3000, a SQLite file under ./data and the demo on', () => {
    const config = parseConfig([], {});
    expect(config).toMatchObject({
      port: 3000,
      db: './data/pulseboard.db',
      demo: true,
      retentionMs: [3_600_000, 86_400_000, 2_592_000_000, 34_560_000_000],
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes flags over env over defaults', () => {
    const config = parseConfig(['--port', '4000', '--db=./x.db'], {
      PULSEBOARD_PORT: '5000',
      PULSEBOARD_DEMO: 'false',
      PULSEBOARD_RETENTION_1S: '2h',
    });
    expect(config).toMatchObject({ port: 4000, db: './x.db', demo: false });
    expect(config.retentionMs[0]).toBe(7_200_000);
    expect(parseConfig(['--no-demo'], {}).demo).toBe(false);
    expect(parseConfig(['--no-default-rules', '--rules', './rules.yaml'], {})).toMatchObject({
      defaultRules: false,
      rulesFile: './rules.yaml',
    });
    expect(parseConfig([], { PULSEBOARD_DEFAULT_RULES: 'false', PULSEBOARD_RULES: 'r.json' })).toMatchObject({
      defaultRules: false,
      rulesFile: 'r.json',
    });
  });

  it('stops on a bad value with a message naming the flag or variable', () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--port', 'http'], {}, /^--port: must be a whole number/],
      [[], { PULSEBOARD_PORT: '70000' }, /^PULSEBOARD_PORT: /],
      [['--retention-1m', 'forever'], {}, /^--retention-1m: must be a duration/],
      [['--body-limit', 'lots'], {}, /^--body-limit: /],
      [['--colour'], {}, /unknown option --colour/],
      [['--port'], {}, /^--port needs a value/],
      [['--retention-1s', '2d'], {}, /retention must not shrink/],
      [['--rules', ''], {}, /^--rules: must not be empty/],
      [[], { PULSEBOARD_DEFAULT_RULES: 'maybe' }, /^PULSEBOARD_DEFAULT_RULES: must be true or false/],
    ];
    for (const [argv, env, message] of cases) {
      expect(() => parseConfig(argv, env)).toThrow(ConfigError);
      expect(() => parseConfig(argv, env)).toThrow(message);
    }
  });
});

describe('--webhook-allow', () => {
  it('is repeatable, comma-separated in the env, the two adding up; none by default', () => {
    expect(parseConfig([], {}).webhookAllow).toEqual([]);
    const config = parseConfig(['--webhook-allow', '127.0.0.0/8', '--webhook-allow=fd00::/8'], {
      PULSEBOARD_WEBHOOK_ALLOW: '10.0.0.0/8, 192.168.1.10',
    });
    expect(config.webhookAllow).toEqual(['10.0.0.0/8', '192.168.1.10', '127.0.0.0/8', 'fd00::/8']);
  });

  it('stops on something that is not a CIDR block, naming it', () => {
    expect(() => parseConfig(['--webhook-allow', '127.0.0.0/33'], {})).toThrow(
      /^--webhook-allow: must be CIDR blocks like 10\.0\.0\.0\/8 or fd00::\/8, comma-separated \(got "127\.0\.0\.0\/33"\)/,
    );
    expect(() => parseConfig([], { PULSEBOARD_WEBHOOK_ALLOW: 'localhost' })).toThrow(/^PULSEBOARD_WEBHOOK_ALLOW: /);
  });
});
