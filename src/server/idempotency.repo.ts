/**
 * The SQL of idempotency keys (migration 001's idempotency_keys): the claim (a lease), the stored answer, and the
 * purge. The rules — scopes, waiting, replaying — are in ./idempotency.ts.
 */
import { NON_DURABLE_COMMIT_SQL, type Queryable } from '../db/db.js';

export interface KeyRow {
  request_hash: string;
  state: 'running' | 'done';
  response_status: number | null;
  response_body: string | null;
  response_type: string | null;
}

export interface KeyRef {
  scope: string;
  key: string;
}

/**
 * Inserts the key as 'running' with a lease of `leaseSeconds`, or takes over one whose holder's lease ran out (same
 * request hash); true when this caller holds it now. The claim's commit does not wait for the WAL flush
 * (NON_DURABLE_COMMIT_SQL): see claimKey's caller for why that is safe.
 */
export async function claimKey(q: Queryable, ref: KeyRef, hash: string, leaseSeconds: number): Promise<boolean> {
  // rows, not rowCount: PGlite counts the INSERT's rows for rowCount, PostgreSQL the SELECT's.
  const { rows } = await q.query(
    `WITH claimed AS (
       INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until)
       VALUES ($1, $2, $3, 'running', now() + make_interval(secs => $4))
       ON CONFLICT (scope, key) DO UPDATE SET locked_until = EXCLUDED.locked_until
         WHERE idempotency_keys.state = 'running' AND idempotency_keys.locked_until < now()
           AND idempotency_keys.request_hash = EXCLUDED.request_hash
       RETURNING 1)
     SELECT 1 FROM claimed WHERE ${NON_DURABLE_COMMIT_SQL} IS NOT NULL`,
    [ref.scope, ref.key, hash, leaseSeconds],
  );
  return rows.length === 1;
}

/**
 * SQL: the key's record as one JSON value (KeyRow's fields), null when there is none; the scope and key are bound at
 * `scopeParam` and `keyParam` ('$3', '$4'). A column of another statement: a route that records its own keys reads
 * the record in its first statement instead of a statement of its own (a checkout: with the store and the cart).
 */
export const keyRecordJsonSql = (scopeParam: string, keyParam: string): string =>
  `(SELECT row_to_json(k) FROM (SELECT request_hash, state, response_status, response_body, response_type
                                  FROM idempotency_keys WHERE scope = ${scopeParam} AND key = ${keyParam}) k)`;

export async function readKey(q: Queryable, ref: KeyRef): Promise<KeyRow | null> {
  const { rows } = await q.query<KeyRow>(
    `SELECT request_hash, state, response_status, response_body, response_type
       FROM idempotency_keys WHERE scope = $1 AND key = $2`,
    [ref.scope, ref.key],
  );
  return rows[0] ?? null;
}

/** Gives up a running claim (the request failed with a 5xx: a retry runs again). */
export async function releaseClaim(q: Queryable, ref: KeyRef): Promise<void> {
  await q.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'running'`, [
    ref.scope,
    ref.key,
  ]);
}

export interface StoredAnswer {
  status: number;
  body: string;
  type: string;
}

/** The claimed request's answer, stored for repeats. */
export async function storeAnswer(q: Queryable, ref: KeyRef, answer: StoredAnswer): Promise<void> {
  await q.query(
    `UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4, response_type = $5
      WHERE scope = $1 AND key = $2`,
    [ref.scope, ref.key, answer.status, answer.body, answer.type],
  );
}

/**
 * Adds the body to a record its handler wrote with its work; not waiting for the WAL flush (a crash loses only the
 * body, and a repeat then answers the work again).
 */
export async function addAnswerBody(q: Queryable, ref: KeyRef, answer: StoredAnswer): Promise<void> {
  await q.query(
    `UPDATE idempotency_keys SET response_body = $4, response_type = $5
      WHERE scope = $1 AND key = $2 AND response_status = $3 AND response_body IS NULL
        AND ${NON_DURABLE_COMMIT_SQL} IS NOT NULL`,
    [ref.scope, ref.key, answer.status, answer.body, answer.type],
  );
}

/** One finished answer for insertAnswers. */
export interface NewAnswer {
  ref: KeyRef;
  hash: string;
  answer: StoredAnswer;
}

/**
 * Finished answers recorded in ONE statement and one durable commit (the refusals of a route that records its own
 * keys); true for each key recorded now, false for one that already had a record (a concurrent request with the
 * same key wrote one first), which is left as it is. The keys must differ: two rows with the same key in one
 * statement would both read as recorded.
 */
export async function insertAnswers(q: Queryable, answers: readonly NewAnswer[]): Promise<boolean[]> {
  // rows, not rowCount (see claimKey).
  const { rows } = await q.query<{ scope: string; key: string }>(
    `INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until, response_status, response_body,
                                   response_type)
     SELECT a.scope, a.key, a.hash, 'done', now(), a.status, a.body, a.type
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
            AS a(scope, key, hash, status, body, type)
     ON CONFLICT (scope, key) DO NOTHING RETURNING scope, key`,
    [
      answers.map((a) => a.ref.scope),
      answers.map((a) => a.ref.key),
      answers.map((a) => a.hash),
      answers.map((a) => a.answer.status),
      answers.map((a) => a.answer.body),
      answers.map((a) => a.answer.type),
    ],
  );
  const recorded = new Set(rows.map((r) => JSON.stringify([r.scope, r.key])));
  return answers.map((a) => recorded.has(JSON.stringify([a.ref.scope, a.ref.key])));
}

export async function deleteKeysOlderThan(q: Queryable, hours: number): Promise<number> {
  const { rowCount } = await q.query(
    `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`,
    [hours],
  );
  return rowCount;
}
