import { IngestAcceptedSchema, NativeBatchSchema } from '@pulseboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core.ts';
import { badRequest } from '../../errors.ts';
import { DEFAULT_LIMITS, decodeNativeBatch } from './decode.ts';

/** `POST /api/v1/metrics`: the native JSON batch; 202 `{accepted}` once the batch is durably stored. */
export const nativeIngestPlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  const limits = { ...DEFAULT_LIMITS, maxAgeMs: Math.max(...core.config.retentionMs) };
  // Plain JSON.parse in this plugin's scope: Fastify's default parser also scans the whole text for
  // prototype-poisoning keys, a sixth of the ingest cost. It is safe to skip here: JSON.parse makes
  // `__proto__` an ordinary own key, and the decoder only reads known fields and copies attributes as data.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(badRequest(`body: not valid JSON (${(error as Error).message})`), undefined);
    }
  });
  app.post(
    '/api/v1/metrics',
    {
      bodyLimit: core.config.bodyLimitBytes,
      schema: {
        tags: ['ingest'],
        summary: 'Ingest a native JSON batch (all-or-nothing)',
        // Documented, not validated by the schema layer: the hand-written decoder is faster and names the item.
        body: NativeBatchSchema,
        response: { 202: IngestAcceptedSchema },
      },
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const batch = decodeNativeBatch(request.body, core.now(), limits);
      const accepted = await core.aggregator.submit(batch);
      return reply.code(202).send({ accepted });
    },
  );
};
