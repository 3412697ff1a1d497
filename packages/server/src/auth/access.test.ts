import { describe, expect, it } from 'vitest';
import { allows, requiredAccess } from './access.ts';
import { actorName } from './identity.ts';
import { KeyRing } from './keyring.ts';

describe('requiredAccess', () => {
  it('leaves health, readiness, the page files and the login public', () => {
    for (const route of ['/healthz', '/readyz', '/', '/index.html', '/*', '/assets/index-abc.js']) {
      expect(requiredAccess('GET', route)).toBe('public');
    }
    for (const method of ['GET', 'POST', 'DELETE']) expect(requiredAccess(method, '/api/v1/session')).toBe('public');
  });

  it('needs ingest for the ingest routes, read for other reads, admin for any other change', () => {
    for (const route of ['/api/v1/metrics', '/v1/metrics', '/v1/traces', '/v1/logs']) {
      expect(requiredAccess('POST', route)).toBe('ingest');
    }
    for (const route of ['/api/v1/red', '/api/v1/live', '/metrics', '/docs', '/docs/json', undefined]) {
      expect(requiredAccess('GET', route)).toBe('read');
    }
    expect(requiredAccess('DELETE', '/api/v1/services/:name')).toBe('admin');
    expect(requiredAccess('POST', '/api/v1/alerts/:id/ack')).toBe('admin');
    expect(requiredAccess('PUT', '/api/v1/rules/:id')).toBe('admin');
    expect(requiredAccess('POST', undefined)).toBe('admin');
  });

  it('lets admin do everything, and read and ingest only their own', () => {
    expect(allows('admin', 'ingest')).toBe(true);
    expect(allows('admin', 'read')).toBe(true);
    expect(allows('read', 'ingest')).toBe(false);
    expect(allows('ingest', 'read')).toBe(false);
    expect(allows('read', 'admin')).toBe(false);
  });
});

describe('KeyRing', () => {
  it('matches a presented key to its configured role and label, and nothing else', () => {
    const ring = new KeyRing([
      { role: 'read', secret: 'read-key-0123456789', label: 'wall' },
      { role: 'admin', secret: 'admin-key-0123456789', label: null },
    ]);
    expect(ring.enabled).toBe(true);
    expect(ring.match('read-key-0123456789')).toMatchObject({ role: 'read', label: 'wall' });
    expect(ring.match('admin-key-0123456789')?.role).toBe('admin');
    for (const wrong of ['', 'read-key-012345678', 'read-key-01234567890', 'READ-KEY-0123456789']) {
      expect(ring.match(wrong)).toBeNull();
    }
    expect(new KeyRing([]).enabled).toBe(false);
  });
});

describe('actorName', () => {
  it('records the key role and label beside a typed name when keys are on', () => {
    expect(actorName({ role: 'admin', label: 'ops' }, 'alice')).toBe('alice (admin key "ops")');
    expect(actorName({ role: 'admin', label: null }, undefined)).toBe('admin key');
    expect(actorName(null, 'alice')).toBe('alice');
  });
});
