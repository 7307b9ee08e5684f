/** The one multipart/form-data builder of the tests: fields and files, as a browser or curl would send them. */
import type { FastifyInstance } from 'fastify';

export interface MultipartPart {
  name: string;
  /** Present for a file part. */
  filename?: string;
  /** The part's Content-Type (files). */
  type?: string;
  data: Buffer | string;
}

export function multipartBody(parts: MultipartPart[]): { payload: Buffer; contentType: string } {
  const boundary = `----dukaan${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const file = part.filename !== undefined ? `; filename="${part.filename}"` : '';
    const disposition = `form-data; name="${part.name}"${file}`;
    const type = part.type ? `Content-Type: ${part.type}\r\n` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Uploads a product picture through POST /stores/{storeId}/images as its owner; returns the answered `url`. */
export async function uploadImage(
  app: FastifyInstance,
  token: string,
  storeId: string,
  bytes: Buffer,
): Promise<string> {
  const { payload, contentType } = multipartBody([
    { name: 'file', filename: 'a.jpg', type: 'image/jpeg', data: bytes },
  ]);
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/stores/${storeId}/images`,
    payload,
    headers: { 'content-type': contentType, authorization: `Bearer ${token}` },
  });
  if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body).url;
}
