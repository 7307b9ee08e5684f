import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { type Commit, inTx, type DbOrTx, type Tx } from '../db/db.js';
import { AppError, notFound, validationFailed } from '../shared/errors.js';
import { insertProof, latestProof, proofMessageSentWithin, trimProofs, type ProofFiles } from './proofs.repo.js';
import { newId } from '../shared/ids.js';
import { getStoreRow } from '../stores/stores.service.js';
import { enqueueMessage } from '../notify/outbox.js';
import { upiReference } from './proof-upload.js';
import {
  addHistory,
  findOrder,
  invalidTransition,
  markProofSubmitted,
  storeRecipient,
  type OrderRef,
} from '../orders/orders.repo.js';
import { paymentProofForStore } from '../orders/messages.js';
import { orderForMessage, storeForMessage } from '../notify/quote.js';
import { orderView, type OrderView } from '../orders/orders.service.js';
import { checkPaymentTransition } from '../orders/payment-status.js';
import { qrPng, qrSvg } from '../shared/upi.js';
import { upi } from '../orders/payment-methods.js';

/** A payment screenshot: JPEG, PNG or WebP by its bytes (never by name or header), at most 5 MB. */
export const MAX_PROOF_BYTES = 5 * 1024 * 1024;
/** Proofs kept per order; a new one replaces the oldest. */
export const MAX_PROOFS_PER_ORDER = 3;
/** At most one "proof received" message to the store per order in this many seconds. */
export const PROOF_MESSAGE_EVERY_SECONDS = 60;
/** Decoding limits (a decompression bomb is refused before it is decoded). */
export const PROOF_MAX_PIXELS = 40_000_000;
export const PROOF_MAX_SIDE = 10_000;
/** The longer side of the copy shown to the merchant. */
export const PROOF_VIEW_MAX_PX = 1600;
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
 * 409 invalid_transition once the order is paid, refunded, rejected or cancelled. The files are written first and
 * the records in ONE transaction, committed through `commit` (a keyed request's stored answer joins it); the files
 * of a transaction that did not commit are removed, and those of replaced proofs only after it did.
 */
export async function submitPaymentProof(
  db: DbOrTx,
  config: ProofConfig,
  trackingToken: string,
  bytes: Buffer,
  typedReference: string | null = null,
  commit: Commit = (work) => work(db),
): Promise<OrderView> {
  if (bytes.length > MAX_PROOF_BYTES) throw new AppError('payload_too_large', 'The file is larger than 5 MB');
  const reference = upiReference(typedReference);
  const ref: OrderRef = { by: 'token', trackingToken };
  refuseUnlessProofAccepted(await findOrder(db, ref));
  const type = await detectProofType(bytes);
  if (!type) throw new AppError('unsupported_media_type', 'Send a JPEG, PNG or WebP image');

  const copy = await boundedCopy(bytes);

  const dir = proofsDir(config.dataDir);
  await fs.mkdir(dir, { recursive: true });
  const base = randomBytes(16).toString('hex');
  const fileName = `${base}.${type.ext}`;
  const viewFileName = `${base}.view.webp`;
  const filePath = path.join(dir, fileName);
  const viewPath = path.join(dir, viewFileName);
  await fs.writeFile(filePath, bytes, { flag: 'wx' });
  await fs.writeFile(viewPath, copy.bytes, { flag: 'wx' });
  let replaced: ProofFiles[] = [];
  try {
    const record = async (tx: Tx): Promise<OrderView> => {
      const order = await findOrder(tx, ref, { lock: true });
      refuseUnlessProofAccepted(order);
      const store = await getStoreRow(tx, order.store_id);
      // What this proof pays: what the customer was asked for (only the rise, when an older proof is waiting).
      const before = await orderView(tx, order, store, config);
      // At most MAX_PROOFS_PER_ORDER: the newest replaces the oldest (its files go after commit).
      replaced = await trimProofs(tx, { id: order.id, storeId: order.store_id }, MAX_PROOFS_PER_ORDER - 1);
      await insertProof(tx, {
        id: newId(),
        orderId: order.id,
        storeId: order.store_id,
        fileName,
        viewFileName,
        contentType: type.mime,
        sizeBytes: bytes.length,
        width: copy.width,
        height: copy.height,
        orderTotal: order.total,
        reference,
      });
      await markProofSubmitted(tx, order.id);
      const claimed = before.payment.amountToPay > 0 ? before.payment.amountToPay : null;
      await addHistory(
        tx,
        { id: order.id, storeId: order.store_id },
        'proof_submitted',
        'customer',
        reference,
        claimed,
      );
      const view = await orderView(tx, await findOrder(tx, ref), store, config);
      const recipient = await storeRecipient(tx, store);
      // One message per order per minute, however many screenshots arrive.
      if (recipient && !(await proofMessageSentWithin(tx, order.id, PROOF_MESSAGE_EVERY_SECONDS)))
        await enqueueMessage(tx, {
          topic: 'order.payment_proof',
          recipient,
          text: paymentProofForStore(orderForMessage(view), storeForMessage(store)),
          audience: 'store',
          data: { orderId: order.id, storeId: store.id },
        });
      return view;
    };
    const result = await commit((q) => inTx(q, record));
    await removeProofFiles(config.dataDir, replaced);
    return result;
  } catch (err) {
    await fs.rm(filePath, { force: true });
    await fs.rm(viewPath, { force: true });
    throw err;
  }
}

/** Deletes proof files (originals and copies) whose rows are gone. */
export async function removeProofFiles(dataDir: string, files: ProofFiles[]): Promise<void> {
  const dir = proofsDir(dataDir);
  await Promise.all(
    files.flatMap((f) =>
      [f.file_name, f.view_file_name]
        .filter((n): n is string => !!n)
        .map((n) => fs.rm(path.join(dir, path.basename(n)), { force: true })),
    ),
  );
}

/**
 * The copy the merchant sees: decoded under a pixel limit (a decompression bomb is refused, 422), turned upright,
 * at most PROOF_VIEW_MAX_PX on its longer side, re-encoded as WebP. The original bytes are never shown.
 */
export async function boundedCopy(bytes: Buffer): Promise<{ bytes: Buffer; width: number; height: number }> {
  const { default: sharp } = await import('sharp');
  const unreadable = () =>
    validationFailed(
      'The image cannot be read, or it is too large in pixels',
      [
        {
          code: 'invalid',
          path: '/file',
          message: `at most ${PROOF_MAX_PIXELS} pixels and ${PROOF_MAX_SIDE} px a side`,
        },
      ],
      422,
    );
  let meta: { width?: number; height?: number };
  try {
    meta = await sharp(bytes, { limitInputPixels: PROOF_MAX_PIXELS, failOn: 'error', pages: 1 }).metadata();
  } catch {
    throw unreadable();
  }
  if (!meta.width || !meta.height || meta.width > PROOF_MAX_SIDE || meta.height > PROOF_MAX_SIDE) throw unreadable();
  if (meta.width * meta.height > PROOF_MAX_PIXELS) throw unreadable();
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: PROOF_MAX_PIXELS, failOn: 'error', pages: 1 })
      .rotate()
      .resize(PROOF_VIEW_MAX_PX, PROOF_VIEW_MAX_PX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    return { bytes: data, width: info.width, height: info.height };
  } catch {
    throw unreadable();
  }
}

/** The latest proof of an order, for the customer (by token) or the store's members. */
export async function readPaymentProof(
  db: DbOrTx,
  config: Pick<Config, 'dataDir'>,
  ref: OrderRef,
): Promise<{ contentType: string; bytes: Buffer }> {
  const order = await findOrder(db, ref);
  const proof = await latestProof(db, { id: order.id, storeId: order.store_id });
  if (!proof) throw notFound('No payment proof for this order');
  // The bounded re-encoded copy; proofs stored before it existed are served as they are.
  const name = proof.view_file_name ?? proof.file_name;
  try {
    return {
      contentType: proof.view_file_name ? 'image/webp' : proof.content_type,
      bytes: await fs.readFile(path.join(proofsDir(config.dataDir), path.basename(name))),
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
  return qrSvg(await orderUpiUrl(db, config, trackingToken));
}

/** The same QR code as a PNG image (the WhatsApp bot sends it by link after a UPI order). */
export async function orderUpiQrPng(
  db: DbOrTx,
  config: Pick<Config, 'publicUrl'>,
  trackingToken: string,
): Promise<Buffer> {
  return qrPng(await orderUpiUrl(db, config, trackingToken));
}

async function orderUpiUrl(db: DbOrTx, config: Pick<Config, 'publicUrl'>, trackingToken: string): Promise<string> {
  const order = await findOrder(db, { by: 'token', trackingToken });
  if (order.payment_method !== upi.id) throw notFound('This order is not paid by UPI');
  const store = await getStoreRow(db, order.store_id);
  const view = await orderView(db, order, store, config);
  if (!view.upiUrl) throw notFound('The store has no UPI address');
  return view.upiUrl;
}
