/**
 * The nginx config itself, run by the real nginx (Debian's) in front of two small fake upstreams and a closed
 * port: TLS, redirect, HSTS, gzip, static files, body limits, forwarded headers, request ids, keep-alive,
 * retries (GET yes, POST never to a second server), problem+json errors, and the shipped example files.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../deploy/topology.js';
import { SHIPPED_EXAMPLES, parseNginxArgs, renderNginxConfig, type NginxOptions } from '../../deploy/nginx/render.js';
import {
  findNginx,
  reloadNginx,
  startNginx,
  stopNginx,
  testNginxConfig,
  nginxWorkerUser,
  type NginxInstance,
} from '../../deploy/lib/nginx.js';
import { freePortRange } from '../../deploy/lib/proc.js';
import { makeSelfSignedCert } from '../../deploy/lib/tls.js';
import { HttpsClient } from '../helpers/topology.js';

interface Seen {
  upstream: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  remotePort: number;
}

const seen: Seen[] = [];
const upstreams: http.Server[] = [];

/** An app server stand-in: echoes what it received; "A" drops /reset requests after reading them. */
function fakeUpstream(name: string): http.Server {
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      seen.push({
        upstream: name,
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        bytes,
        remotePort: req.socket.remotePort!,
      });
      if (req.url!.startsWith('/reset') && name === 'A') {
        req.socket.destroy();
        return;
      }
      res.setHeader('x-served-by', name);
      // Like helmet's: nginx must drop it and send its own, once.
      res.setHeader('strict-transport-security', 'max-age=1');
      if (req.url!.startsWith('/static/')) res.setHeader('cache-control', 'no-cache');
      const payload: Record<string, unknown> = { name, url: req.url, headers: req.headers, bytes };
      if (req.url!.startsWith('/big')) payload.filler = 'dukaan '.repeat(4000);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(payload));
    });
  });
  server.keepAliveTimeout = 72_000;
  return server;
}

let dir: string;
let nginx: NginxInstance;
let client: HttpsClient;
let ports: { https: number; http: number; a: number; b: number; dead: number };
let baseOptions: Partial<NginxOptions> & Pick<NginxOptions, 'upstreams'>;
const STATIC_NAME = 'app.3f2a1b9c.css';
const STATIC_BODY = `/* dukaan */\n${'.button { color: #075e54; padding: 0.5rem 1rem; }\n'.repeat(60)}`;

function seenWith(id: string): Seen[] {
  return seen.filter((s) => s.headers['x-test-id'] === id);
}

beforeAll(async () => {
  findNginx(); // no nginx → this fails loudly instead of skipping
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-nginx-test-'));
  // nginx workers run as www-data: everything they read must be readable by others.
  fs.chmodSync(dir, 0o755);
  const staticRoot = path.join(dir, 'static');
  fs.mkdirSync(staticRoot, { mode: 0o755 });
  fs.writeFileSync(path.join(staticRoot, STATIC_NAME), STATIC_BODY, { mode: 0o644 });
  const base = await freePortRange(5, 20000, 40000);
  ports = { https: base, http: base + 1, a: base + 2, b: base + 3, dead: base + 4 };
  const a = fakeUpstream('A');
  const b = fakeUpstream('B');
  upstreams.push(a, b);
  await Promise.all([
    new Promise<void>((r) => a.listen(ports.a, '127.0.0.1', r)),
    new Promise<void>((r) => b.listen(ports.b, '127.0.0.1', r)),
  ]);
  const tls = await makeSelfSignedCert(path.join(dir, 'tls'));
  nginx = {
    conf: path.join(dir, 'nginx.conf'),
    prefix: dir,
    errorLog: path.join(dir, 'logs', 'error.log'),
    pidFile: path.join(dir, 'nginx.pid'),
  };
  baseOptions = {
    mode: 'full',
    runDir: dir,
    logDir: path.join(dir, 'logs'),
    cacheDir: path.join(dir, 'cache'),
    user: await nginxWorkerUser(),
    upstreams: [`127.0.0.1:${ports.a}`, `127.0.0.1:${ports.b}`, `127.0.0.1:${ports.dead}`],
    // No passive health checks here, so every request takes its turn on A, B and the closed port.
    maxFails: 0,
    tlsCert: tls.cert,
    tlsKey: tls.key,
    listenHttps: `127.0.0.1:${ports.https}`,
    listenHttp: `127.0.0.1:${ports.http}`,
    staticRoot,
  };
  fs.writeFileSync(nginx.conf, renderNginxConfig(baseOptions));
  await testNginxConfig(nginx);
  await startNginx(nginx);
  client = new HttpsClient(new URL(`https://127.0.0.1:${ports.https}/`), fs.readFileSync(tls.cert, 'utf8'));
});

afterAll(async () => {
  client?.close();
  if (nginx) await stopNginx(nginx);
  for (const s of upstreams) s.closeAllConnections();
  await Promise.all(upstreams.map((s) => new Promise((r) => s.close(r))));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function plainGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      })
      .on('error', reject);
  });
}

describe('rendered configs', () => {
  it('pass nginx -t in every combination, whole-file and conf.d modes', async () => {
    const tls = { tlsCert: baseOptions.tlsCert!, tlsKey: baseOptions.tlsKey! };
    const combos: Partial<NginxOptions>[] = [
      { balance: 'round_robin', staticRoot: null },
      { balance: 'least_conn', staticRoot: baseOptions.staticRoot! },
      { balance: 'least_conn', listenHttp: null },
    ];
    for (const [i, combo] of combos.entries()) {
      // Whole-file mode, as `npm run topology` runs it.
      const full: NginxInstance = {
        ...nginx,
        conf: path.join(dir, `check-${i}.conf`),
        pidFile: path.join(dir, `check-${i}.pid`),
      };
      fs.writeFileSync(full.conf, renderNginxConfig({ ...baseOptions, ...combo }));
      await testNginxConfig(full);
      // conf.d mode, inside an http block like Debian's nginx.conf (which already says "gzip on").
      const site = path.join(dir, `site-${i}.conf`);
      fs.writeFileSync(
        site,
        renderNginxConfig({
          ...combo,
          ...tls,
          mode: 'site',
          upstreams: ['127.0.0.1:3000', '127.0.0.1:3001'],
          logDir: path.join(dir, 'logs'),
          cacheDir: path.join(dir, 'cache-site'),
        }),
      );
      const wrapper: NginxInstance = {
        ...nginx,
        conf: path.join(dir, `wrapper-${i}.conf`),
        pidFile: path.join(dir, `wrapper-${i}.pid`),
      };
      fs.writeFileSync(
        wrapper.conf,
        `pid ${wrapper.pidFile};\nevents {}\nhttp {\n  include /etc/nginx/mime.types;\n  gzip on;\n  include \
${site};\n}\n`,
      );
      await testNginxConfig(wrapper);
    }
    const text = renderNginxConfig({ ...baseOptions, balance: 'least_conn' });
    // least_conn must come before keepalive in the upstream block (nginx's rule for non-default algorithms).
    expect(text.indexOf('least_conn;')).toBeLessThan(text.indexOf('keepalive 32;'));
    expect(text).toMatch(/proxy_next_upstream error timeout http_502 http_504;/);
    expect(text).not.toMatch(/^\s*proxy_next_upstream[^\n]*non_idempotent/m);
    expect(renderNginxConfig({ ...baseOptions, balance: 'round_robin' })).not.toMatch(/least_conn;/);
  });

  it('refuses bad parameters', () => {
    expect(() => renderNginxConfig({ upstreams: [] })).toThrow(/at least one/);
    expect(() => renderNginxConfig({ upstreams: ['127.0.0.1:3000; evil'] })).toThrow(/host:port/);
    expect(() => renderNginxConfig({ upstreams: ['127.0.0.1:3000'], balance: 'random' as never })).toThrow(
      /round_robin or least_conn/,
    );
    expect(() =>
      renderNginxConfig({ upstreams: ['127.0.0.1:3000'], staticRoot: '/srv/x; include /etc/passwd' }),
    ).toThrow(/must not contain/);
    expect(() => parseNginxArgs(['--upstream', '127.0.0.1:3000'])).toThrow(/--tls-cert/);
  });

  it(
    'the example files shipped in deploy/nginx are what the ' + 'renderer makes of their arguments, and valid',
    async () => {
      for (const example of SHIPPED_EXAMPLES) {
        const shipped = fs.readFileSync(path.join(PROJECT_ROOT, 'deploy', 'nginx', example.file), 'utf8');
        expect(shipped, `${example.file} is stale: npm run nginx-config -- --examples`).toBe(
          renderNginxConfig(parseNginxArgs(example.args).options),
        );
        // Valid too, once pointed at certificates and directories that exist here.
        const local = shipped
          .replaceAll(/\/etc\/letsencrypt\/live\/shop\.example\.com\/fullchain\.pem/g, baseOptions.tlsCert!)
          .replaceAll(/\/etc\/letsencrypt\/live\/shop\.example\.com\/privkey\.pem/g, baseOptions.tlsKey!)
          .replaceAll('/var/log/nginx/', `${dir}/logs/`)
          .replaceAll('/var/cache/nginx/dukaan', `${dir}/cache-shipped`);
        const site = path.join(dir, `shipped-${example.file}`);
        fs.writeFileSync(site, local);
        const wrapper: NginxInstance = {
          ...nginx,
          conf: path.join(dir, `shipped-wrapper-${example.file}`),
          pidFile: path.join(dir, 'shipped.pid'),
        };
        fs.writeFileSync(
          wrapper.conf,
          `pid ${wrapper.pidFile};\nevents {}\nhttp {\n  include /etc/nginx/mime.types;\n  include ${site};\n}\n`,
        );
        await testNginxConfig(wrapper);
      }
    },
  );
});

describe('nginx in front of the app servers', () => {
  it('redirects plain HTTP to HTTPS with path and query, and sends HSTS exactly once over HTTPS', async () => {
    const r = await plainGet(`http://127.0.0.1:${ports.http}/demo/products?q=rice`, { host: 'localhost' });
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe(`https://localhost:${ports.https}/demo/products?q=rice`);
    const s = await client.get('/echo');
    expect(s.status).toBe(200);
    expect(s.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(s.headers.server).toBe('nginx'); // no version
  });

  it('does not serve /metrics on the public site (issue 10 item 11)', async () => {
    const r = await client.get('/metrics');
    expect(r.status).toBe(404);
    expect(String(r.headers['content-type'])).toContain('application/problem+json');
    expect(r.text).not.toContain('http_requests_total');
  });

  it(
    'passes X-Forwarded-For (the address nginx saw, never what the client ' +
      'claims), X-Forwarded-Proto, Host and X-Request-Id',
    async () => {
      const from5 = new HttpsClient(client.base, client.agent.options.ca as string, '127.0.0.5');
      try {
        const r = await from5.get('/echo', {
          'x-forwarded-for': '6.6.6.6',
          'x-real-ip': '6.6.6.6',
          'x-request-id': 'order-flow-42',
        });
        expect(r.status).toBe(200);
        const h = r.body.headers as Record<string, string>;
        expect(h['x-forwarded-for']).toBe('127.0.0.5');
        expect(h['x-real-ip']).toBe('127.0.0.5');
        expect(h['x-forwarded-proto']).toBe('https');
        expect(h.host).toBe(`127.0.0.1:${ports.https}`);
        expect(h['x-request-id']).toBe('order-flow-42');
        expect(r.headers['x-request-id']).toBe('order-flow-42');
      } finally {
        from5.close();
      }
      // Absent or unusable ids are replaced by nginx's own, which the app then logs too.
      for (const incoming of [undefined, 'has spaces in it', 'x'.repeat(200)]) {
        const r = await client.get('/echo', incoming ? { 'x-request-id': incoming } : {});
        const id = (r.body.headers as Record<string, string>)['x-request-id'];
        expect(id).toMatch(/^[0-9a-f]{32}$/);
        expect(r.headers['x-request-id']).toBe(id);
      }
    },
  );

  it('keeps connections to the upstreams alive (HTTP/1.1, no Connection: close)', async () => {
    const before = seen.length;
    for (let i = 0; i < 30; i++) expect((await client.get('/echo')).status).toBe(200);
    const mine = seen.slice(before);
    expect(mine.every((s) => s.headers.connection === undefined)).toBe(true);
    const sockets = new Set(mine.map((s) => `${s.upstream}:${s.remotePort}`));
    // 30 requests over a handful of reused connections (at most one or two per nginx worker and upstream).
    expect(sockets.size).toBeLessThanOrEqual(8);
  });

  it('gzips JSON bodies worth compressing', async () => {
    const big = await client.get('/big', { 'accept-encoding': 'gzip' });
    expect(big.status).toBe(200);
    expect(big.headers['content-encoding']).toBe('gzip');
    expect(big.headers.vary).toMatch(/Accept-Encoding/i);
    const plain = await client.get('/big');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.filler).toContain('dukaan');
  });

  it('serves /static/ from disk with a year of immutable caching, and passes unknown names to the app', async () => {
    const before = seen.length;
    const r = await client.get(`/static/${STATIC_NAME}`, { 'accept-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/css/);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000');
    const raw = await client.get(`/static/${STATIC_NAME}`);
    expect(raw.text).toBe(STATIC_BODY);
    expect(seen.length).toBe(before); // the app never saw them
    const missing = await client.get('/static/app.0000.js');
    expect(missing.status).toBe(200);
    expect(missing.headers['x-served-by']).toMatch(/^[AB]$/);
    expect(missing.body.url).toBe('/static/app.0000.js');
  });

  it('limits JSON bodies to 1 MB and uploads to about 5 MB, answering problem+json itself', async () => {
    const tooBig = await client.request('POST', '/api/v1/stores', {
      raw: Buffer.alloc(1024 * 1024 + 1, 'a'),
      headers: { 'content-type': 'application/json', 'x-test-id': 'too-big' },
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers['content-type']).toBe('application/problem+json');
    expect(tooBig.body).toMatchObject({
      status: 413,
      code: 'payload_too_large',
      type: 'https://dukaan.dev/problems/payload_too_large',
    });
    expect(seenWith('too-big')).toHaveLength(0);

    const justFits = await client.request('POST', '/api/v1/stores', {
      raw: Buffer.alloc(1024 * 1024, 'a'),
      headers: { 'content-type': 'application/json', 'x-test-id': 'fits' },
    });
    expect(justFits.status).toBe(200);
    expect(seenWith('fits')[0]!.bytes).toBe(1024 * 1024);

    const fiveMb = Buffer.alloc(5 * 1024 * 1024 + 4096, 'p');
    for (const url of [
      '/api/v1/orders/3f1c/payment-proof',
      '/api/v1/stores/abc/images',
      '/dashboard/products/abc/images',
      '/demo/orders/3f1c/payment-proof',
    ]) {
      const id = `upload-${url}`;
      const r = await client.request('POST', url, {
        raw: fiveMb,
        headers: { 'content-type': 'multipart/form-data; boundary=x', 'x-test-id': id },
      });
      expect(r.status, url).toBe(200);
      expect(seenWith(id)[0]!.bytes).toBe(fiveMb.length);
    }
    const sixMb = await client.request('POST', '/api/v1/orders/3f1c/payment-proof', {
      raw: Buffer.alloc(6 * 1024 * 1024, 'p'),
      headers: { 'content-type': 'multipart/form-data; boundary=x', 'x-test-id': 'six' },
    });
    expect(sixMb.status).toBe(413);
    expect(sixMb.body.code).toBe('payload_too_large');
    // 5 MB is for upload routes only.
    const notUpload = await client.request('POST', '/api/v1/stores/abc/products', {
      raw: fiveMb,
      headers: { 'content-type': 'application/json', 'x-test-id': 'not-upload' },
    });
    expect(notUpload.status).toBe(413);
  });

  it(
    'retries a failed GET on the next server, passes on a POST that reached no ' +
      'server, and never sends a POST that reached one to a second',
    async () => {
      // GET /reset: A reads it and drops the connection; nginx tries the next server.
      for (let i = 0; i < 6; i++) {
        const id = `get-${i}`;
        const r = await client.get('/reset', { 'x-test-id': id });
        expect(r.status).toBe(200);
        expect(r.headers['x-served-by']).toBe('B');
      }
      expect(seen.filter((s) => s.method === 'GET' && s.url === '/reset' && s.upstream === 'A').length).toBeGreaterThan(
        0,
      );

      // POST /echo: the closed port refuses the connection, so nothing was sent; nginx passes it on.
      for (let i = 0; i < 6; i++) {
        const r = await client.post('/echo', { i }, { 'x-test-id': `post-echo-${i}` });
        expect(r.status).toBe(200);
        expect(seenWith(`post-echo-${i}`)).toHaveLength(1);
      }

      // POST /reset: when A got it and failed, the client gets a 502 (problem+json) and B never sees it.
      let failedOnA = 0;
      for (let i = 0; i < 9; i++) {
        const id = `post-reset-${i}`;
        const r = await client.post('/reset', { i }, { 'x-test-id': id });
        const got = seenWith(id);
        expect(got.length, `POST ${id} reached ${got.map((s) => s.upstream).join(', ')}`).toBe(1);
        if (got[0]!.upstream === 'A') {
          failedOnA++;
          expect(r.status).toBe(502);
          expect(r.headers['content-type']).toBe('application/problem+json');
          expect(r.body).toMatchObject({ status: 502, code: 'unavailable' });
          expect(r.headers['retry-after']).toBe('1');
        } else {
          expect(r.status).toBe(200);
        }
      }
      expect(failedOnA).toBeGreaterThan(0);
    },
  );

  it('answers problem+json, not an HTML page, when no app server answers', async () => {
    const down: NginxInstance = nginx;
    fs.writeFileSync(down.conf, renderNginxConfig({ ...baseOptions, upstreams: [`127.0.0.1:${ports.dead}`] }));
    await reloadNginx(down);
    // A kept-alive connection to a worker of the old config may still be in the pool while that worker closes it:
    // reused, it hangs up (once in CI). This request goes on a new connection to the new workers.
    client.close();
    try {
      const r = await client.get('/api/v1/storefront/demo');
      expect(r.status).toBe(502);
      expect(r.headers['content-type']).toBe('application/problem+json');
      expect(r.body).toMatchObject({ code: 'unavailable', status: 502 });
      expect(r.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      fs.writeFileSync(nginx.conf, renderNginxConfig(baseOptions));
      await reloadNginx(nginx);
    }
  });

  it('without a copy of the assets, proxies /static/ to the app and caches it', async () => {
    fs.writeFileSync(nginx.conf, renderNginxConfig({ ...baseOptions, staticRoot: null }));
    await reloadNginx(nginx);
    try {
      const url = `/static/app.${Date.now()}.js`;
      const first = await client.get(url);
      const second = await client.get(url);
      expect(first.status).toBe(200);
      expect(first.headers['x-cache-status']).toBe('MISS');
      expect(second.headers['x-cache-status']).toBe('HIT');
      expect(second.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(seen.filter((s) => s.url === url)).toHaveLength(1);
    } finally {
      fs.writeFileSync(nginx.conf, renderNginxConfig(baseOptions));
      await reloadNginx(nginx);
    }
  });
});
