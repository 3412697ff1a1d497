import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RedResponse } from '@pulseboard/shared';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { seriesKey } from '../../model.ts';
import { encodeSketch } from '../../sketch/codec.ts';
import { Sketch } from '../../sketch/sketch.ts';
import { getJson, ingest, startTestApp } from '../../testing/test-app.ts';
import { MIGRATIONS } from './migrations.ts';

const NOW = 1_800_000_000_000 - (1_800_000_000_000 % 3_600_000);
const MIN = 60_000;

describe('migrations', () => {
  it('upgrade a database made by the first migration to the latest, keeping its data', async () => {
    // A database as the first release left it: only migration 1, one service with a minute of requests.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-migrations-'));
    const file = path.join(dir, 'old.db');
    const old = new Database(file);
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    const t = NOW - 30 * MIN;
    const sketch = new Sketch();
    for (let i = 0; i < 120; i++) sketch.add(10 + (i % 40));
    const identity = { service: 'legacy', name: 'http.server.request.duration', attributes: {} };
    old.prepare('INSERT INTO services VALUES (?, ?, ?)').run('legacy', t, t + MIN);
    old
      .prepare(
        'INSERT INTO series (key, service, name, kind, unit, attributes, red, route, is_error) VALUES (?,?,?,?,?,?,?,?,?)',
      )
      .run(seriesKey(identity), 'legacy', identity.name, 'histogram', 'ms', '{}', 1, null, 0);
    // The minute tier holds the minute; the tiers below it have long dropped it.
    old.prepare('INSERT INTO red_service_60000 VALUES (?, ?, ?, ?, ?)').run('legacy', t, 120, 6, encodeSketch(sketch));
    old.close();

    const { app } = await startTestApp({ db: file }, () => NOW);
    try {
      const upgraded = new Database(file, { readonly: true });
      expect(upgraded.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      upgraded.close();
      const red = await getJson<RedResponse>(app, `/api/v1/red?service=legacy&from=${t}&to=${t + MIN}&maxPoints=1`);
      expect(red.status).toBe(200);
      expect(red.body.series[0]!.points[0]).toMatchObject({ t, count: 120, rate: 2, errorRate: 0.05 });
      // The series registry was loaded from the old table: the same series goes on without a type conflict.
      const more = await ingest(app, [{ ...identity, type: 'histogram', value: 12, timestamp: NOW - 1000 }]);
      expect(more.status).toBe(202);
    } finally {
      await app.close();
    }
  });
});
