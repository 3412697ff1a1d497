import { describe, expect, it } from 'vitest';
import { SessionTable, sessionDigest } from './sessions.ts';

describe('SessionTable', () => {
  it('answers for a session until it expires or is closed', () => {
    const table = new SessionTable({ ttlMs: 1_000, maxSessions: 10 });
    const { id, maxAgeSeconds } = table.open({ role: 'read', label: null }, 0);
    expect(maxAgeSeconds).toBe(1);
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(table.get(sessionDigest(id), 999)).toEqual({ role: 'read', label: null });
    expect(table.get(sessionDigest(id), 1_000)).toBeNull();
    const other = table.open({ role: 'admin', label: 'ops' }, 0);
    table.close(sessionDigest(other.id));
    expect(table.get(sessionDigest(other.id), 1)).toBeNull();
    expect(table.get(sessionDigest('made-up'), 1)).toBeNull();
  });

  it('keeps at most maxSessions, dropping expired ones first, then the oldest', () => {
    const table = new SessionTable({ ttlMs: 1_000, maxSessions: 3 });
    const first = table.open({ role: 'read', label: null }, 0);
    const second = table.open({ role: 'read', label: null }, 500);
    table.open({ role: 'read', label: null }, 500);
    table.open({ role: 'read', label: null }, 1_200);
    expect(table.size).toBe(3);
    expect(table.get(sessionDigest(second.id), 1_200)).not.toBeNull();
    for (let i = 0; i < 10; i++) table.open({ role: 'read', label: null }, 1_300);
    expect(table.size).toBe(3);
    expect(table.get(sessionDigest(first.id), 1_300)).toBeNull();
  });

  it('when full, drops a session of the key that holds the most: logging in over and over evicts its own', () => {
    const table = new SessionTable({ ttlMs: 60_000, maxSessions: 100 });
    const admin = table.open({ role: 'admin', label: 'ops' }, 0);
    const reads = Array.from({ length: 10_000 }, () => table.open({ role: 'read', label: null }, 1));
    expect(table.size).toBe(100);
    expect(table.get(sessionDigest(admin.id), 2)).toEqual({ role: 'admin', label: 'ops' });
    expect(table.get(sessionDigest(reads.at(-1)!.id), 2)).not.toBeNull();
    expect(table.get(sessionDigest(reads[0]!.id), 2)).toBeNull();
    // A session closed, then kept again (another instance's), counts once.
    const again = table.open({ role: 'admin', label: 'ops' }, 3);
    table.keep(sessionDigest(again.id), { role: 'admin', label: 'ops' }, 60_000, 3);
    expect(table.size).toBe(100);
  });
});
