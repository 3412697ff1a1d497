import type { ErrorBody, ErrorCode } from '@pulseboard/shared';
import type { FastifyError, FastifyInstance } from 'fastify';
import { API_BODY_LIMIT_BYTES } from './config.ts';
import type { Core } from './core.ts';
import { AppError, LimitError } from './errors.ts';

/** Fastify's own errors, translated into the catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PULSE_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'PULSE_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'PULSE_ERR_VALIDATION',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'PULSE_ERR_VALIDATION',
  FST_ERR_CTP_INVALID_JSON_BODY: 'PULSE_ERR_VALIDATION',
  FST_ERR_VALIDATION: 'PULSE_ERR_VALIDATION',
};

/** One place that turns any thrown error into `{ code, message }`; 5xx details stay in the log. */
export function installErrorHandler(app: FastifyInstance, core: Core): void {
  app.setErrorHandler((thrown: FastifyError | AppError, request, reply) => {
    const error = core.diskFull.check(thrown) ?? thrown;
    const body = toBody(error);
    const status = error instanceof AppError ? error.statusCode : (error.statusCode ?? 500);
    if (status >= 500 && !(error instanceof AppError)) request.log.error({ err: error }, 'request failed');
    core.metrics.rejected.inc({ code: body.code });
    if (error instanceof LimitError) core.metrics.limitRefusals.inc({ limit: error.limit });
    if (error instanceof AppError) reply.headers(error.headers);
    return reply.code(status >= 400 ? status : 500).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      code: 'PULSE_ERR_NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    };
    return reply.code(404).send(body);
  });
}

function toBody(error: FastifyError | AppError): ErrorBody {
  if (error instanceof AppError) return error.toBody();
  const code = FASTIFY_CODES[error.code];
  if (code === 'PULSE_ERR_VALIDATION' && error.validation) {
    const first = error.validation[0];
    const field = first?.instancePath
      ? first.instancePath.slice(1).replaceAll('/', '.')
      : (first?.params?.missingProperty as string | undefined);
    return { code, message: `${field ?? error.validationContext ?? 'request'}: ${first?.message ?? error.message}` };
  }
  if (code === 'PULSE_ERR_VALIDATION') return { code, message: `body: ${error.message}` };
  if (code === 'PULSE_ERR_BODY_TOO_LARGE') {
    return { code, message: `body: over ${API_BODY_LIMIT_BYTES / 1024} KiB, the limit for requests other than ingest` };
  }
  if (code) return { code, message: error.message };
  if (error.statusCode && error.statusCode < 500) return { code: 'PULSE_ERR_VALIDATION', message: error.message };
  return { code: 'PULSE_ERR_INTERNAL', message: 'internal error; see the server log' };
}
