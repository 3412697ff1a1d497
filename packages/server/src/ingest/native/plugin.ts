import { IngestAcceptedSchema, NativeBatchSchema } from '@pulseboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { type Core, foldContext } from '../../core.ts';
import { bodyOptions, readBody } from '../body.ts';

/** `POST /api/v1/metrics`: the native JSON batch; 202 `{accepted}` once the batch is durably stored. */
export const nativeIngestPlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  // Bodies go to the decode workers as bytes: parsing, validation and folding happen there, in parallel
  // with the main thread's commits.
  // Read under the body limit (after decompression: gzip is accepted too) and the in-flight budget.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (request, payload, done) => {
    readBody(payload, bodyOptions(core, request)).then(
      (body) => done(null, body),
      (error: Error) => done(error, undefined),
    );
  });
  core.bodies.releaseOnResponse(app);
  core.arrivals.track(app);
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
      const { packed } = await core.decoders.native(request.body as Buffer, foldContext(core));
      const accepted = await core.aggregator.submitPacked([packed]);
      return reply.code(202).send({ accepted });
    },
  );
};
