/**
 * `npm run demo -- --target http://host:port [--format native|otlp-json|otlp-protobuf|otlp-traces] [--seed N]
 * [--day-length 10m] [--key KEY]`: streams the demo traffic to a running Pulseboard, one POST per closed
 * second, over the native ingest API or as OTLP/HTTP (so the OTLP path is exercised continuously).
 */

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDuration } from '@pulseboard/shared';
import { encodingFor, FORMATS, type Format } from './encodings.ts';
import { DemoGenerator } from './generator.ts';
import { Sender } from './sender.ts';

const USAGE = `usage: npm run demo -- --target http://host:port [--format F] [--seed N] [--day-length 10m] [--key KEY]
  --target      Pulseboard base URL (required)
  --format      native (POST /api/v1/metrics), otlp-json or otlp-protobuf (POST /v1/metrics), or
                otlp-traces (requests as spans, with calls between the services, POST /v1/traces); default native
  --seed        integer seed for traffic and incidents (default 1)
  --day-length  length of one daily traffic cycle, <n>s|m|h|d (default 24h)
  --key         ingest key, sent as "Authorization: Bearer KEY"`;

const STATUS_EVERY_MS = 10_000;
/** After a stall (laptop sleep, debugger) catch up at most this many seconds instead of flooding. */
const MAX_CATCH_UP_SECONDS = 60;

export interface CliOptions {
  target: string;
  format: Format;
  seed: number;
  dayLengthMs: number;
  key?: string;
}

/** Parses and validates flags; throws an Error whose message is fit to show the user. */
export function parseCli(argv: string[]): CliOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      target: { type: 'string' },
      format: { type: 'string' },
      seed: { type: 'string' },
      'day-length': { type: 'string' },
      key: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.target === undefined) throw new Error('--target is required, e.g. --target http://localhost:3000');
  let url: URL;
  try {
    url = new URL(values.target);
  } catch {
    throw new Error(`--target must be a URL such as http://localhost:3000, got "${values.target}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`--target must use http or https, got "${values.target}"`);
  }
  const format = (values.format ?? 'native') as Format;
  if (!FORMATS.includes(format)) {
    throw new Error(`--format must be one of ${FORMATS.join(', ')}, got "${values.format}"`);
  }
  let seed = 1;
  if (values.seed !== undefined) {
    if (!/^-?\d{1,15}$/.test(values.seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
    seed = Number(values.seed);
  }
  let dayLengthMs = 86_400_000;
  if (values['day-length'] !== undefined) {
    const parsed = parseDuration(values['day-length']);
    if (parsed === null || parsed < 60_000) {
      throw new Error(
        `--day-length must be a duration of at least 1m such as 10m or 24h, got "${values['day-length']}"`,
      );
    }
    dayLengthMs = parsed;
  }
  if (values.key !== undefined && values.key.trim() === '') throw new Error('--key must not be empty');
  return { target: url.origin + url.pathname.replace(/\/+$/, ''), format, seed, dayLengthMs, key: values.key };
}

export async function main(argv: string[]): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(argv);
  } catch (error) {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const generator = new DemoGenerator({ seed: options.seed, origin: Date.now(), dayLengthMs: options.dayLengthMs });
  const encoding = encodingFor(options.format);
  const sender = new Sender({ target: options.target, key: options.key, encoding });
  console.log(
    `demo: sending ${generator.services().length} services to ${options.target} as ${options.format} ` +
      `(seed ${options.seed}, ` +
      `day ${options.dayLengthMs / 1000} s); first incident: ${describeFirstIncident(generator)}`,
  );

  let lastSecond = Math.floor(Date.now() / 1000) - 2;
  let generated = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const now = Date.now();
    const closed = Math.floor(now / 1000) - 1;
    for (let sec = Math.max(lastSecond + 1, closed - MAX_CATCH_UP_SECONDS + 1); sec <= closed; sec++) {
      const items = generator.observe(sec * 1000, sec * 1000 + 1000);
      generated += encoding.carried(items);
      sender.enqueue(items);
    }
    lastSecond = closed;
    // A little past the boundary so the second just closed is complete on this clock.
    timer = setTimeout(tick, 1000 - (now % 1000) + 20);
  };
  tick();

  let last = { ...sender.stats };
  const status = setInterval(() => {
    const s = sender.stats;
    console.log(
      `demo: last 10 s: ${s.posts - last.posts} requests, ${s.observations - last.observations} observations ` +
        `accepted, ${s.failures - last.failures} failures` +
        (s.rejectedPoints > last.rejectedPoints
          ? `, ${s.rejectedPoints - last.rejectedPoints} data points rejected`
          : '') +
        `; total ${s.posts} requests, ${s.observations} observations, ${s.failures} failures, ` +
        `${s.rejectedPoints} data points rejected, ${s.dropped} s dropped, ${sender.queued} s queued`,
    );
    last = { ...s };
  }, STATUS_EVERY_MS);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log(`demo: ${signal} received, stopping`);
    clearTimeout(timer);
    clearInterval(status);
    sender.stop();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  await sender.run();
  const s = sender.stats;
  console.log(
    `demo: stopped after ${s.posts} requests, ${s.observations} of ${generated} observations accepted, ` +
      `${s.failures} failures, ${s.rejectedPoints} data points rejected, ${s.dropped + sender.queued} s not delivered`,
  );
  return 0;
}

function describeFirstIncident(generator: DemoGenerator): string {
  const next = generator.incidents(generator.origin, generator.origin + 3_600_000)[0];
  if (!next) return 'none within the hour';
  const inSeconds = Math.round((next.start - generator.origin) / 1000);
  return `${next.kind} on ${next.service} in ${inSeconds} s for ${Math.round((next.end - next.start) / 1000)} s`;
}

// Run only as a script, so tests can import parseCli without starting a sender.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
