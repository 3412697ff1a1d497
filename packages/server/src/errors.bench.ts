import { bench, describe } from 'vitest';
import { AppError } from './errors.ts';

// `npm run bench:micro`: refusing a series throws an AppError; an export of 60,000 series past a limit throws
// 60,000. A 4xx skips the stack (nobody logs it); the plain Error beside it is what each cost before.
function deep(n: number, make: () => Error): Error {
  return n === 0 ? make() : deep(n - 1, make);
}

describe('a refusal', () => {
  bench('AppError 400, 20 frames deep (no stack)', () => {
    deep(20, () => new AppError('PULSE_ERR_CARDINALITY', 'over the limit'));
  });
  bench('Error, 20 frames deep (with its stack, as a 4xx was before)', () => {
    deep(20, () => new Error('over the limit'));
  });
});
