import { describe, expect, it } from 'vitest';
import { formatLogLine } from './log-format.ts';

describe('formatLogLine', () => {
  const time = new Date(2026, 0, 2, 12, 0, 3).getTime();

  it('shows time, level and message, then the fields a line adds, without pid and hostname', () => {
    const line = JSON.stringify({ level: 30, time, pid: 1, hostname: 'h', msg: 'demo backfill done', seconds: 1.5 });
    expect(formatLogLine(line, false)).toBe('12:00:03 INFO  demo backfill done seconds=1.5\n');
  });

  it('puts an error stack on indented lines below, and colours warnings and errors only when asked', () => {
    const line = JSON.stringify({
      level: 50,
      time,
      msg: 'failed',
      err: { message: 'boom', stack: 'Error: boom\n  at x' },
    });
    expect(formatLogLine(line, false)).toBe('12:00:03 ERROR failed\n    Error: boom\n      at x\n');
    expect(formatLogLine(line, true)).toContain('\u001b[31mERROR\u001b[0m');
    expect(formatLogLine(JSON.stringify({ level: 30, time, msg: 'ok' }), true)).not.toContain('\u001b');
  });

  it('passes through text that is not JSON', () => {
    expect(formatLogLine('plain text', false)).toBe('plain text\n');
  });
});
