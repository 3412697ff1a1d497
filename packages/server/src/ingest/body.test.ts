import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { type BodyOptions, readBody } from './body.ts';
import { BodyLease, ByteBudget } from './body-budget.ts';

const MiB = 1024 ** 2;

describe('readBody', () => {
  it('stops inflating a gzip bomb at the body limit, never holding much more than the limit', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * MiB));
    const budget = new PeakBudget(1024 * MiB);
    const error = await readBody(chunks(bomb), options(budget, { limit: MiB, contentEncoding: 'gzip' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).statusCode).toBe(413);
    // The limit, the compressed input read so far, and one inflated chunk (zlib's 16 KiB) at most.
    expect(budget.peak).toBeLessThanOrEqual(MiB + bomb.length + 16 * 1024);
    expect(budget.inUse).toBe(0);
  });

  it('keeps only the inflated body counted once read, until the lease is released', async () => {
    const body = Buffer.from(JSON.stringify({ resourceMetrics: [] }).padEnd(50_000, ' '));
    const gzipped = zlib.gzipSync(body);
    const budget = new ByteBudget(MiB);
    const read = await readBody(
      chunks(gzipped),
      options(budget, { contentEncoding: 'gzip', contentLength: String(gzipped.length) }),
    );
    expect(read.equals(body)).toBe(true);
    expect(budget.inUse).toBe(body.length);
  });

  it('refuses with 503 and Retry-After once the bodies held in all pass the budget', async () => {
    const budget = new ByteBudget(100_000);
    const held = new BodyLease(budget);
    expect(held.take(90_000)).toBe(true);
    const error = await readBody(chunks(Buffer.alloc(20_000, 32)), options(budget)).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 503, code: 'PULSE_ERR_OVERLOADED', headers: { 'retry-after': '1' } });
    expect(budget.inUse).toBe(90_000);
    held.release();
    const read = await readBody(chunks(Buffer.alloc(20_000, 32)), options(budget));
    expect(read.length).toBe(20_000);
  });

  it('refuses a declared length that cannot fit before reading any of it', async () => {
    const budget = new ByteBudget(100_000);
    new BodyLease(budget).take(50_000);
    const payload = chunks(Buffer.alloc(60_000, 32));
    const error = await readBody(payload, options(budget, { contentLength: '60000' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 503 });
    expect(budget.inUse).toBe(50_000);
    // Past the body limit is a 413 whatever the budget.
    const large = await readBody(chunks(Buffer.alloc(10)), options(budget, { contentLength: String(2 * MiB) })).catch(
      (e: unknown) => e,
    );
    expect(large).toMatchObject({ statusCode: 413 });
  });

  it('admits a body larger than the budget when it is the only one held', async () => {
    const budget = new ByteBudget(1_000);
    const read = await readBody(chunks(Buffer.alloc(30_000, 32)), options(budget));
    expect(read.length).toBe(30_000);
  });
});

/** Records the most it ever held. */
class PeakBudget extends ByteBudget {
  peak = 0;
  override adjust(delta: number): void {
    super.adjust(delta);
    this.peak = Math.max(this.peak, this.inUse);
  }
}

/** A stream of `bytes` in 16 KiB chunks, as a socket delivers a body. */
function chunks(bytes: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 16 * 1024) parts.push(bytes.subarray(i, i + 16 * 1024));
  return Readable.from(parts);
}

function options(budget: ByteBudget, overrides: Partial<BodyOptions> = {}): BodyOptions {
  return {
    contentEncoding: undefined,
    contentLength: undefined,
    limit: MiB,
    lease: new BodyLease(budget),
    ...overrides,
  };
}
