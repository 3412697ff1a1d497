import type { Role } from '@pulseboard/shared';
import type { Config, Option } from '../config.ts';
import { ConfigError } from '../config-error.ts';

/** One configured key: `--read-key ops:SECRET` gives the label `ops`, recorded on what the key changes. */
export interface ApiKey {
  role: Role;
  secret: string;
  label: string | null;
}

/** Keys are long random tokens without `:` (which separates an optional label) or separators. */
const KEY_PATTERN = /^[A-Za-z0-9._~+/=-]{16,512}$/;
const LABEL_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

function keyOption(flag: string, env: string, role: Role): Option {
  return {
    flag,
    env,
    parse: (text): ApiKey => {
      const colon = text.indexOf(':');
      const label = colon >= 0 ? text.slice(0, colon) : null;
      const secret = colon >= 0 ? text.slice(colon + 1) : text;
      if (label !== null && !LABEL_PATTERN.test(label)) {
        throw new ConfigError('a label before ":" must be 1..64 letters, digits, ".", "_" or "-"');
      }
      if (!KEY_PATTERN.test(secret)) {
        throw new ConfigError('a key must be 16..512 characters of letters, digits and . _ ~ + / = -');
      }
      return { role, secret, label };
    },
    apply: (c, v: ApiKey) => (c.keys = [...c.keys, v]),
    repeatable: { reset: (c) => (c.keys = c.keys.filter((k) => k.role !== role)) },
  };
}

function origin(text: string): string {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // reported below
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.origin !== text.replace(/\/$/, '')) {
    throw new ConfigError('must be an origin such as https://dash.example.com or http://localhost:5173');
  }
  return url.origin;
}

function hostName(text: string): string {
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/i.test(text)) {
    throw new ConfigError('must be a host name such as dash.example.com (no scheme or port)');
  }
  return text.toLowerCase();
}

/** Addresses only this machine can reach: listening there without keys exposes nothing. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `--ingest-key`, `--read-key`, `--admin-key` and the allowed origins and hosts. */
export const AUTH_OPTIONS: Option[] = [
  keyOption('ingest-key', 'PULSEBOARD_INGEST_KEYS', 'ingest'),
  keyOption('read-key', 'PULSEBOARD_READ_KEYS', 'read'),
  keyOption('admin-key', 'PULSEBOARD_ADMIN_KEYS', 'admin'),
  {
    flag: 'allowed-origin',
    env: 'PULSEBOARD_ALLOWED_ORIGINS',
    parse: origin,
    apply: (c, v: string) => (c.allowedOrigins = [...c.allowedOrigins, v]),
    repeatable: { reset: (c) => (c.allowedOrigins = []) },
  },
  {
    flag: 'allowed-host',
    env: 'PULSEBOARD_ALLOWED_HOSTS',
    parse: hostName,
    apply: (c, v: string) => (c.allowedHosts = [...c.allowedHosts, v]),
    repeatable: { reset: (c) => (c.allowedHosts = []) },
  },
];

/**
 * With keys and no `--host`, listen on every interface; without keys, anything but loopback needs
 * `--allow-unauthenticated`, so nobody serves their data to the network by leaving out a flag.
 */
export function checkExposure(config: Config, hostGiven: boolean): void {
  const secrets = new Set<string>();
  for (const key of config.keys) {
    if (secrets.has(key.secret)) throw new ConfigError('the same key is given twice (each key has one role)');
    secrets.add(key.secret);
  }
  if (config.keys.length > 0) {
    if (!hostGiven) config.host = '0.0.0.0';
    return;
  }
  if (!isLoopback(config.host) && !config.allowUnauthenticated) {
    throw new ConfigError(
      `listening on ${config.host} (--host, PULSEBOARD_HOST) without keys would let anyone on the network read, write and delete data: ` +
        'configure keys (--admin-key, --read-key, --ingest-key) or pass --allow-unauthenticated',
    );
  }
}

/** The start-up line that says who can reach the server: info when keys or loopback, a warning otherwise. */
export function listenNotice(config: Pick<Config, 'keys' | 'host' | 'port'>): { warn: boolean; message: string } {
  if (config.keys.length > 0) {
    const count = (role: Role) => config.keys.filter((k) => k.role === role).length;
    return {
      warn: false,
      message: `keys on (${count('ingest')} ingest, ${count('read')} read, ${count('admin')} admin): listening on ${config.host}`,
    };
  }
  if (isLoopback(config.host)) {
    return {
      warn: false,
      message: `no keys configured: listening on ${config.host} only (this machine); configure keys to serve a network`,
    };
  }
  return {
    warn: true,
    message:
      `--allow-unauthenticated: listening on ${config.host} without keys; anyone who can reach port ${config.port} ` +
      'can read all metrics, send data, delete services and change alert rules',
  };
}
