import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db, DbOrTx } from '../db/db.js';
import { AppError, toProblem } from '../shared/errors.js';
import { CoalescedWrites } from '../shared/coalesced-writes.js';
import { sha256 } from '../shared/ids.js';
import {
  addAnswerBody,
  claimKey,
  deleteKeysOlderThan,
  insertAnswers,
  keyRecordJsonSql,
  type KeyRow,
  type NewAnswer,
  readKey,
  releaseClaim,
  type StoredAnswer,
  storeAnswer,
} from './idempotency.repo.js';

/** A key's record as an 'in-handler' route's first statement reads it (see recordedKeySql). */
export type RecordedKey = KeyRow;

/**
 * SQL for an 'in-handler' route's first statement: the key's record already there, as one JSON column (null: none),
 * with the key's scope and key bound at the two parameters named. The route passes it to its service, which reads
 * the record with its own first read (a checkout: with the store and the cart) instead of a statement of its own;
 * when there is one, the route answers with answerRecordedKey.
 */
export const recordedKeySql: (scopeParam: string, keyParam: string) => string = keyRecordJsonSql;

/** How long a running request holds its key before another may take it over (its process died). */
const LEASE_SECONDS = 10;
/** How long a repeat waits for the first request to finish before answering 409 idempotency_key_in_use. */
const WAIT_MS = 12_000;
const POLL_MS = 25;
const KEEP_HOURS = 48;
/** At most this many refusals' records in one statement. */
const MAX_RECORDS_PER_STATEMENT = 64;

/**
 * The refusals' records of each database handle: those that arrive while one is being written go together in one
 * statement and one durable commit (a flash sale's 400 losers: a handful of commits, not 400). Two with the same key
 * never share one (insertAnswers).
 */
const refusalRecords = new WeakMap<Db, CoalescedWrites<NewAnswer, boolean>>();

function recordRefusal(db: Db, answer: NewAnswer): Promise<boolean> {
  let writes = refusalRecords.get(db);
  if (!writes) {
    writes = new CoalescedWrites((answers) => insertAnswers(db, answers), {
      max: MAX_RECORDS_PER_STATEMENT,
      clash: (a, b) => a.ref.scope === b.ref.scope && a.ref.key === b.ref.key,
    });
    refusalRecords.set(db, writes);
  }
  return writes.write(answer);
}

interface Claim {
  scope: string;
  key: string;
}

/**
 * What a route that records its own idempotency (`config.idempotency: 'in-handler'`) writes in the same statement
 * as its work: the key, its scope and the request's hash, stored as `done` with the answer's status. One durable
 * commit for the work and its idempotency record together (a checkout: `placeOrder`).
 */
export interface IdempotencyRecord {
  scope: string;
  key: string;
  requestHash: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim?: Claim;
    /**
     * Set for an 'in-handler' route: the handler reads the key's record with its first statement (recordedKeySql),
     * then writes this record with its work, or the answer is stored after.
     */
    idempotencyRecord?: IdempotencyRecord & { written: boolean };
  }
  interface FastifyInstance {
    /** See answerWithWork in src/server/idempotency.ts: a keyed POST's work and its stored answer in one commit. */
    answerWithWork<T>(
      request: FastifyRequest,
      reply: FastifyReply,
      status: number,
      work: (q: DbOrTx) => Promise<T>,
    ): Promise<T>;
  }
  interface FastifyContextConfig {
    /** 'in-handler': the handler writes the idempotency record in its own statement (see IdempotencyRecord). */
    idempotency?: 'in-handler';
  }
}

/**
 * The record an 'in-handler' route writes with its work; null without an Idempotency-Key (or once its first statement
 * found a record: see answerRecordedKey).
 */
export function idempotencyRecordFor(request: FastifyRequest): IdempotencyRecord | null {
  const record = request.idempotencyRecord;
  return record ? { scope: record.scope, key: record.key, requestHash: record.requestHash } : null;
}

/**
 * The handler succeeded and its record is in the database (written by its statement, or by a concurrent repeat's):
 * the answer's body is added to it rather than a new record inserted.
 */
export function markIdempotencyRecorded(request: FastifyRequest): void {
  if (request.idempotencyRecord) request.idempotencyRecord.written = true;
}

/** The handler's work wrote the record WITH its answer (a checkout's order statement): nothing is left to store. */
export function markIdempotencyAnswered(request: FastifyRequest): void {
  request.idempotencyRecord = undefined;
}

/** What the onSend hook stores a JSON answer as (Fastify's own content type for it). */
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * A keyed POST's work and its stored answer in ONE transaction, so the request costs one durable commit instead of
 * two (the work's, then the answer's). `work` runs in the transaction (services join it through `inTx`); its value
 * is serialized as the route would send it with `status` and stored with the work. Without a claim (no
 * Idempotency-Key, or a replay) it is just `work(db)`. A refusal thrown by `work` rolls both back, and the onSend
 * hook stores that answer as for any route. The caller then sends the value with `status`.
 */
async function answerWithWork<T>(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  work: (q: DbOrTx) => Promise<T>,
): Promise<T> {
  const claim = request.idempotencyClaim;
  if (!claim) return work(db);
  const value = await db.tx(async (tx) => {
    const done = await work(tx);
    reply.code(status);
    const body = reply.serialize(done);
    const text = typeof body === 'string' ? body : Buffer.from(body as Uint8Array).toString();
    await storeAnswer(tx, claim, { status, body: text, type: JSON_TYPE });
    return done;
  });
  // Stored with the work: nothing is left for the onSend hook to store.
  request.idempotencyClaim = undefined;
  return value;
}

function canonicalBody(request: FastifyRequest): string {
  if (request.isMultipart()) return `multipart:${request.headers['content-length'] ?? ''}`;
  return JSON.stringify(request.body ?? null);
}

/**
 * Insert the key, or take over one whose holder's lease ran out; otherwise report what is there.
 *
 * The claim is a lease, not the record of an answer, so its commit does not wait for the WAL flush
 * (NON_DURABLE_COMMIT_SQL): whatever the request then commits durably (its work, or the stored answer) flushes the
 * WAL up to and including the claim, which comes before it. A crash before that loses only a claim whose work never
 * committed either, and a retry then runs again, as it should. So a keyed POST waits for the flushes of its work and
 * of its answer, not of its claim.
 */
async function tryClaim(db: Db, claim: Claim, hash: string): Promise<KeyRow | null> {
  if (await claimKey(db, claim, hash, LEASE_SECONDS)) return null;
  return (
    (await readKey(db, claim)) ?? {
      request_hash: hash,
      state: 'running',
      response_status: null,
      response_body: null,
      response_type: null,
    }
  );
}

/**
 * Today's rules for a key that has a record, or that another request holds: the same key with another body is 409
 * idempotency_key_reused; a `done` record is returned (to replay); a running request is waited for (polling), and
 * its key taken over when its lease ran out (then null: this request holds the claim and does the work); 409
 * idempotency_key_in_use after WAIT_MS. `found`: the record already read (null: none read yet).
 */
async function awaitKey(db: Db, claim: Claim, hash: string, found: KeyRow | null): Promise<KeyRow | null> {
  const deadline = Date.now() + WAIT_MS;
  if (found) {
    if (found.request_hash !== hash) throw keyReused();
    if (found.state === 'done') return found;
    // 'running': a claim (a request from before its route recorded its own keys); wait for it as for any route.
  }
  for (;;) {
    const existing = await tryClaim(db, claim, hash);
    if (!existing) return null;
    if (existing.request_hash !== hash) throw keyReused();
    if (existing.state === 'done') return existing;
    if (Date.now() > deadline)
      throw new AppError('idempotency_key_in_use', 'The first request with this Idempotency-Key is still running');
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const keyReused = () =>
  new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body');

function replay(reply: FastifyReply, row: KeyRow) {
  return reply
    .code(row.response_status!)
    .header('idempotent-replayed', 'true')
    .type(row.response_type ?? 'application/json')
    .send(row.response_body ?? '');
}

/** Path parameters that are themselves a secret of one customer (a cart id, an order's tracking token). */
const SECRET_PARAMS = /:(cartId|trackingToken)\b/;

/**
 * Whose key it is: the method and concrete path, and the signed-in merchant; an anonymous caller on a path that
 * holds no secret of theirs (creating a cart) is told apart by a fingerprint of their address and browser, so two
 * customers who send the same key never get each other's cart.
 */
export function idempotencyScope(request: FastifyRequest): string {
  const path = request.url.split('?')[0]!;
  if (request.session) return `POST ${path} ${request.session.merchant.id}`;
  if (SECRET_PARAMS.test(request.routeOptions.url ?? '')) return `POST ${path} -`;
  const fingerprint = sha256(`${request.ip}|${request.headers['user-agent'] ?? ''}`).slice(0, 32);
  return `POST ${path} anon:${fingerprint}`;
}

/**
 * Idempotency-Key for every POST: the first response below 500 is stored in the database and replayed to any
 * repeat with the same key through any worker or server. The scope is the method, the concrete path and the
 * signed-in merchant.
 */
export function registerIdempotency(app: FastifyInstance, db: Db) {
  // A decorator, not an import: the domains' routes sit below src/server in the import graph.
  app.decorate('answerWithWork', <T>(...args: [FastifyRequest, FastifyReply, number, (q: DbOrTx) => Promise<T>]) =>
    answerWithWork(db, ...args),
  );
  // preValidation, not preHandler: the key is read once the body is parsed and before the route's schema checks it,
  // so an answer the schema refuses (400 validation_failed) is stored and replayed like any other below 500, and a
  // key used first with a valid body is 409 idempotency_key_reused for an invalid one. Bodies carry no schema
  // defaults, so the body hashed here is the body the handler gets. What is answered before the body is read (401,
  // tenancy's 404, 413, 415) is not stored: there is no body to hold the key against yet.
  app.addHook('preValidation', async (request, reply) => {
    if (request.method !== 'POST') return;
    const raw = request.headers['idempotency-key'];
    if (raw === undefined) return;
    const key = Array.isArray(raw) ? raw[0]! : raw;
    if (key.length < 1 || key.length > 255) {
      throw new AppError('validation_failed', 'Idempotency-Key must be 1..255 characters', [
        { code: 'invalid', path: 'header/idempotency-key', message: 'must be 1..255 characters' },
      ]);
    }
    const claim: Claim = { scope: idempotencyScope(request), key };
    const hash = sha256(canonicalBody(request));
    if (request.routeOptions.config.idempotency === 'in-handler') {
      // No statement here: the handler reads the key's record with its own first statement (recordedKeySql) and
      // answers a record it finds with answerRecordedKey; it writes this record with its work.
      request.idempotencyRecord = { scope: claim.scope, key, requestHash: hash, written: false };
      return;
    }
    const done = await awaitKey(db, claim, hash, null);
    if (!done) {
      request.idempotencyClaim = claim;
      return;
    }
    return replay(reply, done);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const record = request.idempotencyRecord;
    if (record) {
      request.idempotencyRecord = undefined;
      return storeRecordedAnswer(db, request, reply, payload, record);
    }
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = undefined;
    if (reply.statusCode >= 500 || (payload !== null && typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      // Not stored: a retry runs again.
      await releaseClaim(db, claim).catch(() => {});
      return payload;
    }
    const body = payload === null ? '' : payload.toString();
    try {
      const type = String(reply.getHeader('content-type') ?? 'application/json');
      await storeAnswer(db, claim, { status: reply.statusCode, body, type });
    } catch (err) {
      // The work is done and committed: never turn its answer into an error because the bookkeeping failed
      // (pool exhausted, database blip). The key stays 'running' until its lease ends; a retry then runs
      // again, and checkout finds its order by orders.checkout_key.
      request.log.warn({ err, key: claim.key }, 'could not store the idempotent response');
    }
    return payload;
  });
}

/**
 * An 'in-handler' route's first statement found a record for its key: answers this request as a repeat is answered
 * (the rules the preHandler applies to every other keyed POST). Another body with the same key → 409
 * idempotency_key_reused (thrown); a stored answer → replayed as it is ('sent'); a record without a body (the work
 * committed, its answer's body not stored) → 'answer-again' with `idempotent-replayed`: the handler answers its done
 * work again (a checkout: the order with this checkout_key); a running first request → waited for, then replayed,
 * or its key taken over when its lease ran out ('answer-again': this request now holds the claim, and its answer is
 * stored as any claimed request's). Either way the handler writes no record of its own any more.
 */
export async function answerRecordedKey(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  found: RecordedKey,
): Promise<'sent' | 'answer-again'> {
  const record = request.idempotencyRecord;
  if (!record) throw new Error('answerRecordedKey: the request has no Idempotency-Key record');
  request.idempotencyRecord = undefined;
  const claim: Claim = { scope: record.scope, key: record.key };
  const done = await awaitKey(db, claim, record.requestHash, found);
  if (!done) {
    request.idempotencyClaim = claim;
    return 'answer-again';
  }
  if (done.response_body === null) {
    reply.header('idempotent-replayed', 'true');
    return 'answer-again';
  }
  replay(reply, done);
  return 'sent';
}

/**
 * The answer of an 'in-handler' route. When the handler wrote the record with its work (durably), the body is added
 * without waiting for the flush: a crash may lose only the body, and a repeat then finds the record without one and
 * answers the work again. When it did not (a refusal), the answer is stored now, durably, in one commit shared with
 * the refusals written at the same moment (recordRefusal). Returns the payload to send: this one, or the answer of a
 * record that came first (see answerLateRecord).
 */
async function storeRecordedAnswer(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  record: IdempotencyRecord & { written: boolean },
): Promise<unknown> {
  if (reply.statusCode >= 500 || (payload !== null && typeof payload !== 'string' && !Buffer.isBuffer(payload)))
    return payload;
  const body = payload === null ? '' : payload.toString();
  const type = String(reply.getHeader('content-type') ?? 'application/json');
  const answer = { status: reply.statusCode, body, type };
  try {
    if (record.written) await addAnswerBody(db, record, answer);
    else if (!(await recordRefusal(db, { ref: record, hash: record.requestHash, answer })))
      return await answerLateRecord(db, reply, payload, record, answer);
  } catch (err) {
    request.log.warn({ err, key: record.key }, 'could not store the idempotent response');
  }
  return payload;
}

/**
 * A refusal's record could not be inserted: the key has one its handler's first statement did not see (written by a
 * concurrent request with the same key after that read, or the read found no store or cart to read it with). This
 * request is answered as the preHandler answers a repeat, with one more read (a rare path): the record's own answer
 * replayed, 409 idempotency_key_reused for another body, or a running first request waited for. A record without a
 * body (an order placed with this key, whose answer's body is not stored) leaves this answer as it is, marked
 * replayed as the handler's answer again would be.
 */
async function answerLateRecord(
  db: Db,
  reply: FastifyReply,
  payload: unknown,
  record: IdempotencyRecord,
  answer: StoredAnswer,
): Promise<unknown> {
  const claim: Claim = { scope: record.scope, key: record.key };
  let done: KeyRow | null;
  try {
    done = await awaitKey(db, claim, record.requestHash, await readKey(db, claim));
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    reply.code(err.status).type('application/problem+json');
    return JSON.stringify(toProblem(err.status, err.code, err.message, err.errors, err.extra));
  }
  if (!done) {
    // The record went (purged) and this request claimed the key: its own answer is the record's.
    await storeAnswer(db, claim, answer);
    return payload;
  }
  reply.header('idempotent-replayed', 'true');
  if (done.response_body === null) return payload;
  reply.code(done.response_status!).type(done.response_type ?? 'application/json');
  return done.response_body;
}

export function purgeOldIdempotencyKeys(db: Db): Promise<number> {
  return deleteKeysOlderThan(db, KEEP_HOURS);
}
