/**
 * Forms with a file (product images). `@fastify/multipart` does not fill `request.body`, so the CSRF token
 * arrives as one more part: the fields are read (the file buffered, at most 5 MB), the token is checked, and
 * only then is anything decoded or stored. A form sent urlencoded (no file chosen, or a test) works the same.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_IMAGE_BYTES } from '../../media/images.js';
import { formBody, type FormBody } from '../forms.js';

export interface UploadedFile {
  filename: string;
  bytes: Buffer;
}

export interface MultipartForm {
  fields: FormBody;
  /** null when no file was chosen (browsers still send an empty part for an empty file input). */
  file: UploadedFile | null;
}

/** Reads every part of a form post: text fields (repeated names become arrays) and at most one file. */
export async function readForm(
  request: FastifyRequest,
  opts: { maxFields?: number; maxFileBytes?: number } = {},
): Promise<MultipartForm> {
  if (!request.isMultipart()) return { fields: formBody(request), file: null };
  const fields: FormBody = {};
  let file: UploadedFile | null = null;
  const maxFields = opts.maxFields ?? 50;
  const parts = request.parts({
    limits: {
      fileSize: opts.maxFileBytes ?? MAX_IMAGE_BYTES,
      files: 1,
      fields: maxFields,
      parts: maxFields + 1,
      fieldSize: 10_000,
    },
  });
  for await (const part of parts) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      if (part.filename !== '' || bytes.length > 0) file = { filename: part.filename, bytes };
      continue;
    }
    const value = typeof part.value === 'string' ? part.value : String(part.value ?? '');
    const existing = fields[part.fieldname];
    fields[part.fieldname] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return { fields, file };
}

/**
 * Checks the form's `_csrf` token with @fastify/csrf-protection (the same check `app.csrfProtection` makes for
 * urlencoded forms). On failure the plugin has already answered 403 (the page error handler renders it) and
 * this returns false: the caller must stop.
 */
export function csrfPasses(request: FastifyRequest, reply: FastifyReply, fields: FormBody): boolean {
  if (!request.isMultipart()) {
    // Urlencoded: already parsed into request.body, where the plugin looks.
  } else {
    (request as { body: unknown }).body = fields;
  }
  let passed = false;
  request.server.csrfProtection(request, reply, () => {
    passed = true;
  });
  return passed;
}
