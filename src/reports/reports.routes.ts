/** `GET /stores/{storeId}/reports/sales` (members: owner and staff). */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { getStoreRow } from '../stores/stores.service.js';
import { StoreParams } from '../stores/stores.schema.js';
import { salesReport } from './reports.service.js';
import { SalesQuery, SalesReportSchema } from './reports.schema.js';

export const reportRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/stores/:storeId/reports/sales',
    {
      schema: {
        tags: ['reports'],
        security: [{ bearer: [] }],
        params: StoreParams,
        querystring: SalesQuery,
        response: { 200: SalesReportSchema },
      },
    },
    async (request) => salesReport(app.db, await getStoreRow(app.db, request.params.storeId), request.query),
  );
};
