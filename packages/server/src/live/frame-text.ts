import type { LiveFrame } from '@pulseboard/shared';
import type { SecondFrame } from '../bus/bus.ts';
import { liveTotal } from './total.ts';
import { type WireText, wireText } from './wire-text.ts';

/**
 * The frame of a client watching some services. Its text is put together from each service's JSON, written
 * once per frame (`pieces`) whatever number of subsets hold it: 500 sockets watching different halves of
 * 1,000 services each had the whole subset serialised, ~1.3 s of main thread a frame.
 */
export function subsetFrame(
  frame: SecondFrame,
  only: ReadonlySet<string>,
  cache: Map<string, WireText>,
  pieces: Map<string, string>,
): WireText {
  const names = Object.keys(frame.services).filter((s) => only.has(s));
  const key = names.join('\u0000');
  let data = cache.get(key);
  if (data === undefined) {
    const parts = names.map((name) => {
      let piece = pieces.get(name);
      if (piece === undefined)
        pieces.set(name, (piece = `${JSON.stringify(name)}:${JSON.stringify(frame.services[name])}`));
      return piece;
    });
    // The same text as JSON.stringify of the LiveFrame, in its field order.
    const total = JSON.stringify(totalOf(frame, names));
    const text = `{"type":"frame","t":${frame.t},"cursor":${frame.t},"services":{${parts.join(',')}},"total":${total}}`;
    cache.set(key, (data = wireText(text)));
  }
  return data;
}

/** The frame of the clients watching every service. */
export function serialiseAll(frame: SecondFrame): WireText {
  const { services } = frame;
  const message: LiveFrame = {
    type: 'frame',
    t: frame.t,
    cursor: frame.t,
    services,
    total: totalOf(frame, Object.keys(services)),
  };
  return wireText(JSON.stringify(message));
}

function totalOf(frame: SecondFrame, names: readonly string[]) {
  return liveTotal(names.map((name) => ({ stats: frame.services[name]!, sketch: frame.sketches?.get(name) ?? null })));
}
