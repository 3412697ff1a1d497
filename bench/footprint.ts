/**
 * `npx tsx bench/footprint.ts [--demo] [--settle S] [--every S] [--entry FILE]`: idle memory of a server started
 * as `npm start` starts it (fresh database; with `--demo` the demo on, as by default). Samples RSS every
 * `--every` seconds (default 5) from `/readyz` to `--settle` seconds later (default 30), then reads where the
 * resident set is: the node binary's pages, the V8 heap (committed and used, from /metrics), the main malloc
 * arena (`[heap]`: SQLite's page cache lives there), the rest of anonymous memory (other threads' malloc
 * arenas, stacks), and the server's threads. Environment variables pass through to the server (A/B a
 * GLIBC_TUNABLES setting, say); `--entry` runs another build.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load1 } from './report.ts';
import { startServer } from './server-process.ts';

const args = process.argv.slice(2);
const demo = args.includes('--demo');
const option = (flag: string, fallback: number): number => {
  const index = args.indexOf(flag);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const settleS = option('--settle', 30);
const everyS = option('--every', 5);
const entryIndex = args.indexOf('--entry');
const entry = entryIndex >= 0 ? args[entryIndex + 1] : undefined;
const MIB = 2 ** 20;

/** Resident MiB per kind of mapping, from /proc/PID/smaps. */
function residentByMapping(pid: number): Record<'node binary' | 'malloc main arena' | 'anonymous' | 'other', number> {
  const out = { 'node binary': 0, 'malloc main arena': 0, anonymous: 0, other: 0 };
  const exe = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  let kind: keyof typeof out = 'other';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const path = header[1]!.trim();
      kind =
        path === '' ? 'anonymous' : path === '[heap]' ? 'malloc main arena' : path === exe ? 'node binary' : 'other';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] += Number(rss[1]) / 1024;
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'pulseboard-footprint-'));
const server = await startServer(dir, 300_000, { demo, ...(entry ? { entry } : {}) });
try {
  const samples: string[] = [];
  for (let s = 0; s < settleS; s += everyS) {
    samples.push((((server.rss() ?? 0) / MIB) as number).toFixed(0));
    await new Promise((resolve) => setTimeout(resolve, Math.min(everyS, settleS - s) * 1000));
  }
  const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const metric = (name: string): number =>
    Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN) / MIB;
  const rss = (server.rss() ?? 0) / MIB;
  const mapped = residentByMapping(server.pid);
  const v8Committed = metric('nodejs_heap_size_total_bytes');
  const threads = /^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1];
  console.log(
    `demo ${demo ? 'on' : 'off'}, load ${load1()}: ready ${server.readyMs.toFixed(0)} ms; RSS every ${everyS} s ` +
      `from ready: ${samples.join(' ')}; ${settleS} s later ${rss.toFixed(1)} MiB, threads ${threads}\n` +
      `  resident MiB: node binary ${mapped['node binary'].toFixed(1)}, V8 heap committed ${v8Committed.toFixed(1)} ` +
      `(used ${metric('nodejs_heap_size_used_bytes').toFixed(1)}), malloc main arena ${mapped['malloc main arena'].toFixed(1)}, ` +
      `other anonymous ${(mapped.anonymous - v8Committed).toFixed(1)} (thread arenas, stacks), other files ` +
      `${mapped.other.toFixed(1)}; external ${metric('nodejs_external_memory_bytes').toFixed(1)}`,
  );
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
