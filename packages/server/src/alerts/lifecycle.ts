/**
 * One rule on one service: inactive -> pending (the condition holds, for `for`) -> firing -> resolved.
 * Pure: the caller passes the time and an id source, and gets the next state and what changed.
 */

/** An open episode; inactive is "no episode". */
export interface Episode {
  id: string;
  state: 'pending' | 'firing';
  /** First evaluation the condition held. */
  startedAt: number;
  firedAt?: number;
  /** Last evaluation the condition held: `keepFiringFor` counts from here. */
  lastBreachAt: number;
}

export interface Timing {
  forMs: number;
  keepFiringForMs: number;
}

/** `cancelled`: a pending episode whose condition cleared before `for` ran out; it never fired. */
export type Transition = 'pending' | 'firing' | 'resolved' | 'cancelled';

export interface Step {
  /** The open episode after this evaluation, or null when inactive. */
  episode: Episode | null;
  /** What changed, or null; `resolved` and `cancelled` carry the episode that closed in `closed`. */
  transition: Transition | null;
  closed?: Episode;
}

export function advance(
  episode: Episode | null,
  breach: boolean,
  now: number,
  timing: Timing,
  newId: () => string,
): Step {
  if (!episode) {
    if (!breach) return { episode: null, transition: null };
    const started: Episode = { id: newId(), state: 'pending', startedAt: now, lastBreachAt: now };
    if (timing.forMs > 0) return { episode: started, transition: 'pending' };
    return { episode: { ...started, state: 'firing', firedAt: now }, transition: 'firing' };
  }
  if (episode.state === 'pending') {
    if (!breach) return { episode: null, transition: 'cancelled', closed: episode };
    const held = { ...episode, lastBreachAt: now };
    if (now - episode.startedAt < timing.forMs) return { episode: held, transition: null };
    return { episode: { ...held, state: 'firing', firedAt: now }, transition: 'firing' };
  }
  if (breach) return { episode: { ...episode, lastBreachAt: now }, transition: null };
  // A flapping signal keeps the alert firing through short gaps instead of resolving and re-firing.
  if (now - episode.lastBreachAt < timing.keepFiringForMs) return { episode, transition: null };
  return { episode: null, transition: 'resolved', closed: episode };
}
