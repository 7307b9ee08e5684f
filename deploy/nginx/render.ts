/**
 * Renders dukaan's nginx configuration from a few parameters.
 *
 *   npm run nginx-config -- --upstream 127.0.0.1:3001,127.0.0.1:3002 --balance least_conn \
 *     --tls-cert /etc/ssl/dukaan.crt --tls-key /etc/ssl/dukaan.key \
 *     [--listen-https 443] [--listen-http 80] [--static-root /srv/dukaan/src/web/assets/dist] \
 *     [--server-name shop.example.com] [--mode site|full] [--out /etc/nginx/conf.d/dukaan.conf]
 *
 * `--mode site` (the default) renders what goes into the system nginx's `conf.d/` (it lives inside `http {}`);
 * `--mode full` renders a whole nginx.conf with its own pid, logs and temp paths under `--run-dir`, for
 * `nginx -c <file> -p <run dir>` (what `npm run topology` does).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type Balance = 'round_robin' | 'least_conn';

export interface NginxOptions {
  /** `host:port` of each app server (each one worker pool). */
  upstreams: string[];
  balance: Balance;
  tlsCert: string;
  tlsKey: string;
  /** `port` or `address:port` for HTTPS. */
  listenHttps: string;
  /** `port` or `address:port` for the plain-HTTP server that only redirects; null: none. */
  listenHttp: string | null;
  /**
   * Directory nginx serves `/static/` from (the app's `src/web/assets/dist`). Null: nginx has no copy of the
   * files (a load balancer on its own box), so `/static/` is proxied to the app and cached by nginx.
   */
  staticRoot: string | null;
  serverName: string;
  mode: 'site' | 'full';
  /** Full mode: where pid, temp files and (by default) logs go. */
  runDir: string;
  logDir: string;
  /** Cache of proxied `/static/` responses (used when staticRoot is null). */
  cacheDir: string;
  /** Full mode, when the master runs as root: the unprivileged user of the worker processes. */
  user: string | null;
  /** Passive health check: this many failures within failTimeout take a server out for failTimeout. */
  maxFails: number;
  failTimeout: string;
  hstsMaxAge: number;
}

export const APP_ASSET_DIR = 'src/web/assets/dist';
/** The app's JSON body limit (config.bodyLimit = 1 MB). */
export const JSON_BODY_LIMIT = '1m';
/**
 * Uploads: the app allows a 5 MB file (payment proofs, dashboard images) and checks the size itself, so its
 * precise 413 speaks for files just over 5 MB; nginx adds 200 KB for the multipart framing and form fields and
 * stops anything bigger before it reaches a worker.
 */
export const UPLOAD_BODY_LIMIT = '5320k';
/** The WhatsApp webhook: Meta's deliveries may be up to 3 MB (the app's route allows the same). */
export const WEBHOOK_BODY_LIMIT = '3m';

export function defaultOptions(overrides: Partial<NginxOptions> = {}): NginxOptions {
  const mode = overrides.mode ?? 'site';
  const runDir = overrides.runDir ?? '/tmp/dukaan-topology';
  return {
    upstreams: ['127.0.0.1:3000'],
    balance: 'round_robin',
    tlsCert: '/etc/ssl/certs/dukaan.crt',
    tlsKey: '/etc/ssl/private/dukaan.key',
    listenHttps: '443',
    listenHttp: '80',
    staticRoot: null,
    serverName: '_',
    mode,
    runDir,
    logDir: mode === 'full' ? path.join(runDir, 'logs') : '/var/log/nginx',
    cacheDir: mode === 'full' ? path.join(runDir, 'cache') : '/var/cache/nginx/dukaan',
    user: mode === 'full' ? 'www-data' : null,
    maxFails: 3,
    failTimeout: '5s',
    hstsMaxAge: 31536000,
    ...overrides,
  };
}

function problemJson(status: number, code: string, title: string, detail: string): string {
  // Same shape as the app's problem+json (src/shared/errors.ts), so a client cannot tell who answered.
  return JSON.stringify({ type: `https://dukaan.dev/problems/${code}`, title, status, code, detail });
}

function validate(o: NginxOptions): void {
  if (o.upstreams.length === 0) throw new Error('--upstream: give at least one host:port');
  for (const u of o.upstreams) {
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$|^unix:\/[^\s;]+$/.test(u))
      throw new Error(`--upstream: "${u}" is not host:port`);
  }
  if (o.balance !== 'round_robin' && o.balance !== 'least_conn')
    throw new Error(`--balance must be round_robin or least_conn, got "${String(o.balance)}"`);
  for (const [name, listen] of [
    ['--listen-https', o.listenHttps],
    ['--listen-http', o.listenHttp],
  ] as const) {
    if (listen !== null && !/^(\d{1,5}|[0-9.]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5})$/.test(listen))
      throw new Error(`${name}: "${listen}" is not a port or address:port`);
  }
  for (const [name, value] of [
    ['--tls-cert', o.tlsCert],
    ['--tls-key', o.tlsKey],
    ['--static-root', o.staticRoot],
    ['--server-name', o.serverName],
    ['--run-dir', o.runDir],
    ['--log-dir', o.logDir],
    ['--cache-dir', o.cacheDir],
  ] as const) {
    // Values are written into the config verbatim: refuse anything that could end a directive.
    if (value !== null && /[\s;{}'"$\\]/.test(value))
      throw new Error(`${name}: "${value}" must not contain spaces, quotes, ; { } $ or \\`);
  }
  if (!Number.isInteger(o.maxFails) || o.maxFails < 0) throw new Error('--max-fails must be a non-negative integer');
  if (!/^\d+(ms|s|m)?$/.test(o.failTimeout)) throw new Error('--fail-timeout must look like 5s');
}

/** The https port as it must appear in a redirect URL ('' for 443). */
function httpsPortSuffix(listenHttps: string): string {
  const port = listenHttps.split(':').at(-1)!;
  return port === '443' ? '' : `:${port}`;
}

export function renderNginxConfig(input: Partial<NginxOptions> & Pick<NginxOptions, 'upstreams'>): string {
  const o = defaultOptions(input);
  validate(o);
  const hsts = `add_header Strict-Transport-Security "max-age=${o.hstsMaxAge}" always;`;
  const requestIdHeader = 'add_header X-Request-Id $dukaan_request_id always;';
  // Inside the system's /var/log/nginx the files say whose they are; in a run dir of our own they need not.
  const log = (name: string) => path.join(o.logDir, o.mode === 'site' ? `dukaan-${name}` : name);
  const servers = o.upstreams
    .map((u) => `    server ${u} max_fails=${o.maxFails} fail_timeout=${o.failTimeout};`)
    .join('\n');
  const tooLarge = problemJson(
    413,
    'payload_too_large',
    'The request body is too large',
    'The request body is larger than allowed',
  );
  const unavailable = problemJson(
    503,
    'unavailable',
    'Temporarily unavailable',
    'No app server answered; try again shortly',
  );
  const gatewayTimeout = problemJson(
    504,
    'unavailable',
    'Temporarily unavailable',
    'The app server did not answer in time; try again shortly',
  );
  const notFound = problemJson(404, 'not_found', 'Not found', 'Not found');
  const badGateway = problemJson(
    502,
    'unavailable',
    'Temporarily unavailable',
    'No app server answered; try again shortly',
  );

  const staticLocation = o.staticRoot
    ? `    # Content-hashed assets straight from the app's build directory on this box: a new build gets new names,
    # so a year of caching is safe. A name not on disk (an older or newer build than this copy) goes to the app.
    location /static/ {
        alias ${o.staticRoot.replace(/\/?$/, '/')};
        try_files $uri @app;
        gzip_static on;
        access_log off;
        add_header Cache-Control "public, max-age=31536000, immutable";
        add_header X-Content-Type-Options nosniff;
        ${hsts}
    }`
    : `    # No copy of the assets on this box: proxy /static/ to the app and keep what it returns. Names are
    # content-hashed, so a year of caching is safe.
    location /static/ {
        proxy_pass http://dukaan_app;
        proxy_cache dukaan_static;
        proxy_cache_valid 200 7d;
        # The names decide freshness here (content-hashed), not whatever caching headers come with them.
        proxy_ignore_headers Cache-Control Expires;
        proxy_cache_lock on;
        proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;
        proxy_hide_header Cache-Control;
        add_header Cache-Control "public, max-age=31536000, immutable";
        add_header X-Cache-Status $upstream_cache_status always;
        ${hsts}
        ${requestIdHeader}
    }`;

  const redirectServer =
    o.listenHttp === null
      ? ''
      : `server {
    listen ${o.listenHttp};
    server_name ${o.serverName};
    server_tokens off;
    access_log ${log('access.log')} dukaan;
    location / {
        return 301 https://$host${httpsPortSuffix(o.listenHttps)}$request_uri;
    }
}

`;
  const http = `# dukaan behind nginx: TLS, redirect, HSTS, gzip, static assets, body limits, load balancing.
# Rendered by \`npm run nginx-config\` (deploy/nginx/render.ts); render again rather than editing by hand.

log_format dukaan '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                  'rt=$request_time rid=$dukaan_request_id up=$upstream_addr us=$upstream_status\
 urt=$upstream_response_time';

# One id follows a request through nginx and the app's logs: the client's X-Request-Id when it looks like one
# (the app accepts the same pattern), otherwise nginx's own random $request_id.
map $http_x_request_id $dukaan_request_id {
    "~^[A-Za-z0-9._:-]{1,128}$" $http_x_request_id;
    default $request_id;
}

# Cache of immutable responses: uploaded images (/media/), and /static/ when nginx has no copy of the assets.
proxy_cache_path ${o.cacheDir} levels=1:2 keys_zone=dukaan_static:10m max_size=1g inactive=30d use_temp_path=off;

upstream dukaan_app {
    # Shared by all nginx workers, so least_conn counts every worker's requests and a failed server is
    # skipped by all of them.
    zone dukaan_app 64k;
${o.balance === 'least_conn' ? '    least_conn;\n' : '    # round robin (the default algorithm)\n'}    # Passive health\
 checks: ${o.maxFails} failures within ${o.failTimeout} take a server out for ${o.failTimeout}.
    # (Ignored when there is only one server: nginx never gives up on its only server.)
${servers}
    # Idle connections kept open to the app servers, per nginx worker. nginx closes them after 60 s, before the
    # app's own keep-alive timeout (Fastify: 72 s), so nginx never reuses a connection the app is closing.
    keepalive 32;
    keepalive_requests 10000;
    keepalive_timeout 60s;
}

${redirectServer}server {
    listen ${o.listenHttps} ssl http2;
    server_name ${o.serverName};
    access_log ${log('access.log')} dukaan;

    ssl_certificate ${o.tlsCert};
    ssl_certificate_key ${o.tlsKey};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:dukaan_tls:10m;
    ssl_session_timeout 1d;
    ssl_session_tickets off;
    server_tokens off;

    # Set here rather than at http level, where the system nginx.conf (Debian's) already says "gzip on".
    gzip on;
    gzip_vary on;
    gzip_proxied any;
    gzip_comp_level 5;
    gzip_min_length 512;
    gzip_types text/plain text/css text/xml application/xml application/json application/problem+json
               application/javascript text/javascript application/manifest+json image/svg+xml;

    # HSTS belongs to whoever terminates TLS; the app's own copy (helmet) is dropped so there is exactly one.
    proxy_hide_header Strict-Transport-Security;
    ${hsts}
    proxy_hide_header X-Request-Id;
    ${requestIdHeader}

    # The app's JSON body limit; uploads get more below. nginx reads the whole body before passing it on
    # (proxy_request_buffering on), so a slow client ties up nginx, not a worker.
    client_max_body_size ${JSON_BODY_LIMIT};
    client_body_buffer_size 128k;
    client_body_timeout 30s;
    client_header_timeout 15s;
    keepalive_timeout 65s;
    send_timeout 30s;

    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $http_host;
    # nginx is the edge: the client address nginx saw replaces anything the client claimed, so the app
    # (TRUST_PROXY = this nginx's address) can believe it. Behind another proxy, use $proxy_add_x_forwarded_for
    # together with ngx_http_realip_module instead.
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-Host $http_host;
    proxy_set_header X-Request-Id $dukaan_request_id;

    proxy_connect_timeout 2s;
    proxy_send_timeout 30s;
    # Above the app's slowest legitimate answer (a repeated Idempotency-Key waits up to 15 s for the first).
    proxy_read_timeout 30s;
    proxy_buffering on;
    proxy_buffer_size 16k;
    proxy_buffers 32 16k;

    # A request that fails on one app server is tried on the next. "non_idempotent" is deliberately NOT in
    # this list: nginx then never sends a POST or PATCH that already reached one server to a second one
    # (it would run twice). Such a request answers 502 and the client retries it with its Idempotency-Key.
    # A POST that never reached a server (connection refused) is still passed on, which is safe. An app's own 503
    # (its database is away, or it sheds load) is not tried elsewhere and not counted as the server failing: every
    # server would answer the same, and counting it would take them all out and turn 503s into nginx's 502s.
    proxy_next_upstream error timeout http_502 http_504;
    proxy_next_upstream_tries 3;
    proxy_next_upstream_timeout 10s;

    error_page 413 @payload_too_large;
    error_page 502 @bad_gateway;
    error_page 503 @unavailable;
    error_page 504 @gateway_timeout;

    location / {
        proxy_pass http://dukaan_app;
    }

    # Metrics are for the monitoring network (scrape the app servers directly), never the public site.
    location = /metrics {
        default_type application/problem+json;
        ${hsts}
        return 404 '${notFound}';
    }

${staticLocation}

    location @app {
        proxy_pass http://dukaan_app;
    }

    # Uploaded images: a name is never reused for other bytes, so nginx keeps them and spares the app.
    location /media/ {
        proxy_pass http://dukaan_app;
        proxy_cache dukaan_static;
        proxy_cache_valid 200 30d;
        proxy_cache_lock on;
        proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;
        add_header X-Cache-Status $upstream_cache_status always;
        ${hsts}
        ${requestIdHeader}
    }

    # Uploads: payment proofs (API and storefront pages) and the dashboard's forms.
    location ~ /payment-proof$ {
        client_max_body_size ${UPLOAD_BODY_LIMIT};
        proxy_pass http://dukaan_app;
    }
    location ~ ^/api/v1/stores/[^/]+/(uploads|images)(/|$) {
        client_max_body_size ${UPLOAD_BODY_LIMIT};
        proxy_pass http://dukaan_app;
    }
    location /dashboard/ {
        client_max_body_size ${UPLOAD_BODY_LIMIT};
        proxy_pass http://dukaan_app;
    }
    # The WhatsApp webhook: a delivery refused here would be retried by Meta, and refused again, until it is dropped.
    location = /webhooks/whatsapp {
        client_max_body_size ${WEBHOOK_BODY_LIMIT};
        proxy_pass http://dukaan_app;
    }
    # The live orders list (Server-Sent Events): each event passed on the moment it is written, never buffered or
    # cached; the app's 15 s heartbeat keeps the stream inside the read timeout. Any app server can serve it: the
    # events come from the database.
    location ~ ^/dashboard/stores/[^/]+/orders/events$ {
        proxy_buffering off;
        proxy_cache off;
        proxy_read_timeout 60s;
        proxy_pass http://dukaan_app;
    }

    # Errors nginx answers itself speak the API's problem+json, never an HTML page.
    location @payload_too_large {
        default_type application/problem+json;
        ${hsts}
        ${requestIdHeader}
        return 413 '${tooLarge}';
    }
    location @bad_gateway {
        default_type application/problem+json;
        add_header Retry-After 1 always;
        ${hsts}
        ${requestIdHeader}
        return 502 '${badGateway}';
    }
    location @unavailable {
        default_type application/problem+json;
        add_header Retry-After 1 always;
        ${hsts}
        ${requestIdHeader}
        return 503 '${unavailable}';
    }
    location @gateway_timeout {
        default_type application/problem+json;
        add_header Retry-After 1 always;
        ${hsts}
        ${requestIdHeader}
        return 504 '${gatewayTimeout}';
    }
}
`;
  if (o.mode === 'site') return http;

  const indented = http
    .split('\n')
    .map((line) => (line ? `    ${line}` : line))
    .join('\n');
  return `# A whole nginx.conf for \`nginx -c <this file> -p ${o.runDir}\`: its own pid, logs and temp paths.
${o.user ? `user ${o.user};\n` : ''}worker_processes auto;
pid ${path.join(o.runDir, 'nginx.pid')};
error_log ${log('error.log')} warn;

events {
    worker_connections 2048;
}

http {
    include ${MIME_TYPES};
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path ${path.join(o.runDir, 'tmp/body')};
    proxy_temp_path ${path.join(o.runDir, 'tmp/proxy')};
    fastcgi_temp_path ${path.join(o.runDir, 'tmp/fastcgi')};
    uwsgi_temp_path ${path.join(o.runDir, 'tmp/uwsgi')};
    scgi_temp_path ${path.join(o.runDir, 'tmp/scgi')};

${indented}}
`;
}

/** The mime.types file nginx ships (Debian: /etc/nginx/mime.types). */
const MIME_TYPES = '/etc/nginx/mime.types';

export function parseNginxArgs(argv: string[]): { options: NginxOptions; out: string | null } {
  const { values } = parseArgs({
    args: argv,
    options: {
      upstream: { type: 'string' },
      balance: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'listen-https': { type: 'string' },
      'listen-http': { type: 'string' },
      'static-root': { type: 'string' },
      'server-name': { type: 'string' },
      mode: { type: 'string' },
      'run-dir': { type: 'string' },
      'log-dir': { type: 'string' },
      'cache-dir': { type: 'string' },
      user: { type: 'string' },
      'max-fails': { type: 'string' },
      'fail-timeout': { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  if (!values.upstream) throw new Error('--upstream host:port[,host:port...] is required');
  if (!values['tls-cert'] || !values['tls-key']) throw new Error('--tls-cert and --tls-key are required');
  const mode = values.mode ?? 'site';
  if (mode !== 'site' && mode !== 'full') throw new Error('--mode must be site or full');
  const overrides: Partial<NginxOptions> = {
    mode,
    upstreams: values.upstream
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    balance: (values.balance ?? 'round_robin') as Balance,
    tlsCert: path.resolve(values['tls-cert']),
    tlsKey: path.resolve(values['tls-key']),
  };
  if (values['listen-https']) overrides.listenHttps = values['listen-https'];
  if (values['listen-http'] !== undefined)
    overrides.listenHttp = values['listen-http'] === 'off' ? null : values['listen-http'];
  if (values['static-root']) overrides.staticRoot = path.resolve(values['static-root']);
  if (values['server-name']) overrides.serverName = values['server-name'];
  if (values['run-dir']) overrides.runDir = path.resolve(values['run-dir']);
  const base = defaultOptions(overrides);
  if (values['log-dir']) base.logDir = path.resolve(values['log-dir']);
  if (values['cache-dir']) base.cacheDir = path.resolve(values['cache-dir']);
  if (values.user !== undefined) base.user = values.user === '' ? null : values.user;
  if (values['max-fails'] !== undefined) base.maxFails = Number(values['max-fails']);
  if (values['fail-timeout']) base.failTimeout = values['fail-timeout'];
  return { options: base, out: values.out ? path.resolve(values.out) : null };
}

/** `npm run nginx-config -- --examples`: renders the shipped example files again. */
function writeExamples(): void {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  for (const example of SHIPPED_EXAMPLES) {
    const file = path.join(dir, example.file);
    fs.writeFileSync(file, renderNginxConfig(parseNginxArgs(example.args).options));
    process.stderr.write(`wrote ${file}\n`);
  }
}

function main(): void {
  try {
    if (process.argv.slice(2).join(' ') === '--examples') {
      writeExamples();
      return;
    }
    const { options, out } = parseNginxArgs(process.argv.slice(2));
    const text = renderNginxConfig(options);
    if (out) {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, text);
      process.stderr.write(`wrote ${out}\n`);
    } else {
      process.stdout.write(text);
    }
  } catch (err) {
    process.stderr.write(`nginx-config: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}

export const RENDER_SCRIPT = fileURLToPath(import.meta.url);

/** The example configs shipped in deploy/nginx/ and the arguments that render them (a test keeps them in step). */
export const SHIPPED_EXAMPLES: { file: string; args: string[] }[] = [
  {
    file: 'dukaan-single.conf',
    args: [
      '--upstream',
      '127.0.0.1:3000',
      '--tls-cert',
      '/etc/letsencrypt/live/shop.example.com/fullchain.pem',
      '--tls-key',
      '/etc/letsencrypt/live/shop.example.com/privkey.pem',
      '--server-name',
      'shop.example.com',
      '--static-root',
      '/srv/dukaan/src/web/assets/dist',
    ],
  },
  {
    file: 'dukaan-lb.conf',
    args: [
      '--upstream',
      '10.0.0.11:3000,10.0.0.12:3000,10.0.0.13:3000',
      '--balance',
      'least_conn',
      '--tls-cert',
      '/etc/letsencrypt/live/shop.example.com/fullchain.pem',
      '--tls-key',
      '/etc/letsencrypt/live/shop.example.com/privkey.pem',
      '--server-name',
      'shop.example.com',
    ],
  },
];

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
