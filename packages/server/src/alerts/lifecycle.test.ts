import { describe, expect, it } from 'vitest';
import { advance, type Episode, type Transition } from './lifecycle.ts';

describe('alert lifecycle', () => {
  it('goes pending, fires once the condition held for `for`, and resolves when it clears', () => {
    const run = drive({ forMs: 30_000, keepFiringForMs: 0 });
    expect(run([1, 1, 1, 1], 10_000)).toEqual(['pending', null, null, 'firing']);
    expect(run([0], 10_000)).toEqual(['resolved']);
  });

  it('drops a pending episode that clears before `for` ran out, without firing', () => {
    const run = drive({ forMs: 30_000, keepFiringForMs: 0 });
    expect(run([1, 1, 0, 1], 10_000)).toEqual(['pending', null, 'cancelled', 'pending']);
  });

  it('fires at once with `for` 0s', () => {
    expect(drive({ forMs: 0, keepFiringForMs: 0 })([1, 1, 0], 1000)).toEqual(['firing', null, 'resolved']);
  });

  it('keeps firing through gaps shorter than keepFiringFor', () => {
    const run = drive({ forMs: 0, keepFiringForMs: 5_000 });
    // Breach, then 4 s clear, breach again, then clear for good.
    expect(run([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], 1000)).toEqual([
      'firing',
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      'resolved',
      null,
    ]);
  });

  it('gives each episode its own id', () => {
    const ids: string[] = [];
    let episode: Episode | null = null;
    let n = 0;
    for (const [i, breach] of [1, 0, 1, 0].entries()) {
      const step = advance(episode, breach === 1, i * 1000, { forMs: 0, keepFiringForMs: 0 }, () => `a${++n}`);
      episode = step.episode;
      if (episode && step.transition === 'firing') ids.push(episode.id);
    }
    expect(ids).toEqual(['a1', 'a2']);
  });
});

/** A driver that keeps the episode between calls: breaches (1/0) every `stepMs`, transitions out. */
function drive(timing: { forMs: number; keepFiringForMs: number }) {
  let episode: Episode | null = null;
  let now = 0;
  let n = 0;
  return (breaches: number[], stepMs: number): (Transition | null)[] =>
    breaches.map((b) => {
      const step = advance(episode, b === 1, now, timing, () => `id${++n}`);
      episode = step.episode;
      now += stepMs;
      return step.transition;
    });
}
