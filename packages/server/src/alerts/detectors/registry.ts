import type { Condition } from '@pulseboard/shared';
import { absentDetector } from './absent.ts';
import { anomalyDetector } from './anomaly.ts';
import { thresholdDetector } from './threshold.ts';
import type { Detector, DetectorRegistry } from './types.ts';

/** Detectors by condition type: a new kind of condition is a new entry here, not a new branch elsewhere. */
export const DETECTORS: DetectorRegistry = {
  threshold: thresholdDetector,
  anomaly: anomalyDetector,
  absent: absentDetector,
};

/** The detector for a condition, typed for it. */
export function detectorFor<C extends Condition>(condition: C): Detector<C> {
  return DETECTORS[condition.type] as unknown as Detector<C>;
}
