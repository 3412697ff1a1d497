import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { HeapGuard } from './heap-guard.ts';

const MiB = 1024 ** 2;

describe('HeapGuard', () => {
  it('looks at the heap every 4,096 units of work, and lets a request on while it is under its bound', () => {
    let looks = 0;
    const guard = new HeapGuard(
      100 * MiB,
      () => {
        looks++;
        return 99 * MiB;
      },
      () => {},
    );
    for (let i = 0; i < 4_095; i++) guard.spend(1);
    expect(looks).toBe(0);
    guard.spend(1);
    expect(looks).toBe(1);
    guard.spend(10_000);
    expect(looks).toBe(2);
  });

  it('collects garbage before refusing, and refuses only what the collection leaves past the bound', () => {
    let used = 150 * MiB;
    let collections = 0;
    const garbage = new HeapGuard(
      100 * MiB,
      () => used,
      () => {
        collections++;
        used = 95 * MiB;
      },
    );
    garbage.spend(4_096);
    expect(collections).toBe(1);
    // Past the bound again, but grown less than 16 MiB since that collection: no other yet, and no refusal.
    used = 110 * MiB;
    garbage.spend(4_096);
    expect(collections).toBe(1);
    used = 112 * MiB;
    garbage.spend(4_096);
    expect(collections).toBe(2);

    const held = new HeapGuard(
      100 * MiB,
      () => 150 * MiB,
      () => collections++,
    );
    let refusal: unknown;
    try {
      held.spend(4_096);
    } catch (error) {
      refusal = error;
    }
    expect(collections).toBe(3);
    // The next request past the bound collects again within 16 MiB of it, not of what the refused one held.
    expect(() => held.spend(4_096)).toThrow(AppError);
    expect(collections).toBe(4);
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: 'PULSE_ERR_BODY_TOO_LARGE' });
    expect((refusal as Error).message).toBe(
      'body: its observations take more than 100 MiB to decode and fold, the most one request may; send them in smaller requests',
    );
  });
});
