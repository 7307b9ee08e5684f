/**
 * Issue 10, item 13 (tail): a client that goes away in the middle of its request is logged as such (499), never as
 * "database unavailable", and /metrics does not count it as a 503.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let testDb: TestDb;
let app: FastifyInstance;
const logs: string[] = [];
beforeAll(async () => {
  testDb = await createTestDb();
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const config: Config = {
    ...loadConfig({ DATA_DIR: `/tmp/dukaan-test-${process.pid}`, OTP_CONSOLE: '1' }),
    demo: false,
  };
  app = await buildApp({
    config,
    db: testDb.db,
    otpChannel: { name: 'test', async send() {} },
    logger: { level: 'info', stream },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await testDb?.dispose();
});

/** Sends the headers and part of a body that says it is longer, then drops the connection. */
function abandonUpload(port: number, path: string, contentType: string, sent: string, length: number) {
  return new Promise<void>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\n` +
          `Content-Length: ${length}\r\n\r\n${sent}`,
      );
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 100);
    });
    socket.on('error', () => resolve());
  });
}

const waitFor = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
};

it('logs a client that went away as 499 "client closed the connection", not a database error or a 503', async () => {
  const port = (app.server.address() as AddressInfo).port;
  const boundary = 'x';
  await abandonUpload(
    port,
    `/api/v1/orders/${'1'.repeat(8)}-1111-4111-8111-${'1'.repeat(12)}/payment-proof`,
    `multipart/form-data; boundary=${boundary}`,
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\n` +
      'Content-Type: image/png\r\n\r\n1234',
    100_000,
  );
  await abandonUpload(port, '/api/v1/auth/otp', 'application/json', '{"phone":"+9198', 50_000);
  await waitFor(() => logs.filter((l) => l.includes('"responseTime"') || l.includes('client closed')).length >= 2);
  const all = logs.join('');
  expect(all).not.toContain('database unavailable');
  expect(all).not.toContain('unhandled error');
  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  const lines = metrics.body.split('\n').filter((l) => l.startsWith('http_requests_total{'));
  expect(lines.filter((l) => /status="5\d\d"/.test(l))).toEqual([]);
  // Whatever the client was answered (nothing reached it), the log says why.
  const closed = logs.filter((l) => l.includes('client closed the connection'));
  const completed = logs.filter((l) => l.includes('"statusCode":499') || l.includes('"statusCode":400'));
  expect(closed.length + completed.length).toBeGreaterThan(0);
});
