import type { FastifyRequest } from 'fastify';
import { validationFailed } from '../shared/errors.js';
import { UPI_REFERENCE } from '../orders/orders.schema.js';

/** The parts of a payment-proof upload: the image (`file`) and the optional UPI reference, in either order. */
export interface ProofUpload {
  file: { fieldname: string; bytes: Buffer; truncated: boolean } | null;
  /** as typed; checked by `upiReference` */
  reference: string | null;
}

/**
 * Reads a multipart proof upload: at most one file of `maxBytes` (the stream stops there: `truncated`) and a few
 * short text fields, of which only `reference` is kept.
 */
export async function readProofUpload(request: FastifyRequest, maxBytes: number): Promise<ProofUpload> {
  const out: ProofUpload = { file: null, reference: null };
  const parts = request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 4, fieldSize: 1000 } });
  for await (const part of parts) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      out.file = { fieldname: part.fieldname, bytes, truncated: part.file.truncated };
    } else if (part.fieldname === 'reference' && typeof part.value === 'string') {
      out.reference = part.value;
    }
  }
  return out;
}

/**
 * The UPI transaction reference (UTR) a customer typed: spaces and dashes dropped, then exactly 12 digits; empty
 * means none. Anything else is `422 validation_failed` on `/reference`.
 */
export function upiReference(
  typed: string | null | undefined,
  message = 'The UPI reference is 12 digits',
): string | null {
  const value = (typed ?? '').replace(/[\s-]/g, '');
  if (value === '') return null;
  if (!UPI_REFERENCE.test(value))
    throw validationFailed(message, [{ code: 'invalid', path: '/reference', message: 'exactly 12 digits' }], 422);
  return value;
}
