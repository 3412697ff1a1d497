import { describe, expect, it } from 'vitest';
import { createMetrics } from '../metrics.ts';
import { Auth } from './auth.ts';
import type { Principal, SharedSessions } from './sessions.ts';

const READ = 'read-key-0123456789';
const KEYS = [{ role: 'read' as const, secret: READ, label: null }];

/**
 * A shared store in memory whose lookups read at once but answer only on `release()`, as a Redis reply may
 * arrive after a logout message published later.
 */
function slowStore() {
  const sessions = new Map<string, Principal>();
  const listeners: ((digest: string) => void)[] = [];
  const held: (() => void)[] = [];
  let loads = 0;
  const store: SharedSessions = {
    save: async (digest, principal) => void sessions.set(digest, principal),
    load: (digest) => {
      loads += 1;
      const principal = sessions.get(digest);
      return new Promise((resolve) => held.push(() => resolve(principal ? { principal, ttlMs: 60_000 } : null)));
    },
    end: async (digest) => {
      sessions.delete(digest);
      for (const listener of listeners) listener(digest);
    },
    onEnded: (listener) => void listeners.push(listener),
  };
  const release = () => {
    for (const answer of held.splice(0)) answer();
  };
  return { store, release, loads: () => loads };
}

const instance = (store: SharedSessions) =>
  new Auth({ keys: KEYS, now: () => 0, metrics: createMetrics(), shared: store });

describe('Auth with shared sessions', () => {
  it('finds a session opened on another instance, and keeps it', async () => {
    const { store, release, loads } = slowStore();
    const { id } = await instance(store).login(READ, '10.0.0.1');
    const other = instance(store);
    // Two requests at once with the cookie: one lookup.
    const lookups = [other.fromSession(id), other.fromSession(id)];
    release();
    expect(await Promise.all(lookups)).toEqual([
      { role: 'read', label: null },
      { role: 'read', label: null },
    ]);
    // Kept: answered without the store.
    expect(await other.fromSession(id)).toEqual({ role: 'read', label: null });
    expect(loads()).toBe(1);
  });

  it('does not keep a session whose logout came while it was being looked up', async () => {
    const { store, release } = slowStore();
    const opener = instance(store);
    const { id } = await opener.login(READ, '10.0.0.1');
    const other = instance(store);
    const lookup = other.fromSession(id);
    await opener.endSession(id);
    release();
    expect(await lookup).toBeNull();
    const again = other.fromSession(id);
    release();
    expect(await again).toBeNull();
  });
});
