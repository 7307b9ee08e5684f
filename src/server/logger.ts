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
