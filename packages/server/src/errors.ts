import { ERROR_CODES, type ErrorBody, type ErrorCode } from '@pulseboard/shared';

/** An error a client caused or should know about; the error handler turns it into `{ code, message }`. */
export class AppError extends Error {
  // Declared, not initialised fields: their assignments must follow `super`, which sits in a try below, and a
  // transpiler puts field initialisers (and parameter properties) before it there.
  declare readonly code: ErrorCode;
  declare readonly headers: Record<string, string>;
  declare readonly statusCode: number;

  constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    // A client's mistake needs no stack: the error handler never logs one, and capturing it was most of
    // refusing a series (an export of 60,000 series past the limit held the event loop ~0.3 s for it).
    const status = ERROR_CODES[code];
    const limit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.code = code;
    this.headers = headers;
    this.statusCode = status;
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
