import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

/**
 * Routes for the process-level tests of the pool, registered only when DUKAAN_TEST_ROUTES=1.
 * `GET /__test/slow?ms=N` answers `{ ok: true, pid }` after N ms: a request that is in flight on purpose, and a way
 * to see which worker served it.
 */
export const poolTestRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/__test/slow',
    {
      schema: {
        hide: true,
        querystring: Type.Object({ ms: Type.Integer({ minimum: 0, maximum: 30_000, default: 0 }) }),
        response: { 200: Type.Object({ ok: Type.Boolean(), pid: Type.Integer() }) },
      },
    },
    async (request) => {
      await new Promise((resolve) => setTimeout(resolve, request.query.ms));
      return { ok: true, pid: process.pid };
    },
  );
};
