import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';

/** How long a client is told to wait: freeing space (retention, an operator) takes a while. */
const RETRY_AFTER_S = 30;
/** A full disk fails every write; it is logged once, then again at most this often while it lasts. */
const RELOG_MS = 60_000;

export interface DiskFullWatchOptions {
  /** The database file, named in the log. */
  file: string;
  metrics: Metrics;
  log: FastifyBaseLogger;
  now: () => number;
}

/**
 * Turns SQLite's disk-full error (SQLITE_FULL: no space left on the device, or the file at its size limit)
 * into a 503 with Retry-After, which clients and OTLP exporters retry, instead of a 500, which exporters
 * drop. Nothing is held open: the next write simply tries again, so service resumes once space returns.
 */
export class DiskFullWatch {
  private full = false;
  private loggedAt = Number.NEGATIVE_INFINITY;
  private refusedSinceLog = 0;

  constructor(private readonly options: DiskFullWatchOptions) {}

  /** For SQLite's disk-full error: counts and logs it (rate-limited) and returns the 503 to answer; else null. */
  check(error: unknown): AppError | null {
    if ((error as { code?: unknown } | null)?.code !== 'SQLITE_FULL') return null;
    const { metrics, log, now, file } = this.options;
    metrics.diskFull.inc();
    this.full = true;
    this.refusedSinceLog++;
    if (now() - this.loggedAt >= RELOG_MS) {
      log.error(
        { file, refused: this.refusedSinceLog },
        `database disk full (${file}): writes answer 503 with Retry-After until space is freed`,
      );
      this.loggedAt = now();
      this.refusedSinceLog = 0;
    }
    return new AppError('PULSE_ERR_DISK_FULL', 'the database disk is full; nothing was stored, retry later', {
      'retry-after': String(RETRY_AFTER_S),
    });
  }

  /** After a write succeeded: says so once if the disk had been full. */
  wrote(): void {
    if (!this.full) return;
    this.full = false;
    this.loggedAt = Number.NEGATIVE_INFINITY;
    this.options.log.info({ file: this.options.file }, `database writable again (${this.options.file})`);
  }
}
