import Type from 'typebox';

/** The one catalogue of coded errors: every 4xx/5xx body is `{ code, message }` with one of these codes. */
export const ERROR_CODES = {
  PULSE_ERR_VALIDATION: 400,
  PULSE_ERR_CARDINALITY: 400,
  PULSE_ERR_TYPE_CONFLICT: 400,
  PULSE_ERR_UNAUTHORIZED: 401,
  PULSE_ERR_FORBIDDEN: 403,
  PULSE_ERR_NOT_FOUND: 404,
  PULSE_ERR_BODY_TOO_LARGE: 413,
  PULSE_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  PULSE_ERR_RATE_LIMITED: 429,
  PULSE_ERR_INTERNAL: 500,
  PULSE_ERR_OVERLOADED: 503,
  PULSE_ERR_NOT_READY: 503,
  PULSE_ERR_SERIES_TOO_LARGE: 400,
  /** A name, unit or attribute holding U+0000: series keys are NUL-separated, and PostgreSQL text refuses it. */
  PULSE_ERR_NUL_CHARACTER: 400,
  /**
   * A name, unit or attribute that is not Unicode text (a lone UTF-16 surrogate: no UTF-8 column can hold it),
   * or a service or metric name or unit with a control character.
   */
  PULSE_ERR_INVALID_TEXT: 400,
  PULSE_ERR_QUERY_TOO_LARGE: 400,
  /** Live socket only (an error message, no HTTP status): over a per-socket limit such as subscriptions. */
  PULSE_ERR_LIVE_LIMIT: 400,
  /** A stored collection is full (silences, API rules): nothing is added until one is removed. */
  PULSE_ERR_LIMIT_REACHED: 409,
  PULSE_ERR_DISK_FULL: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/** `ErrorBody` for the OpenAPI document. */
export const ErrorBodySchema = Type.Object({
  code: Type.Union(Object.keys(ERROR_CODES).map((code) => Type.Literal(code))),
  message: Type.String({ description: 'what went wrong; a 400 names the field or parameter' }),
});
