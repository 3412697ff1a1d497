import { describe, expect, it } from 'vitest';
import { listenNotice } from './auth/config-options.ts';
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

  it('takes the memory limits and the request timeout from flags and env', () => {
    const config = parseConfig(['--max-series', '500', '--max-series-bytes', '2KiB', '--request-timeout', '5s'], {
      PULSEBOARD_MAX_SERVICES: '20',
      PULSEBOARD_MAX_INFLIGHT_BYTES: '8MiB',
    });
    expect(config).toMatchObject({
      maxSeries: 500,
      maxServices: 20,
      maxSeriesBytes: 2048,
      maxInflightBytes: 8 * 1024 ** 2,
      requestTimeoutMs: 5_000,
    });
    expect(() => parseConfig(['--max-series', '0'], {})).toThrow(/^--max-series: must be a whole number/);
  });

  it('takes the Redis bus from --redis or PULSEBOARD_REDIS; without it, one instance alone', () => {
    expect(parseConfig([], {}).redis).toBeNull();
    const config = parseConfig(['--redis-frame-wait', '2s'], { PULSEBOARD_REDIS: 'redis://cache:6379/2' });
    expect(config.redis).toBe('redis://cache:6379/2');
    expect(config.redisFrameWaitMs).toBe(2000);
    expect(config.redisPrefix).toBe('pulseboard');
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
      [['--redis', 'http://cache:6379'], {}, /^--redis: must start with redis:\/\/ or rediss:\/\//],
      [[], { PULSEBOARD_REDIS: 'cache:6379' }, /^PULSEBOARD_REDIS: must/],
      [['--redis-prefix', 'a b'], {}, /^--redis-prefix: must be 1 to 64 letters/],
      [['--redis-frame-wait', '1m'], {}, /^--redis-frame-wait: must be a duration from 0ms to 10s/],
    ];
    for (const [argv, env, message] of cases) {
      expect(() => parseConfig(argv, env)).toThrow(ConfigError);
      expect(() => parseConfig(argv, env)).toThrow(message);
    }
  });
});

describe('parseConfig: keys and exposure', () => {
  const KEY_A = 'aaaaaaaaaaaaaaaa1';
  const KEY_B = 'bbbbbbbbbbbbbbbb2';
  const KEY_C = 'cccccccccccccccc3';

  it('takes each key flag several times and the env variables as comma-separated lists', () => {
    const config = parseConfig(['--read-key', KEY_A, '--read-key', `ops:${KEY_B}`], {
      PULSEBOARD_INGEST_KEYS: `${KEY_C}, `,
      PULSEBOARD_READ_KEYS: 'dddddddddddddddd4',
    });
    expect(config.keys).toEqual([
      { role: 'ingest', secret: KEY_C, label: null },
      // The flags replace the env variable's read keys rather than adding to them.
      { role: 'read', secret: KEY_A, label: null },
      { role: 'read', secret: KEY_B, label: 'ops' },
    ]);
    expect(parseConfig([], { PULSEBOARD_ADMIN_KEYS: `${KEY_A},${KEY_B}` }).keys.map((k) => k.role)).toEqual([
      'admin',
      'admin',
    ]);
  });

  it('listens on 127.0.0.1 without keys and on every interface with keys unless --host says otherwise', () => {
    expect(parseConfig([], {}).host).toBe('127.0.0.1');
    expect(parseConfig(['--admin-key', KEY_A], {}).host).toBe('0.0.0.0');
    expect(parseConfig(['--admin-key', KEY_A, '--host', '127.0.0.1'], {}).host).toBe('127.0.0.1');
    expect(parseConfig(['--host', '::1'], {}).host).toBe('::1');
  });

  it('refuses to listen beyond loopback without keys unless --allow-unauthenticated is given', () => {
    expect(() => parseConfig(['--host', '0.0.0.0'], {})).toThrow(
      /listening on 0\.0\.0\.0 .* without keys would let anyone on the network .* --allow-unauthenticated/,
    );
    expect(() => parseConfig([], { PULSEBOARD_HOST: '192.168.1.5' })).toThrow(ConfigError);
    // The names the Docker image uses.
    const env = { PULSEBOARD_HOST: '0.0.0.0', PULSEBOARD_ALLOW_UNAUTHENTICATED: 'true' };
    expect(parseConfig([], env)).toMatchObject({ host: '0.0.0.0', allowUnauthenticated: true });
    expect(parseConfig(['--host', '0.0.0.0', '--allow-unauthenticated'], {}).host).toBe('0.0.0.0');
  });

  it('takes allowed origins and hosts, several of each', () => {
    const config = parseConfig(['--allowed-origin', 'http://localhost:5173', '--allowed-host', 'Dash.Example.com'], {
      PULSEBOARD_ALLOWED_ORIGINS: 'https://a.example,https://b.example',
      PULSEBOARD_ALLOWED_HOSTS: 'x.example',
    });
    expect(config.allowedOrigins).toEqual(['http://localhost:5173']);
    expect(config.allowedHosts).toEqual(['dash.example.com']);
    expect(
      parseConfig([], { PULSEBOARD_ALLOWED_ORIGINS: 'https://a.example,https://b.example/' }).allowedOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });

  it('stops on a bad key, origin or host with a message naming it', () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--read-key', 'short'], {}, /^--read-key: a key must be 16\.\.512 characters/],
      [['--admin-key', `bad label:${KEY_A}`], {}, /^--admin-key: a label before ":"/],
      [[], { PULSEBOARD_INGEST_KEYS: `${KEY_A},x` }, /^PULSEBOARD_INGEST_KEYS: a key must be/],
      [['--read-key', KEY_A, '--admin-key', KEY_A], {}, /the same key is given twice/],
      [['--allowed-origin', 'localhost:5173'], {}, /^--allowed-origin: must be an origin/],
      [['--allowed-origin', 'https://a.example/path'], {}, /^--allowed-origin: must be an origin/],
      [['--allowed-host', 'https://a.example'], {}, /^--allowed-host: must be a host name/],
      [['--read-key'], {}, /^--read-key needs a value/],
    ];
    for (const [argv, env, message] of cases) expect(() => parseConfig(argv, env)).toThrow(message);
  });

  it('says at start who can reach the server, warning when it is open without keys', () => {
    expect(listenNotice(parseConfig([], {}))).toEqual({
      warn: false,
      message: 'no keys configured: listening on 127.0.0.1 only (this machine); configure keys to serve a network',
    });
    expect(listenNotice(parseConfig(['--read-key', KEY_A, '--admin-key', KEY_B], {})).message).toBe(
      'keys on (0 ingest, 1 read, 1 admin): listening on 0.0.0.0',
    );
    const open = listenNotice(parseConfig(['--host', '0.0.0.0', '--allow-unauthenticated'], {}));
    expect(open.warn).toBe(true);
    expect(open.message).toMatch(/^--allow-unauthenticated: listening on 0\.0\.0\.0 without keys; anyone .* port 3000/);
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
