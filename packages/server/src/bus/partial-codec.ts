import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { SecondStats } from '../aggregate/live-stats.ts';
import type { FramePartial } from '../live/second-window.ts';
import { decodeSketch, encodeSketch } from '../sketch/codec.ts';
import { Sketch } from '../sketch/sketch.ts';

/**
 * One instance's stats of one closed second as they travel between instances (JSON on a Redis channel).
 * Counts, CPU and memory sums go as numbers and the latency sketch in its stored binary form (base64), so
 * the receiver adds them up exactly as its own commits would have been added.
 */
const WireService = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  interval: Type.Integer({ minimum: 1000, maximum: 3_600_000 }),
  count: Type.Number({ minimum: 0 }),
  errors: Type.Number({ minimum: 0 }),
  sketch: Type.String({ maxLength: 1_000_000 }),
  cpuSum: Type.Number(),
  cpuCount: Type.Number({ minimum: 0 }),
  /** [instance, sum, count] per `service.instance.id` reporting memory. */
  memory: Type.Array(Type.Tuple([Type.String(), Type.Number(), Type.Number({ minimum: 0 })]), { maxItems: 10_000 }),
});

const WirePartial = Type.Object({
  v: Type.Literal(1),
  from: Type.String({ minLength: 1, maxLength: 128 }),
  t: Type.Integer(),
  services: Type.Array(WireService, { maxItems: 100_000 }),
});

type WirePartialMessage = Static<typeof WirePartial>;
const wirePartial = Compile(WirePartial);

/** A partial as received from another instance. */
export interface ReceivedPartial {
  from: string;
  t: number;
  partial: FramePartial;
}

export function encodePartial(from: string, t: number, partial: FramePartial): string {
  const services: WirePartialMessage['services'] = [];
  for (const [name, { stats, interval }] of partial) {
    services.push({
      name,
      interval,
      count: stats.count,
      errors: stats.errors,
      sketch: stats.count > 0 ? encodeSketch(stats.sketch).toString('base64') : '',
      cpuSum: stats.cpuSum,
      cpuCount: stats.cpuCount,
      memory: [...stats.memoryByInstance].map(([instance, m]) => [instance, m.sum, m.count]),
    });
  }
  return JSON.stringify({ v: 1, from, t, services } satisfies WirePartialMessage);
}

/** The partial in `text`, or an Error saying what is wrong with it (another version, a broken message). */
export function decodePartial(text: string): ReceivedPartial | Error {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return new Error('not JSON');
  }
  if (!wirePartial.Check(message)) {
    const first = wirePartial.Errors(message)[0];
    return new Error(`not a partial: ${first ? `${first.instancePath || '/'} ${first.message}` : 'schema'}`);
  }
  const partial: FramePartial = new Map();
  try {
    for (const s of message.services) {
      const stats: SecondStats = {
        count: s.count,
        errors: s.errors,
        sketch: s.sketch === '' ? new Sketch() : decodeSketch(Buffer.from(s.sketch, 'base64')),
        cpuSum: s.cpuSum,
        cpuCount: s.cpuCount,
        memoryByInstance: new Map(s.memory.map(([instance, sum, count]) => [instance, { sum, count }])),
        seen: true,
      };
      if (s.count > 0 && !Number.isFinite(stats.sketch.count)) return new Error(`services.${s.name}: broken sketch`);
      partial.set(s.name, { stats, interval: s.interval });
    }
  } catch (error) {
    return new Error(`broken sketch: ${(error as Error).message}`);
  }
  return { from: message.from, t: message.t, partial };
}
