/**
 * One worker of the pool: starts the server, then waits for SIGTERM (sent by the primary on reload and shutdown,
 * or by anyone to this worker alone). It then drains: stops accepting, finishes in-flight requests within
 * SHUTDOWN_TIMEOUT_MS, closes the database and exits 0. The primary replaces it unless it asked for the exit.
 */
import pino from 'pino';
import type { Server } from 'node:http';
import { logOptions } from './logger.js';
import { loadConfig, type Config } from '../config.js';
import { trackConnections } from './pool-drain.js';
import { shutdownTimeoutMs } from './pool-settings.js';

/** What a worker runs: the app, listening (src/start.ts), handed in so the pool never imports the app. */
export interface StartedServer {
  app: { server: Server };
  /** Stops accepting, lets in-flight requests finish (bounded by timeoutMs), then closes the database. */
  close(timeoutMs?: number): Promise<void>;
}

export async function runWorker(startServer: (config: Config) => Promise<StartedServer>): Promise<void> {
  const config = loadConfig();
  const timeoutMs = shutdownTimeoutMs();
  const log = pino({ ...logOptions(config.logLevel), base: { pid: process.pid, role: 'worker' } });

  // Ctrl-C reaches the whole process group; the primary turns it into an orderly drain of every worker.
  process.on('SIGINT', () => {});
  // Installed before the server starts, so a SIGTERM while booting drains right after boot instead of
  // killing a process that may be half-way through opening the database.
  let drainNow: (() => void) | null = null;
  let drainRequested = false;
  process.on('SIGTERM', () => {
    if (drainNow) drainNow();
    else drainRequested = true;
  });

  let server: StartedServer;
  try {
    server = await startServer(config);
  } catch (err) {
    log.fatal({ err }, 'worker could not start');
    process.exit(1);
  }

  const connections = trackConnections(server.app.server);
  let draining = false;
  drainNow = () => {
    if (draining) return;
    draining = true;
    void (async () => {
      log.info({ timeoutMs }, 'worker draining');
      const left = await connections.drain(timeoutMs);
      try {
        // Whatever is still open when the budget is spent is cut after a short last grace.
        await server.close(Math.max(left, 100));
        process.exit(0);
      } catch (err) {
        log.error({ err }, 'worker did not close cleanly');
        process.exit(1);
      }
    })();
  };
  if (drainRequested) drainNow();
}
