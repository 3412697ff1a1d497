import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseEncoding, loadAssets } from './assets.ts';

describe('loadAssets', () => {
  it('holds the compressed copies, and the plain bytes only of a file that has none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-assets-'));
    try {
      fs.writeFileSync(path.join(dir, 'app.js'), 'console.log(1)');
      fs.writeFileSync(path.join(dir, 'app.js.gz'), 'gz');
      fs.writeFileSync(path.join(dir, 'logo.png'), 'png');
      const assets = loadAssets(dir);
      expect([...assets.keys()].sort()).toEqual(['app.js', 'logo.png']);
      expect(assets.get('app.js')).toMatchObject({ identity: path.join(dir, 'app.js'), gzip: Buffer.from('gz') });
      expect(assets.get('logo.png')).toMatchObject({ type: 'image/png', identity: Buffer.from('png') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('chooseEncoding', () => {
  const both = ['br', 'gzip'] as const;

  it('prefers brotli, then gzip, then none, as a browser accepts them', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd', both)).toBe('br');
    expect(chooseEncoding('gzip, deflate', both)).toBe('gzip');
    expect(chooseEncoding('deflate', both)).toBeNull();
    expect(chooseEncoding(undefined, both)).toBeNull();
    expect(chooseEncoding('', both)).toBeNull();
  });

  it('honours q=0 refusals and the * wildcard', () => {
    expect(chooseEncoding('br;q=0, gzip', both)).toBe('gzip');
    expect(chooseEncoding('BR;Q=0, *', both)).toBe('gzip');
    expect(chooseEncoding('*', both)).toBe('br');
    expect(chooseEncoding('*;q=0', both)).toBeNull();
    expect(chooseEncoding('identity', both)).toBeNull();
  });

  it('only offers the copies there are', () => {
    expect(chooseEncoding('br, gzip', ['gzip'])).toBe('gzip');
    expect(chooseEncoding('br', ['gzip'])).toBeNull();
    expect(chooseEncoding('br, gzip', [])).toBeNull();
  });
});
