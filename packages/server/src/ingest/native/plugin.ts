import { IngestAcceptedSchema, NativeBatchSchema } from '@pulseboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { type Core, directBefore } from '../../core.ts';
import { DEFAULT_LIMITS } from './decode.ts';
import { DecodePool } from './decode-pool.ts';

/** `POST /api/v1/metrics`: the native JSON batch; 202 `{accepted}` once the batch is durably stored. */
export const nativeIngestPlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  const limits = { ...DEFAULT_LIMITS, maxAgeMs: Math.max(...core.config.retentionMs) };
  // Bodies go to the decode worker as bytes: parsing, validation and folding happen there, in parallel
  // with the main thread's commits. Up to four bodies at the limit may wait before ingest answers 503.
  const pool = new DecodePool(limits, 4 * core.config.bodyLimitBytes, core.config.ingestWorkers);
  app.addHook('onClose', async () => {
    await pool.close();
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post(
    '/api/v1/metrics',
    {
      bodyLimit: core.config.bodyLimitBytes,
      schema: {
        tags: ['ingest'],
        summary: 'Ingest a native JSON batch (all-or-nothing)',
        // Documented, not validated by the schema layer: the worker's decoder is faster and names the item.
        body: NativeBatchSchema,
        response: { 202: IngestAcceptedSchema },
      },
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const now = core.now();
      const packed = await pool.decode(
        request.body as Buffer,
        now,
        core.window.openFrom,
        directBefore(core.config, now),
      );
      const accepted = await core.aggregator.submitPacked(packed);
      return reply.code(202).send({ accepted });
    },
  );
};
