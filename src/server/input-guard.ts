/**
 * Input rules every request meets before any handler (issue 10, items 6 and 13):
 * - the JSON API takes `application/json` bodies only, or what its route documents in `consumes` (multipart
 *   uploads): a cross-site form (urlencoded, text/plain) gets 415 before anything is read;
 * - an over-long path → 414, an over-long query → 431 (problem+json);
 * - text PostgreSQL cannot store (NUL) anywhere in the path parameters, query or body → 400 validation_failed
 *   naming the field (a route that reports all its body's field problems at once takes a body's NUL fields as its
 *   own: `collectsFieldProblems`).
 */
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { toProblem } from '../shared/errors.js';
import { AppError, type ProblemItem } from '../shared/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route answers every field problem of its body at once (the checkout's one-round 422): a body text holding
     * a NUL is left to it as one more field problem (`request.unstorableText`) instead of a 400 of its own.
     */
    collectsFieldProblems?: boolean;
  }
  interface FastifyRequest {
    /** Body fields holding a NUL, for a `collectsFieldProblems` route to report with its own (never to store). */
    unstorableText?: ProblemItem[];
  }
}

export const MAX_PATH_LENGTH = 2048;
export const MAX_QUERY_LENGTH = 4096;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** JSON pointers of every string (and key) holding a character PostgreSQL text rejects (U+0000). */
export function findUnstorableText(value: unknown, path = '', into: string[] = [], depth = 0): string[] {
  if (into.length >= 20 || depth > 32 || ArrayBuffer.isView(value)) return into;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) into.push(path || '/');
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      findUnstorableText(v, `${path}/${i}`, into, depth + 1);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const p = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (k.includes('\u0000')) into.push(p);
      else findUnstorableText(v, p, into, depth + 1);
    }
  }
  return into;
}

function mediaType(request: FastifyRequest): string | null {
  const raw = request.headers['content-type'];
  if (!raw) return null;
  return raw.split(';')[0]!.trim().toLowerCase();
}

function hasBody(request: FastifyRequest): boolean {
  const len = request.headers['content-length'];
  return (len !== undefined && len !== '0') || request.headers['transfer-encoding'] !== undefined;
}

export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const url = request.url;
    const q = url.indexOf('?');
    const pathLength = q === -1 ? url.length : q;
    if (pathLength > MAX_PATH_LENGTH)
      throw new AppError('uri_too_long', `The path is longer than ${MAX_PATH_LENGTH} characters`);
    if (q !== -1 && url.length - q - 1 > MAX_QUERY_LENGTH)
      throw new AppError('request_too_large', `The query string is longer than ${MAX_QUERY_LENGTH} characters`);
  });

  // The media type is checked before the body is read but after every onRequest hook, so tenancy (404 for
  // non-members, 401 for anonymous callers) answers first whatever the body is.
  app.addHook('preParsing', async (request) => {
    if (!request.url.startsWith('/api/') || !BODY_METHODS.has(request.method) || !hasBody(request)) return;
    const type = mediaType(request);
    const consumes = (request.routeOptions.schema as { consumes?: string[] } | undefined)?.consumes ?? [
      'application/json',
    ];
    if (type === null || !consumes.includes(type))
      throw new AppError('unsupported_media_type', `Send ${consumes.join(' or ')}`);
  });

  app.addHook('preValidation', async (request) => {
    const items: ProblemItem[] = [];
    const check = (part: string, value: unknown) => {
      for (const path of findUnstorableText(value))
        items.push({
          code: 'invalid',
          path: part === 'body' ? path : `${part}${path}`,
          message: 'contains a NUL character',
        });
    };
    check('params', request.params);
    check('querystring', request.query);
    // Parsed bodies only: a raw text body (CSV) is read by its route, which reports bad rows itself.
    if (!request.isMultipart() && typeof request.body === 'object') check('body', request.body);
    if (!items.length) return;
    // Body fields only (paths of the body start with '/'): a path or query with a NUL is refused here as before.
    if (request.routeOptions.config.collectsFieldProblems && items.every((i) => i.path?.startsWith('/'))) {
      request.unstorableText = items;
      return;
    }
    throw new AppError('validation_failed', 'Text may not contain NUL characters', items);
  });
}

/**
 * Node's HTTP parser refuses a request before Fastify sees it (headers over 16 KB, a broken request line): answer
 * it as problem+json too — 414 when the request line alone is too long, 431 for other oversized headers, else 400.
 */
export function clientErrorHandler(err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  let status = 400;
  let problem = toProblem(400, 'validation_failed', 'The request could not be read');
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const head = Buffer.isBuffer(err.rawPacket)
      ? err.rawPacket.subarray(0, MAX_PATH_LENGTH + 64).toString('latin1')
      : '';
    const firstLine = head.split('\r\n')[0] ?? '';
    const longLine = !head.includes('\r\n') || firstLine.length > MAX_PATH_LENGTH;
    status = longLine ? 414 : 431;
    problem = longLine
      ? toProblem(414, 'uri_too_long', 'The request line is too long')
      : toProblem(431, 'request_too_large', 'The request headers are too large');
  }
  const body = JSON.stringify(problem);
  const reason = status === 414 ? 'URI Too Long' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\nContent-Length: \
${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
