import { describe, expect, it } from 'vitest';
import type { SignalWindow } from './detectors/types.ts';
import { type AlertChange, AlertEvaluator, type SignalSource } from './evaluator.ts';
import { testRule as rule } from './test-rule.ts';

describe('AlertEvaluator', async () => {
  it('notifies once for a flapping signal: keepFiringFor and recovery hold the alert through the gaps', async () => {
    const { evaluator, values } = await setup();
    const r = rule({ condition: { type: 'threshold', op: '>', value: 250, recovery: 200 }, keepFiringFor: '30s' });
    const changes: AlertChange[] = [];
    // Two minutes flapping every second between 300 and 150, then calm: the last breach is at 118 s.
    for (let s = 0; s < 180; s++) {
      values.set('checkout', s < 120 ? (s % 2 === 0 ? 300 : 150) : 100);
      changes.push(...(await evaluator.evaluate([r], s * 1000)));
    }
    expect(changes.map((c) => c.transition)).toEqual(['firing', 'resolved']);
    expect(changes[1]!.alert).toMatchObject({ state: 'resolved', resolvedAt: 148_000, firedAt: 0 });
    expect(changes[0]!.alert.id).toBe(changes[1]!.alert.id);
  });

  it('evaluates a * rule per active service, one episode id each, and closes one whose service left', async () => {
    const { evaluator, values, active } = await setup();
    active.push('a', 'b', 'c');
    for (const s of active) values.set(s, 300);
    const r = rule({ service: '*' });
    const first = await evaluator.evaluate([r], 0);
    expect(first.map((c) => [c.alert.service, c.transition])).toEqual([
      ['a', 'firing'],
      ['b', 'firing'],
      ['c', 'firing'],
    ]);
    expect(new Set(first.map((c) => c.alert.id)).size).toBe(3);
    active.splice(2, 1);
    const second = await evaluator.evaluate([r], 60_000);
    expect(second.map((c) => [c.alert.service, c.transition, c.alert.reason])).toEqual([
      ['c', 'resolved', 'c is no longer an active service'],
    ]);
  });

  it('judges every other service when one fails, and keeps the failed one as it was until it reads again', async () => {
    const { evaluator, values, active, source } = await setup();
    const window = source.window;
    let broken = true;
    source.window = async (service, ...rest) => {
      if (service === 'bad' && broken) throw new Error('invalid byte sequence');
      return window(service, ...rest);
    };
    active.push('bad', 'good');
    values.set('bad', 300);
    values.set('good', 300);
    const r = rule({ service: '*' });
    const first = await evaluator.evaluate([r], 0);
    // The changes made before and after the failure are all returned, so they are recorded.
    expect(first.map((c) => [c.alert.service, c.transition])).toEqual([['good', 'firing']]);
    expect(evaluator.failures.map((f) => [f.service, String(f.error)])).toEqual([
      ['bad', 'Error: invalid byte sequence'],
    ]);
    broken = false;
    const second = await evaluator.evaluate([r], 60_000);
    expect(second.map((c) => [c.alert.service, c.transition])).toEqual([['bad', 'firing']]);
    expect(evaluator.failures).toEqual([]);
  });

  it('resolves open alerts of a rule that was disabled', async () => {
    const { evaluator, values } = await setup();
    values.set('checkout', 300);
    const r = rule({});
    expect(await evaluator.evaluate([r], 0)).toHaveLength(1);
    const changes = await evaluator.evaluate([{ ...r, enabled: false }], 1000);
    expect(changes.map((c) => c.transition)).toEqual(['resolved']);
  });

  it('carries firing alerts across a restart without firing them again', async () => {
    const { evaluator, values, source } = await setup();
    values.set('checkout', 300);
    const r = rule({});
    const [fired] = await evaluator.evaluate([r], 0);
    const restarted = new AlertEvaluator({ source, newId: () => 'new', open: [fired!.alert] });
    expect(await restarted.evaluate([r], 5_000)).toEqual([]);
    values.set('checkout', 100);
    const [resolved] = await restarted.evaluate([r], 10_000);
    expect(resolved).toMatchObject({ transition: 'resolved', alert: { id: fired!.alert.id, firedAt: 0 } });
  });

  it('judges nothing until a whole window has passed since it started (the window may cover downtime)', async () => {
    const { values, source } = await setup();
    values.set('checkout', 300);
    const fresh = new AlertEvaluator({ source, newId: () => 'x' });
    const r = rule({ window: '1m' });
    expect(await fresh.evaluate([r], 0)).toEqual([]);
    expect(await fresh.evaluate([r], 59_000)).toEqual([]);
    expect((await fresh.evaluate([r], 60_000)).map((c) => c.transition)).toEqual(['firing']);
  });

  it('looks at a rule only as often as its window needs', async () => {
    const { evaluator, values, reads } = await setup();
    values.set('checkout', 100);
    const r = rule({ window: '1m' });
    for (let s = 0; s < 60; s++) await evaluator.evaluate([r], s * 1000);
    // A twelfth of a one-minute window: every 5 s.
    expect(reads.length).toBe(12);
  });
});

async function setup() {
  const values = new Map<string, number>();
  const active: string[] = [];
  const reads: number[] = [];
  const source: SignalSource = {
    window: async (service, _signal, _from, to): Promise<SignalWindow> => {
      reads.push(to);
      const value = values.get(service) ?? null;
      return { value, count: value === null ? 0 : 1 };
    },
    history: async () => ({ values: [], coveredMs: 0 }),
    activeServices: async () => active,
    seen: async () => true,
  };
  let n = 0;
  const evaluator = new AlertEvaluator({ source, newId: () => `alert-${++n}` });
  // Started an hour before the tests look: every window lies after the start.
  await evaluator.evaluate([], -3_600_000);
  return { evaluator, values, active, reads, source };
}
