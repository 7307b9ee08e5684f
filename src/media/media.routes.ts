import fs from 'node:fs';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ImageFilePart, multipartBody } from '../shared/schema.js';
import { requireStoreMember } from '../stores/membership.js';
import { validationFailed } from '../shared/errors.js';
import { MAX_IMAGE_BYTES, MEDIA_PATH, mediaFilePath, storeImage, type StoredImage } from './images.js';

export const UploadedImageSchema = Type.Object(
  {
    url: Type.String({ description: "Put this in a product's `images`" }),
    width: Type.Integer(),
    height: Type.Integer(),
  },
  { $id: 'UploadedImage' },
);

const ImageParams = Type.Object({ storeId: Type.String({ maxLength: 100 }) });
const MediaParams = Type.Object({ name: Type.String({ maxLength: 100 }) });

/** A year: a name is never reused for other bytes, so caches may keep it for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Reads the one file of a multipart request and stores it as a product image. Shared by the API and the
 * dashboard's upload forms. 415 for a request that is not multipart, 413 past 5 MB, 400 without a file.
 */
export async function receiveImageUpload(request: FastifyRequest): Promise<StoredImage> {
  const file = await request.file({ limits: { fileSize: MAX_IMAGE_BYTES, files: 1 } });
  if (!file)
    throw validationFailed('Send the image as a multipart file field named "file"', [
      { code: 'required', path: '/file', message: 'is required' },
    ]);
  const bytes = await file.toBuffer();
  return storeImage(request.server.config.dataDir, bytes);
}

/** `POST /api/v1/stores/{storeId}/images` for API clients, and `GET /media/{name}` for everyone. */
export const mediaRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/v1/stores/:storeId/images',
    {
      preHandler: requireStoreMember,
      // For the OpenAPI document only (src/server/openapi.ts): receiveImageUpload reads and checks the file itself.
      config: { openapiBody: multipartBody({ file: ImageFilePart }) },
      schema: {
        tags: ['catalog'],
        summary: 'Upload a product image (multipart, one JPEG/PNG/WebP `file`, at most 5 MB)',
        description:
          'Stored as WebP in two widths (400 and 1200 px, never enlarged). ' +
          "Put the answered `url` in a product's `images`.",
        security: [{ bearer: [] }],
        consumes: ['multipart/form-data'],
        params: ImageParams,
        response: { 201: UploadedImageSchema },
      },
    },
    async (request, reply) => {
      const image = await receiveImageUpload(request);
      return reply.code(201).send({ url: image.url, width: image.width, height: image.height });
    },
  );

  app.get(`${MEDIA_PATH}/:name`, { schema: { hide: true, params: MediaParams } }, async (request, reply) => {
    const file = mediaFilePath(app.config.dataDir, request.params.name);
    const stat = file ? await fs.promises.stat(file).catch(() => null) : null;
    if (!file || !stat?.isFile()) return reply.callNotFound();
    const etag = `"${request.params.name}"`;
    reply.header('cache-control', IMMUTABLE).header('etag', etag).header('last-modified', stat.mtime.toUTCString());
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('image/webp').header('content-length', stat.size).send(fs.createReadStream(file));
  });
};
