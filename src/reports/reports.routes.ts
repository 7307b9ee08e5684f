/** `GET /stores/{storeId}/reports/sales` (members: owner and staff). */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { getStoreRow } from '../stores/stores.service.js';
import { StoreParams } from '../stores/stores.schema.js';
import { Readable } from 'node:stream';
import { exportOrdersCsv, resolveRange, salesReport } from './reports.service.js';
import { OrdersExportQuery, SalesQuery, SalesReportSchema } from './reports.schema.js';

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
  app.get(
    '/stores/:storeId/orders/export',
    {
      schema: {
        tags: ['orders'],
        security: [{ bearer: [] }],
        params: StoreParams,
        querystring: OrdersExportQuery,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const store = await getStoreRow(app.db, request.params.storeId);
      const { from, to } = resolveRange(request.query.from, request.query.to); // 400 before the stream starts
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${store.slug}-orders-${from}-${to}.csv"`)
        .send(Readable.from(exportOrdersCsv(app.db, store, { from, to })));
    },
  );
};
