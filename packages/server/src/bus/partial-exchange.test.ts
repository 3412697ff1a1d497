import { describe, expect, it } from 'vitest';
import { type LiveSeconds, liveStats } from '../aggregate/live-stats.ts';
import type { FramePartial } from '../live/second-window.ts';
import { round } from '../query/round.ts';
import { Sketch } from '../sketch/sketch.ts';
import { logNormalValues } from '../testing/test-app.ts';
import type { SecondFrame } from './bus.ts';
import { decodePartial, encodePartial } from './partial-codec.ts';
import { PartialExchange } from './partial-exchange.ts';

const T = 1_800_000_000_000;

/** One instance's partial: `values` latencies of `service` (every tenth an error), CPU and memory of a host. */
function partialOf(service: string, values: readonly number[], host: string): FramePartial {
  const seconds: LiveSeconds = new Map();
  const stats = liveStats(seconds, service, T);
  values.forEach((v, i) => {
    stats.count++;
    if (i % 10 === 0) stats.errors++;
    stats.sketch.add(v);
  });
  stats.cpuSum = 0.5;
  stats.cpuCount = 1;
  stats.memoryByInstance.set(host, { sum: 1000, count: 1 });
  return new Map([[service, { stats, interval: 1000 }]]);
}

/** A fake timer list: `run()` fires what is due, so waits are exact and the test never sleeps. */
function fakeTimers() {
  const timers: { at: number; run: () => void; cancelled: boolean }[] = [];
  let now = 0;
  return {
    schedule: (run: () => void, ms: number) => {
      const timer = { at: now + ms, run, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    advance(ms: number) {
      now += ms;
      for (const timer of timers.splice(0)) {
        if (timer.cancelled) continue;
        if (timer.at <= now) timer.run();
        else timers.push(timer);
      }
    },
  };
}

function exchange(self: string) {
  const frames: SecondFrame[] = [];
  const late: string[] = [];
  const timers = fakeTimers();
  const ex = new PartialExchange({
    self,
    waitMs: 25,
    memberTtlMs: 3000,
    emit: (frame) => frames.push(frame),
    onLate: (from) => late.push(from),
    schedule: timers.schedule,
  });
  return { ex, frames, late, timers };
}

/** A partial as another instance sends it: through the wire format. */
const wire = (from: string, t: number, partial: FramePartial) => {
  const received = decodePartial(encodePartial(from, t, partial));
  if (received instanceof Error) throw received;
  return received;
};

describe('PartialExchange', () => {
  it("merges every instance's partial of a second: counts add, percentiles come from the merged sketches", () => {
    const a = logNormalValues(300, 7);
    const b = logNormalValues(200, 11, 5, 0.5);
    const { ex, frames } = exchange('b');
    // Instance a has been heard from, so b waits for its partial of T.
    ex.receive(wire('a', T - 1000, new Map()));
    ex.closeLocal(T, partialOf('checkout', b, 'host-b'));
    expect(frames).toEqual([]);
    ex.receive(wire('a', T, partialOf('checkout', a, 'host-a')));

    expect(frames.map((f) => f.t)).toEqual([T]);
    const all = new Sketch();
    for (const v of [...a, ...b]) all.add(v);
    expect(frames[0]!.services.checkout).toEqual({
      rate: 500,
      count: 500,
      errorRate: round((30 + 20) / 500, 6),
      p50: round(all.quantile(0.5)),
      p95: round(all.quantile(0.95)),
      p99: round(all.quantile(0.99)),
      cpu: 0.5,
      memory: 2000,
      interval: 1000,
    });
    expect(frames[0]!.sketches?.get('checkout')?.count).toBe(500);
  });

  it('sends its own frame at once when alone, and after the wait when an instance it knows stays silent', () => {
    const { ex, frames, timers } = exchange('b');
    ex.closeLocal(T, partialOf('checkout', [10], 'host-b'));
    expect(frames.map((f) => f.t)).toEqual([T]);

    ex.receive(wire('a', T, new Map()));
    ex.closeLocal(T + 1000, partialOf('checkout', [20], 'host-b'));
    timers.advance(24);
    expect(frames.length).toBe(1);
    timers.advance(1);
    expect(frames.map((f) => f.t)).toEqual([T, T + 1000]);
    expect(frames[1]!.services.checkout!.count).toBe(1);
  });

  it('leaves a partial that comes after its frame went out out of it, and stops waiting for a gone instance', () => {
    const { ex, frames, late, timers } = exchange('b');
    ex.receive(wire('a', T - 1000, new Map()));
    ex.closeLocal(T, partialOf('checkout', [10], 'host-b'));
    timers.advance(25);
    ex.receive(wire('a', T, partialOf('checkout', [99], 'host-a')));
    expect(late).toEqual(['a']);
    expect(frames[0]!.services.checkout!.count).toBe(1);

    // More than three seconds after its last partial, instance a is no longer waited for.
    ex.closeLocal(T + 4000, new Map());
    expect(frames.map((f) => f.t)).toEqual([T, T + 4000]);
  });

  it('ignores its own partials echoed by the channel and sends frames in order of their seconds', () => {
    const { ex, frames, timers } = exchange('b');
    ex.receive(wire('a', T - 1000, new Map()));
    ex.closeLocal(T, new Map());
    ex.closeLocal(T + 1000, new Map());
    ex.receive(wire('b', T + 1000, partialOf('checkout', [5], 'host-b')));
    // a's partial of the later second arrives first (its clock is ahead): the earlier frame goes out before it.
    ex.receive(wire('a', T + 1000, new Map()));
    expect(frames.map((f) => f.t)).toEqual([T, T + 1000]);
    expect(frames[1]!.services).toEqual({});
    timers.advance(100);
    expect(frames.length).toBe(2);
  });
});

describe('partial wire format', () => {
  it('refuses what is not a partial, naming the field', () => {
    expect(decodePartial('{')).toBeInstanceOf(Error);
    expect(String(decodePartial(JSON.stringify({ v: 2, from: 'a', t: 0, services: [] })))).toMatch(/\/v/);
    const broken = JSON.parse(encodePartial('a', T, partialOf('x', [1], 'h')));
    broken.services[0].sketch = 'AAAA';
    expect(decodePartial(JSON.stringify(broken))).toBeInstanceOf(Error);
  });
});
