/**
 * Turns the logger's JSON lines into lines for a person at a terminal: `12:00:03 INFO  message key=value`,
 * an error's stack below it. Synchronous and dependency-free (pino-pretty would run a transport thread); only
 * used when stdout is a terminal, so log collectors still get one JSON object per line.
 */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has, or that the line shows in its own place. */
const SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err', 'reqId']);

interface ErrorField {
  message?: string;
  stack?: string;
}

/** One JSON log line as a human-readable line (or lines, with a stack); text that is not JSON passes as is. */
export function formatLogLine(line: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${line}\n`;
  }
  const level = LEVELS[entry.level as number] ?? String(entry.level);
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toTimeString().slice(0, 8);
  const extra = Object.entries(entry)
    .filter(([key]) => !SHOWN.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const err = entry.err as ErrorField | undefined;
  const paint =
    colour && level !== 'INFO'
      ? (text: string) => `\u001b[${level === 'WARN' ? 33 : 31}m${text}\u001b[0m`
      : (text: string) => text;
  const head = [time, paint(level.padEnd(5)), String(entry.msg ?? ''), ...extra].join(' ');
  return `${head}\n${err?.stack ? `${err.stack.replace(/^/gm, '    ')}\n` : err?.message ? `    ${err.message}\n` : ''}`;
}

/** A logger destination writing formatted lines to `out` (a TTY). */
export function prettyLogStream(out: NodeJS.WriteStream): { write: (line: string) => void } {
  const colour = out.hasColors?.() ?? false;
  return { write: (line) => void out.write(formatLogLine(line.trimEnd(), colour)) };
}
