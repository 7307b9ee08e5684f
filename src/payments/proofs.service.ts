import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { inTx, type DbOrTx } from '../db/db.js';
import { insertPaymentProof, selectLatestProof } from './payments.repo.js';
import { AppError, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { getStoreRow } from '../stores/stores.service.js';
import { enqueueMessage } from '../notify/outbox.js';
import {
  findOrder,
  invalidTransition,
  markProofSubmitted,
  storeRecipient,
  type OrderRef,
} from '../orders/orders.repo.js';
import { paymentProofForStore } from '../orders/messages.js';
import { orderView, type OrderView } from '../orders/orders.service.js';
import { checkPaymentTransition } from '../orders/payment-status.js';
import { qrSvg } from '../shared/upi.js';
import { upi } from '../orders/payment-methods.js';

/** A payment screenshot: JPEG, PNG or WebP by its bytes (never by name or header), at most 5 MB. */
export const MAX_PROOF_BYTES = 5 * 1024 * 1024;
const PROOF_TYPES: Readonly<Record<string, string>> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

type ProofConfig = Pick<Config, 'dataDir' | 'publicUrl'>;

export function proofsDir(dataDir: string): string {
  return path.join(dataDir, 'uploads', 'proofs');
}

/** The image type of the bytes, or null when they are not a JPEG, PNG or WebP. */
export async function detectProofType(bytes: Uint8Array): Promise<{ mime: string; ext: string } | null> {
  // Loaded on the first upload, not with the app (it is large and most workers never see an upload).
  const { fileTypeFromBuffer } = await import('file-type');
  const type = await fileTypeFromBuffer(bytes);
  if (!type) return null;
  const ext = PROOF_TYPES[type.mime];
  return ext ? { mime: type.mime, ext } : null;
}

function refuseUnlessProofAccepted(order: {
  payment_status: Parameters<typeof checkPaymentTransition>[0];
  status: Parameters<typeof checkPaymentTransition>[3];
}) {
  const check = checkPaymentTransition(order.payment_status, 'proof_submitted', 'customer', order.status);
  if (!check.ok) throw invalidTransition(check.message);
}

/**
 * Stores the customer's payment proof under DATA_DIR/uploads/proofs/<random>.<ext>, records it and moves the
 * payment to `proof_submitted`; the store is told through the outbox. 415 for anything but JPEG/PNG/WebP bytes,
 * 409 invalid_transition once the order is paid, refunded, rejected or cancelled.
 */
export async function submitPaymentProof(
  db: DbOrTx,
  config: ProofConfig,
  trackingToken: string,
  bytes: Buffer,
): Promise<OrderView> {
  if (bytes.length > MAX_PROOF_BYTES) throw new AppError(413, 'payload_too_large', 'The file is larger than 5 MB');
  const ref: OrderRef = { by: 'token', trackingToken };
  refuseUnlessProofAccepted(await findOrder(db, ref));
  const type = await detectProofType(bytes);
  if (!type) throw new AppError(415, 'unsupported_media_type', 'Send a JPEG, PNG or WebP image');

  const dir = proofsDir(config.dataDir);
  await fs.mkdir(dir, { recursive: true });
  const fileName = `${randomBytes(16).toString('hex')}.${type.ext}`;
  const filePath = path.join(dir, fileName);
  await fs.writeFile(filePath, bytes, { flag: 'wx' });
  try {
    return await inTx(db, async (tx) => {
      const order = await findOrder(tx, ref, { lock: true });
      refuseUnlessProofAccepted(order);
      await insertPaymentProof(tx, {
        id: newId(),
        orderId: order.id,
        fileName,
        contentType: type.mime,
        sizeBytes: bytes.length,
      });
      await markProofSubmitted(tx, order.id);
      const store = await getStoreRow(tx, order.store_id);
      const view = await orderView(tx, await findOrder(tx, ref), store, config);
      const recipient = await storeRecipient(tx, store);
      if (recipient)
        await enqueueMessage(tx, {
          topic: 'order.payment_proof',
          recipient,
          text: paymentProofForStore(view, store),
          data: { orderId: order.id, storeId: store.id },
        });
      return view;
    });
  } catch (err) {
    await fs.rm(filePath, { force: true });
    throw err;
  }
}

/** The latest proof of an order, for the customer (by token) or the store's members. */
export async function readPaymentProof(
  db: DbOrTx,
  config: Pick<Config, 'dataDir'>,
  ref: OrderRef,
): Promise<{ contentType: string; bytes: Buffer }> {
  const order = await findOrder(db, ref);
  const proof = await selectLatestProof(db, order.id);
  if (!proof) throw notFound('No payment proof for this order');
  try {
    return {
      contentType: proof.content_type,
      bytes: await fs.readFile(path.join(proofsDir(config.dataDir), path.basename(proof.file_name))),
    };
  } catch {
    throw notFound('The payment proof file is missing');
  }
}

/** The UPI link of an order as a QR code (SVG); 404 unless the order is paid by UPI and the store has a VPA. */
export async function orderUpiQrSvg(
  db: DbOrTx,
  config: Pick<Config, 'publicUrl'>,
  trackingToken: string,
): Promise<string> {
  const order = await findOrder(db, { by: 'token', trackingToken });
  if (order.payment_method !== upi.id) throw notFound('This order is not paid by UPI');
  const store = await getStoreRow(db, order.store_id);
  const view = await orderView(db, order, store, config);
  if (!view.upiUrl) throw notFound('The store has no UPI address');
  return qrSvg(view.upiUrl);
}
