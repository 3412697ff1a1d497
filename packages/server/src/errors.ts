import { ERROR_CODES, type ErrorBody, type ErrorCode } from '@pulseboard/shared';

/** An error a client caused or should know about; the error handler turns it into `{ code, message }`. */
export class AppError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.statusCode = ERROR_CODES[code];
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

export const badRequest = (message: string) => new AppError('PULSE_ERR_VALIDATION', message);
export const notFound = (message: string) => new AppError('PULSE_ERR_NOT_FOUND', message);
export const overloaded = (retryAfterSeconds: number) =>
  new AppError('PULSE_ERR_OVERLOADED', 'the server is busy writing earlier data; retry shortly', {
    'retry-after': String(retryAfterSeconds),
  });

/** Which limit refused something: the `limit` label of `pulseboard_limit_refusals_total`. */
export type LimitName = 'series' | 'services' | 'series_per_service' | 'series_bytes' | 'inflight_bytes';

/** A refusal by one of the limits that keep memory bounded; counted in /metrics by `limit`. */
export class LimitError extends AppError {
  constructor(
    readonly limit: LimitName,
    code: ErrorCode,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(code, message, headers);
  }
}
