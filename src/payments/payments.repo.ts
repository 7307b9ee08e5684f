/** SQL of payment proofs. Everything here takes a Queryable (a Db or a Tx). */
import type { Queryable } from '../db/db.js';

export async function insertPaymentProof(
  q: Queryable,
  proof: { id: string; orderId: string; fileName: string; contentType: string; sizeBytes: number },
): Promise<void> {
  await q.query(
    `INSERT INTO payment_proofs (id, order_id, file_name, content_type, size_bytes) VALUES ($1, $2, $3, $4, $5)`,
    [proof.id, proof.orderId, proof.fileName, proof.contentType, proof.sizeBytes],
  );
}

/** The order's latest proof, or null. */
export async function selectLatestProof(
  q: Queryable,
  orderId: string,
): Promise<{ file_name: string; content_type: string } | null> {
  const { rows } = await q.query<{ file_name: string; content_type: string }>(
    `SELECT file_name, content_type FROM payment_proofs WHERE order_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [orderId],
  );
  return rows[0] ?? null;
}
