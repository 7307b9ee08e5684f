import type { Queryable } from '../db/db.js';

export interface ProofFiles {
  file_name: string;
  view_file_name: string | null;
}

export async function insertProof(
  q: Queryable,
  row: {
    id: string;
    orderId: string;
    storeId: string;
    fileName: string;
    viewFileName: string;
    contentType: string;
    sizeBytes: number;
    width: number;
    height: number;
    /** the order's total when the proof came (flagged when the total rises above it) */
    orderTotal: number;
    reference: string | null;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO payment_proofs
       (id, order_id, store_id, file_name, view_file_name, content_type, size_bytes, width, height, order_total,
        reference)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      row.id,
      row.orderId,
      row.storeId,
      row.fileName,
      row.viewFileName,
      row.contentType,
      row.sizeBytes,
      row.width,
      row.height,
      row.orderTotal,
      row.reference,
    ],
  );
}

/** Deletes all but the newest `keep` proofs of an order; returns their files (removed after commit). */
export async function trimProofs(
  q: Queryable,
  order: { id: string; storeId: string },
  keep: number,
): Promise<ProofFiles[]> {
  const { rows } = await q.query<ProofFiles>(
    `DELETE FROM payment_proofs WHERE store_id = $3 AND id IN (
       SELECT id FROM payment_proofs WHERE order_id = $1 AND store_id = $3 ORDER BY created_at DESC, id DESC OFFSET $2)
     RETURNING file_name, view_file_name`,
    [order.id, keep, order.storeId],
  );
  return rows;
}

/** True when the store was told about a proof of this order less than `seconds` ago. */
export async function proofMessageSentWithin(q: Queryable, orderId: string, seconds: number): Promise<boolean> {
  const { rows } = await q.query(
    `SELECT 1 FROM outbox WHERE topic = 'order.payment_proof' AND payload->'data'->>'orderId' = $1
        AND created_at > now() - make_interval(secs => $2) LIMIT 1`,
    [orderId, seconds],
  );
  return rows.length > 0;
}

export async function latestProof(
  q: Queryable,
  order: { id: string; storeId: string },
): Promise<{ file_name: string; view_file_name: string | null; content_type: string } | null> {
  const { rows } = await q.query<{ file_name: string; view_file_name: string | null; content_type: string }>(
    `SELECT file_name, view_file_name, content_type FROM payment_proofs WHERE order_id = $1 AND store_id = $2
      ORDER BY created_at DESC, id DESC LIMIT 1`,
    [order.id, order.storeId],
  );
  return rows[0] ?? null;
}
