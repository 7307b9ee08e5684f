/**
 * Polite draining of one HTTP server, for a worker that is being replaced (SIGHUP) or stopped (SIGTERM).
 *
 * Why not just `app.close()`: Node's `server.close()` (and Fastify's `forceCloseConnections: 'idle'`) destroys every
 * keep-alive connection that is idle *at that instant*. Under a steady stream a connection is idle for the
 * microseconds between a response and the client's next request on it, so a client that has just written its next
 * request onto such a socket gets a reset: a failed request. HTTP/1.1 has no "go away" frame; the only clean way to
 * end a keep-alive connection is to answer its next request with `Connection: close`. So a draining server:
 *   1. answers every request not yet answered, and every request that still arrives on an open connection, with
 *      `Connection: close` (Node then closes the socket right after that response);
 *   2. stops accepting new connections without touching the open ones (the net-level close: in a cluster worker
 *      this tells the primary to stop handing it connections);
 *   3. waits until no request is in flight and either every connection has gone or the idle grace has passed
 *      (a connection nobody reused for that long is abandoned), all bounded by the deadline;
 * and only then does the caller run the full close, which ends what is left.
 */
import type http from 'node:http';
import net from 'node:net';

/** How long an open but unused keep-alive connection may keep a draining worker alive. */
export const IDLE_GRACE_MS = 2_000;

export interface ConnectionTracker {
  readonly draining: boolean;
  /** Runs steps 1–3 above; resolves with the milliseconds left of the budget. */
  drain(timeoutMs: number): Promise<number>;
}

export function trackConnections(server: http.Server, idleGraceMs = IDLE_GRACE_MS): ConnectionTracker {
  const inFlight = new Set<http.ServerResponse>();
  const sockets = new Set<net.Socket>();
  let draining = false;

  function closeAfterResponse(res: http.ServerResponse) {
    if (!res.headersSent) res.setHeader('connection', 'close');
  }

  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Prepended so the header is set before Fastify starts answering.
  server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    if (draining) closeAfterResponse(res);
  });

  return {
    get draining() {
      return draining;
    },
    async drain(timeoutMs: number) {
      const started = Date.now();
      const deadline = started + timeoutMs;
      if (!draining) {
        draining = true;
        for (const res of inFlight) closeAfterResponse(res);
        if (server.listening) net.Server.prototype.close.call(server);
      }
      const idleUntil = Math.min(deadline, started + idleGraceMs);
      while (Date.now() < deadline) {
        if (inFlight.size === 0 && (sockets.size === 0 || Date.now() >= idleUntil)) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return Math.max(0, deadline - Date.now());
    },
  };
}
