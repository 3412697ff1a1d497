/**
 * `npx tsx bench/footprint.ts [--demo] [--settle S] [--entry FILE]`: idle memory of a server started as
 * `npm start` starts it (fresh database; with `--demo` the demo on, as by default), read `--settle` seconds
 * (default 30) after `/readyz`: RSS and what the process says it holds (V8 heap, external and array
 * buffers, from /metrics), its threads, and the largest mappings by resident size (/proc smaps).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load1 } from './report.ts';
import { startServer } from './server-process.ts';

const args = process.argv.slice(2);
const demo = args.includes('--demo');
const settleIndex = args.indexOf('--settle');
const settleS = settleIndex >= 0 ? Number(args[settleIndex + 1]) : 30;
const entryIndex = args.indexOf('--entry');
const entry = entryIndex >= 0 ? args[entryIndex + 1] : undefined;
const MIB = 2 ** 20;

/** Resident kB per mapping kind: the main heap (`[heap]`, malloc: SQLite's cache lives there), anonymous, files. */
function smapsSummary(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const path = header[1]!.trim();
      name =
        path === '' ? 'anonymous' : path.startsWith('[') ? path : path.endsWith('.node') ? 'native addons' : 'files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[name] = (out[name] ?? 0) + Number(rss[1]) / 1024;
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'pulseboard-footprint-'));
const server = await startServer(dir, 300_000, { demo, ...(entry ? { entry } : {}) });
try {
  await new Promise((resolve) => setTimeout(resolve, settleS * 1000));
  const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const metric = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);
  const rss = (server.rss() ?? 0) / MIB;
  const mappings = Object.entries(smapsSummary(server.pid))
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ');
  console.log(
    `demo ${demo ? 'on' : 'off'}, load ${load1()}: ready ${server.readyMs.toFixed(0)} ms, RSS ${settleS} s later ${rss.toFixed(1)} MiB ` +
      `(threads ${/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]}); V8 heap used/total ${(metric('nodejs_heap_size_used_bytes') / MIB).toFixed(1)}/` +
      `${(metric('nodejs_heap_size_total_bytes') / MIB).toFixed(1)} MiB, external ${(metric('nodejs_external_memory_bytes') / MIB).toFixed(1)} MiB; ` +
      `resident MiB by mapping: ${mappings}`,
  );
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
