import { AppError } from '../errors.ts';
import { requestHeap } from './heap-guard.ts';

/**
 * The buckets one request's fold may still open, each a row of its commit and most with a sketch (see
 * `FoldOptions.maxBuckets`). Past it the request is refused with 413 before the buckets take the memory:
 * 200,000 seconds of one series over a week in a 4 MB batch took a decode worker past its heap, and every
 * request in flight on that worker answered 500.
 */
export class BucketBudget {
  private left: number;

  constructor(readonly max: number) {
    this.left = max;
  }

  spend(buckets: number): void {
    // Their number is bounded here; what they take of the heap (a sketch's size varies a hundredfold), there.
    requestHeap.spend(buckets);
    this.left -= buckets;
    if (this.left >= 0) return;
    throw new AppError(
      'PULSE_ERR_BODY_TOO_LARGE',
      `body: its observations fill more than ${this.max.toLocaleString('en-US')} buckets (a series' 10 s, minute or hour, or a service's or route's second, 10 s, minute or hour each), the most one request may; send them in smaller requests`,
    );
  }
}
