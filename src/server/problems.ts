import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, toProblem, type ErrorCode, type ProblemItem } from '../shared/errors.js';
import { isDbUnavailableError, isUndoneByDatabase } from '../db/db.js';
import { ajvErrorsToItems } from './validation.js';

export function sendProblem(
  reply: FastifyReply,
  status: number,
  code: ErrorCode,
  detail?: string,
  errors?: ProblemItem[],
  extra?: Record<string, unknown>,
) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send(toProblem(status, code, detail, errors, extra));
}

const FRAMEWORK_ERRORS: Record<string, [number, ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'validation_failed', 'The body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'validation_failed', 'The body is empty; send a JSON object'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'The request body is larger than allowed'],
  FST_REQ_FILE_TOO_LARGE: [413, 'payload_too_large', 'The file is larger than allowed'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Send application/json'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'unsupported_media_type', 'Send multipart/form-data'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'validation_failed', 'Content-Length does not match the body'],
  FST_PARTS_LIMIT: [413, 'payload_too_large', 'Too many parts'],
  FST_FILES_LIMIT: [413, 'payload_too_large', 'Too many files'],
  FST_FIELDS_LIMIT: [413, 'payload_too_large', 'Too many fields'],
  FST_PROTO_VIOLATION: [400, 'validation_failed', 'Forbidden field name'],
  FST_ERR_VALIDATION: [400, 'validation_failed', 'The request is not valid'],
};

/**
 * Errors Fastify raises before routing: a bad URL encoding, and a path part over the router's maxParamLength — as
 * long as the whole path the input guard lets in (MAX_PATH_LENGTH), so the same 414 the guard answers.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendProblem(reply, 414, 'uri_too_long', 'The path is too long');
  return sendProblem(reply, 400, 'validation_failed', 'The address cannot be read');
}

/** Every error path ends here and leaves as problem+json; internals are logged, never sent. */
export function registerProblemHandlers(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      return sendProblem(reply, error.status, error.code, error.message, error.errors, error.extra);
    }
    if (error.validation) {
      return sendProblem(
        reply,
        400,
        'validation_failed',
        `The ${error.validationContext ?? 'request'} is not valid`,
        ajvErrorsToItems(error.validation as Parameters<typeof ajvErrorsToItems>[0], error.validationContext),
      );
    }
    const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
    if (known) return sendProblem(reply, known[0], known[1], known[2]);
    if (error.statusCode === 429) return sendProblem(reply, 429, 'rate_limited', error.message);
    // A multipart body that cannot be parsed (no boundary, a part cut short) is the client's mistake.
    if (
      /^(Multipart: Boundary not found|Unexpected end of (form|multipart data)|Malformed part header)/i.test(
        error.message,
      )
    )
      return sendProblem(reply, 400, 'validation_failed', 'The multipart body cannot be read');
    if (error instanceof SyntaxError) return sendProblem(reply, 400, 'validation_failed', 'The body is not valid JSON');
    const pgCode = (error as { code?: string }).code;
    // The client went away while we worked: nobody reads an answer, and it is not the database's fault.
    // Only the socket tells: `request.raw.destroyed` is also true once a request body has been read (Node ends the
    // stream), which turned every POST that met a database failover into 499 instead of 503 unavailable.
    if (request.raw.socket?.destroyed) {
      request.log.info({ reason: error.message }, 'client closed the connection');
      return reply.code(499).send();
    }
    // A path id that is not a UUID cannot name anything: the same answer as an unknown id.
    if (pgCode === '22P02' && /type uuid/.test(error.message)) return sendProblem(reply, 404, 'not_found', 'Not found');
    // Data exceptions (SQLSTATE class 22: a value PostgreSQL cannot take, a bad date or number) come from input.
    if (typeof pgCode === 'string' && /^22[0-9A-Z]{3}$/.test(pgCode) && (error as { severity?: string }).severity)
      return sendProblem(reply, 400, 'validation_failed', 'A value in the request is not valid');
    // Deadlock victim or serialization failure: PostgreSQL rolled the work back whole, so sending it again is safe.
    if (isUndoneByDatabase(error)) {
      request.log.warn({ err: error }, 'database undid the request');
      reply.header('retry-after', '1');
      return sendProblem(
        reply,
        503,
        'unavailable',
        'The request met another at the database and was undone; send it again',
      );
    }
    if (isDbUnavailableError(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', '1');
      return sendProblem(reply, 503, 'unavailable', 'The database is not answering; try again shortly');
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      const code: ErrorCode =
        error.statusCode === 404
          ? 'not_found'
          : error.statusCode === 413
            ? 'payload_too_large'
            : error.statusCode === 415
              ? 'unsupported_media_type'
              : 'validation_failed';
      return sendProblem(reply, error.statusCode, code, error.message);
    }
    request.log.error({ err: error, reqId: request.id }, 'unhandled error');
    return sendProblem(reply, 500, 'internal_error', `Something went wrong. Reference: ${request.id}`);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}`),
  );
}
