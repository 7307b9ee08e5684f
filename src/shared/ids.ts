import { randomUUID, randomBytes, createHash } from 'node:crypto';
import { uuidv7 } from 'uuidv7';

/** Time-ordered id for rows listed newest first (keyset pagination walks the primary key order). */
export const newId = (): string => uuidv7();
/** 122 random bits: for ids that are themselves a credential (carts, tracking tokens). */
export const newSecretId = (): string => randomUUID();
/** An opaque bearer token (256 random bits). Only its hash is stored. */
export const newToken = (): string => randomBytes(32).toString('base64url');
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID_RE.test(value);
