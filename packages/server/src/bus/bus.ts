import { EventEmitter } from 'node:events';
import type { Alert, LiveServiceStats } from '@pulseboard/shared';
import type { Sketch } from '../sketch/sketch.ts';

/** A closed second, summarised per service: what live frames are made of. */
export interface SecondFrame {
  t: number;
  services: Record<string, LiveServiceStats>;
  /** Each service's latency sketch behind its percentiles, so a frame's `total` merges them. */
  sketches?: ReadonlyMap<string, Sketch>;
}

export interface BusTopics {
  frame: SecondFrame;
  /** An alert's state changed (or it was acknowledged or silenced): every dashboard shows it at once. */
  alert: Alert;
  /** A service was forgotten (DELETE /api/v1/services/:name): state kept in memory about it goes too. */
  serviceDeleted: { name: string };
}

/**
 * Fan-out between the write path and its readers (live hub, later alerts). In-process by default; a
 * Redis-backed bus with the same interface lets several instances share one stream.
 */
export interface Bus {
  publish<K extends keyof BusTopics>(topic: K, message: BusTopics[K]): void;
  subscribe<K extends keyof BusTopics>(topic: K, listener: (message: BusTopics[K]) => void): () => void;
}

export function createLocalBus(): Bus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: (topic, message) => {
      emitter.emit(topic, message);
    },
    subscribe: (topic, listener) => {
      emitter.on(topic, listener);
      return () => emitter.off(topic, listener);
    },
  };
}
