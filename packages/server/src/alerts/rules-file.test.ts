import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.ts';
import { loadRulesFile, MAX_RULES_FILE_BYTES } from './rules-file.ts';

describe('--rules file', () => {
  it('loads YAML rules read-only, with defaults filled in and stable ids', () => {
    const file = write(
      'rules.yaml',
      `rules:
  - name: Checkout p99 over 250 ms
    service: checkout
    signal: p99
    condition: { type: threshold, op: ">", value: 250, recovery: 200 }
    window: 1m
    for: 30s
    severity: critical
    notify: [{ type: slack, url: "https://hooks.example/T0/B0/x" }]
  - id: cpu
    name: CPU
    service: "*"
    signal: metric:process.cpu.utilization:avg
    condition: { type: threshold, op: ">", value: 0.9 }
    window: 1m
    severity: warning
`,
    );
    const rules = loadRulesFile(file, anywhere);
    expect(rules.map((r) => [r.id, r.source, r.readOnly, r.for, r.keepFiringFor])).toEqual([
      ['file-checkout-p99-over-250-ms', 'file', true, '30s', '0s'],
      ['cpu', 'file', true, '0s', '0s'],
    ]);
    expect(rules[1]!.condition).toEqual({ type: 'threshold', op: '>', value: 0.9, recovery: 0.9 });
  });

  it('takes a JSON list too, and names the rule and field of a bad one', () => {
    const good = {
      name: 'a',
      service: '*',
      signal: 'rate',
      condition: { type: 'absent' },
      window: '1m',
      severity: 'info',
    };
    expect(loadRulesFile(write('ok.json', JSON.stringify([good])), anywhere)).toHaveLength(1);
    const bad = write('bad.json', JSON.stringify([good, { ...good, condition: { type: 'anomaly', sensitivity: -1 } }]));
    expect(() => loadRulesFile(bad, anywhere)).toThrow(ConfigError);
    expect(() => loadRulesFile(bad, anywhere)).toThrow(/rules\[1\]\.condition\.sensitivity: /);
    expect(() => loadRulesFile(write('dup.json', JSON.stringify([good, good])), anywhere)).toThrow(/rules\[1\]\.id: /);
    expect(() => loadRulesFile(path.join(os.tmpdir(), 'no-such-rules.yaml'), anywhere)).toThrow(/cannot read it/);
    expect(() => loadRulesFile(write('x.yaml', 'rules: [1, 2'), anywhere)).toThrow(/not valid YAML or JSON/);
    const hooked = { ...good, notify: [{ type: 'webhook', url: 'http://hooks.test/a' }] };
    const refuse = (url: string) => (url.includes('hooks.test') ? 'a private address' : null);
    expect(() => loadRulesFile(write('hook.json', JSON.stringify([hooked])), refuse)).toThrow(
      /rules\[0\]\.notify\[0\]\.url: a private address/,
    );
  });

  it('refuses a file over 1 MiB before reading it, naming the file and its size', () => {
    // A 50 MB file of rules used to take the server past its heap cap (a V8 abort); sparse, so it costs no disk.
    const file = write('huge.yaml', 'rules:\n');
    fs.truncateSync(file, 50 * 1024 ** 2);
    expect(() => loadRulesFile(file, anywhere)).toThrow(ConfigError);
    expect(() => loadRulesFile(file, anywhere)).toThrow(
      `--rules ${file}: the file is 50.0 MiB; a rules file may be at most 1 MiB`,
    );
    fs.truncateSync(file, MAX_RULES_FILE_BYTES);
    expect(() => loadRulesFile(file, anywhere)).not.toThrow(/MiB/);
  });
});

const anywhere = () => null;

function write(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-rules-')), name);
  fs.writeFileSync(file, text);
  return file;
}
