import { createRequire } from 'node:module';
import type { LoggerOptions } from 'pino';

/**
 * pino options for every logger (app, pool primary, workers): JSON lines, pino's own format, for files and log
 * shippers — unless stdout is a terminal, where pino-pretty prints one readable line per entry. pino-pretty is a
 * dev dependency: an install without it keeps JSON on a terminal too.
 */
export function logOptions(level: string, isTty = process.stdout.isTTY === true): LoggerOptions {
  if (!isTty || !prettyInstalled()) return { level };
  return {
    level,
    transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'hostname' } },
  };
}

function prettyInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * Query parameters whose values never reach a log: the WhatsApp webhook's verification token (Meta sends it in the
 * query of `GET /webhooks/whatsapp`) and anything named like a credential or a sign-in code.
 */
const SECRET_QUERY_PARAMS = new Set(['hub.verify_token', 'token', 'access_token', 'code', 'otp', 'password', 'secret']);

/** The URL as logged: each secret query parameter's value replaced by `[redacted]`, the rest as sent. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      let name = part.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: compare it as sent
      }
      return SECRET_QUERY_PARAMS.has(name.toLowerCase()) ? `${part.slice(0, eq)}=[redacted]` : part;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  headers?: Record<string, string | string[] | undefined>;
  socket?: { remotePort?: number };
}

/** Fastify's own request serializer, with the URL's secrets redacted (redactUrl). */
export function requestLogSerializer(req: LoggedRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
