/**
 * `POST /stores/{storeId}/products/import` (`text/csv` body, or multipart with one `file`; `?dryRun=true`) and
 * `GET /stores/{storeId}/products/export` (the same CSV). Owner and staff.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../shared/errors.js';
import { multipartBody } from '../shared/schema.js';
import { getStoreRow } from '../stores/stores.service.js';
import { StoreParams } from '../stores/stores.schema.js';
import { exportProducts, importProducts } from './import.service.js';

export const IMPORT_BODY_LIMIT = 10 * 1024 * 1024;

const ImportResultSchema = Type.Object(
  {
    created: Type.Integer(),
    updated: Type.Integer(),
    unchanged: Type.Integer(),
    errors: Type.Array(Type.Object({ row: Type.Integer(), code: Type.String(), message: Type.String() })),
  },
  { $id: 'ImportResult' },
);

/**
 * The two request bodies, for the OpenAPI document only (`config.openapiBody`, see src/server/openapi.ts). The
 * handler reads the body itself (`csvText`) and reports bad rows in `errors`; a `body` schema would make Fastify
 * validate it first (and refuse a multipart request, whose body is not parsed before the handler). `consumes`
 * stays the list of media types the input guard lets through.
 */
const ImportRequestBody = {
  content: {
    'text/csv': { schema: Type.String({ description: 'The CSV: a header row, then one row per variant' }) },
    ...multipartBody({ file: Type.String({ format: 'binary', description: 'The CSV file' }) }).content,
  },
};

async function csvText(request: FastifyRequest): Promise<string> {
  if (request.isMultipart()) {
    const file = await request.file();
    if (!file) throw new AppError('validation_failed', 'Send the CSV as the multipart field "file"');
    return (await file.toBuffer()).toString('utf8');
  }
  if (typeof request.body === 'string') return request.body;
  throw new AppError('unsupported_media_type', 'Send the CSV as text/csv or as a multipart file');
}

export const productImportRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.addContentTypeParser(
    ['text/csv', 'text/plain'],
    { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT },
    (_r, body, done) => done(null, body),
  );
  const security = [{ bearer: [] }];
  app.post(
    '/stores/:storeId/products/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      config: { openapiBody: ImportRequestBody },
      schema: {
        tags: ['catalog'],
        security,
        params: StoreParams,
        querystring: Type.Object({ dryRun: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) }),
        consumes: ['text/csv', 'multipart/form-data'],
        response: { 200: ImportResultSchema },
      },
    },
    async (request, reply) => {
      const text = await csvText(request);
      const store = await getStoreRow(app.db, request.params.storeId);
      const dryRun = request.query.dryRun === 'true';
      return app.answerWithWork(request, reply, 200, (q) => importProducts(q, store, text, dryRun));
    },
  );
  app.get(
    '/stores/:storeId/products/export',
    { schema: { tags: ['catalog'], security, params: StoreParams, produces: ['text/csv'] } },
    async (request, reply) => {
      const store = await getStoreRow(app.db, request.params.storeId);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${store.slug}-products.csv"`)
        .send(await exportProducts(app.db, store));
    },
  );
};
