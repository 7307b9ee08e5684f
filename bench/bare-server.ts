/**
 * The HTTP ceiling: the same framework and the same number of worker processes as dukaan, one route answering a
 * fixed body (the product list's own bytes) with no database, no validation and no hooks. Whatever dukaan
 * reaches is measured against this.
 *
 *   WEB_CONCURRENCY=2 PORT=3191 BARE_BODY_FILE=body.json node --import tsx bench/bare-server.ts
 */
import cluster from 'node:cluster';
import fs from 'node:fs';
import Fastify from 'fastify';

const workers = Number(process.env.WEB_CONCURRENCY || 2);
const port = Number(process.env.PORT || 3191);

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', () => {
    if (!stopping) cluster.fork();
  });
  process.once('SIGTERM', () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    }, 50);
    check.unref();
  });
} else {
  const body = process.env.BARE_BODY_FILE
    ? fs.readFileSync(process.env.BARE_BODY_FILE)
    : Buffer.from('{"items":[],"nextCursor":null}');
  const contentType = process.env.BARE_CONTENT_TYPE || 'application/json; charset=utf-8';
  const app = Fastify({ logger: false });
  app.get('/bare', (_request, reply) => {
    reply.header('content-type', contentType).send(body);
  });
  await app.listen({ port, host: '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
