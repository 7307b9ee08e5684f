/**
 * GET /dashboard/stores/{storeId}/orders/events — Server-Sent Events for the live orders list (members of the store
 * only: the store plugin's membership check runs first, so anyone else gets the 404 page and no stream).
 *
 *   event: order    data: {"number":42,"count":1}    a new order (count: how many since the last event)
 *   event: changed  data: {}                         an order's status, payment or lines changed
 *   : ping                                           every 15 s, so proxies and phones keep the connection
 *
 * After 10 minutes a stream ends and the browser reconnects, passing the sign-in and membership checks again.
 *
 * The events come from the database (src/notify/order-events.ts), so an order taken by any worker or app server
 * reaches every open list. `X-Accel-Buffering: no` tells nginx not to buffer the stream (the dashboard location
 * of deploy/nginx also sets `proxy_buffering off`). A worker that starts draining (reload, stop) ends its streams
 * at once; the browser reconnects (`retry`) to a worker that stays.
 */
import type { FastifyPluginAsync } from 'fastify';
import { orderEventHub, type OrderEvent } from '../../notify/order-events.js';
import { currentStore } from './context.js';

const HEARTBEAT_MS = 15_000;
const RETRY_MS = 3_000;
/**
 * A stream is ended after this long and the browser reconnects, which runs the sign-in and membership checks again:
 * a member removed from the store, or signed out elsewhere, stops hearing within this time.
 */
const STREAM_MAX_MS = 10 * 60_000;

/** One event in the text/event-stream format. */
export function sseFrame(event: OrderEvent): string {
  const data = event.type === 'order' ? { number: event.number, count: event.count } : {};
  return `event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const orderEventRoutes: FastifyPluginAsync = async (app) => {
  const hub = orderEventHub(app.db, app.config.orderEventsPollMs, app.log);
  const open = new Set<() => void>();
  // Before the server waits for its connections to finish: an open stream never would.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  app.addHook('onClose', async () => hub.close());

  app.get('/orders/events', { schema: { hide: true } }, async (request, reply) => {
    const store = currentStore(request);
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
      'x-request-id': request.id,
      ...(app.config.serverName ? { 'x-served-by': app.config.serverName } : {}),
    });
    res.write(`retry: ${RETRY_MS}\n: connected\n\n`);
    const server = app.server;
    let ended = false;
    let stopWatching: (() => void) | null = null;
    let beat = 0;
    let age = 0;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      open.delete(end);
      stopWatching?.();
      if (!res.writableEnded) res.end();
    };
    // Each second: end the stream if this worker stopped accepting (a drain) or the stream is old enough to be
    // checked again, and a heartbeat every 15 s.
    const timer = setInterval(() => {
      age += 1000;
      if (!server.listening || age >= STREAM_MAX_MS) return end();
      beat += 1000;
      if (beat >= HEARTBEAT_MS) {
        beat = 0;
        res.write(': ping\n\n');
      }
    }, 1000);
    timer.unref();
    open.add(end);
    // The response's close, not the request's: a GET's request 'close' fires as soon as it has been read.
    res.once('close', end);
    try {
      stopWatching = await hub.watch(store.id, (event) => {
        if (!ended) res.write(sseFrame(event));
      });
    } catch (err) {
      request.log.warn({ err }, 'order events: could not start watching');
      return end();
    }
    if (ended) stopWatching();
  });
};
