/**
 * The worker pool (`dukaan serve`) as real processes over real HTTP: replacement of dead workers, zero-downtime
 * reload, graceful stop, the embedded-database rule, backoff, and pool-wide metrics.
 * Each test starts its own pool; every process group is killed after each test, pass or fail.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.js';
import {
  connectionRefused,
  freePort,
  getFresh,
  isAlive,
  killAllServers,
  spawnServer,
  startStream,
  waitFor,
  type ServerProcess,
} from '../helpers/process.js';

let testDb: TestDb;
const tmpDirs: string[] = [];

beforeAll(async () => {
  testDb = await createTestDb('postgres');
});
afterEach(async () => {
  await killAllServers();
});
afterAll(async () => {
  await killAllServers();
  await testDb?.dispose();
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function startPool(workers: number, env: Record<string, string | undefined> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const server = spawnServer({ port, env: { DATABASE_URL: testDb.url!, WEB_CONCURRENCY: String(workers), ...env } });
  await server.waitForOutput(new RegExp(`dukaan pool listening on .* with ${workers} workers?\\n`), 90_000);
  await server.waitForHealthy(30_000);
  await waitFor(`${workers} workers`, () => server.workerPids().length === workers, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}; children ${server.workerPids().join(',')}; output:\n${server.output()}`);
  });
  return server;
}

/** Which worker answers: the pid from /__test/slow on a fresh connection. */
async function servingPid(server: ServerProcess): Promise<number> {
  const res = await getFresh(`${server.baseUrl}/__test/slow?ms=0`);
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as { pid: number }).pid;
}

/** Fresh connections until every one of `pids` has answered at least once (round-robin spreads them). */
async function waitUntilEachServes(server: ServerProcess, pids: number[], timeoutMs = 30_000) {
  const seen = new Set<number>();
  await waitFor(
    `workers ${pids.join(',')} all serving`,
    async () => {
      seen.add(await servingPid(server));
      return pids.every((p) => seen.has(p));
    },
    timeoutMs,
    20,
  );
}

const STREAM_PATHS = ['/healthz', '/api/v1/storefront/no-such-shop', '/readyz', '/__test/slow?ms=1'];

// Several workers booting at once on a loaded 2-core machine are slow: generous budgets, no speed asserted but the 2 s.
describe('worker pool', { timeout: 240_000 }, () => {
  it('prints the URL once when every worker listens, and each worker serves', async () => {
    const server = await startPool(2);
    await server.waitForOutput(/dukaan pool listening on http:\/\/127\.0\.0\.1:\d+ with 2 workers/);
    expect(server.output()).toContain(`dukaan pool listening on http://127.0.0.1:${server.port} with 2 workers`);
    expect(server.output().match(/dukaan pool listening/g)).toHaveLength(1);
    await waitUntilEachServes(server, server.workerPids());
  });

  it('replaces a worker killed with SIGKILL under a stream of requests; the pool serves again within 2 s', async () => {
    const server = await startPool(2);
    const before = server.workerPids();
    await waitUntilEachServes(server, before);
    const stream = startStream(server.baseUrl, STREAM_PATHS, 5);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const victim = before[0]!;
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');

    // Serving again: fresh connections, one launched every 100 ms, until one is answered. (A connection the primary
    // hands to the worker in the instant it dies is lost with it, so no single probe is waited on.)
    let servedAgainAt = 0;
    const probes: Promise<unknown>[] = [];
    await waitFor(
      'a successful request after the kill',
      () => {
        probes.push(
          getFresh(`${server.baseUrl}/healthz`, 5_000).then(
            (r) => {
              if (r.status === 200 && !servedAgainAt) servedAgainAt = Date.now();
            },
            () => {},
          ),
        );
        return servedAgainAt > 0;
      },
      10_000,
      100,
    );
    expect(servedAgainAt - killedAt).toBeLessThan(2_000);
    await Promise.all(probes);
    await waitFor('the killed worker to be gone', () => !isAlive(victim), 5_000, 10);
    // A replacement is forked (the backoff's first step is 100 ms)…
    const replacement = await waitFor(
      'a replacement worker',
      () => server.workerPids().find((p) => !before.includes(p)),
      30_000,
      20,
    );
    // …and then takes its share of the connections.
    await waitUntilEachServes(server, [before[1]!, replacement], 60_000);
    expect(server.workerPids()).toEqual([before[1]!, replacement].sort((a, b) => a - b));

    await new Promise((resolve) => setTimeout(resolve, 500));
    const stats = await stream.stop();
    expect(stats.ok).toBeGreaterThan(50);
    // Only requests that were on the killed worker may fail; nothing sent 2 s after the kill.
    const late = stats.failures.filter((f) => f.startedAt > killedAt + 2_000);
    expect(late).toEqual([]);
    // The primary reports the death as a warning with the restart delay.
    expect(server.output()).toMatch(new RegExp(`worker ${victim} died .*signal SIGKILL.*restarting`));
  });

  it('SIGHUP replaces every worker one at a time with zero failed requests under a steady stream', async () => {
    const server = await startPool(2);
    const before = server.workerPids();
    const stream = startStream(server.baseUrl, STREAM_PATHS, 20);
    await waitFor('the stream to warm up', () => stream.stats.ok > 200, 30_000);

    server.signal('SIGHUP');
    // Done when every old worker has exited and as many new ones are running.
    const after = await waitFor(
      'all workers replaced',
      () => {
        const now = server.workerPids();
        return before.every((p) => !isAlive(p)) && now.length === 2 && now.every((p) => !before.includes(p))
          ? now
          : undefined;
      },
      90_000,
      50,
    );
    const okAtReloadEnd = stream.stats.ok;
    await waitFor('requests after the reload', () => stream.stats.ok > okAtReloadEnd + 200, 30_000);
    const stats = await stream.stop();

    expect(stats.failures).toEqual([]);
    expect(stats.failed).toBe(0);
    expect(stats.ok).toBeGreaterThan(400);
    await waitUntilEachServes(server, after);
    expect(server.workerPids()).toEqual(after);
  });

  it('SIGTERM stops accepting, lets in-flight requests finish with 200, and exits 0', async () => {
    const server = await startPool(2);
    const slow = Array.from({ length: 5 }, () => getFresh(`${server.baseUrl}/__test/slow?ms=4000`, 30_000));
    let slowDone = false;
    void Promise.allSettled(slow).then(() => (slowDone = true));
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // all five reach a worker

    server.signal('SIGTERM');
    // New connections are refused while the old requests are still running.
    await waitFor('new connections refused', () => connectionRefused(server.port), 10_000, 25);
    expect(slowDone).toBe(false);

    const answers = await Promise.all(slow);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(JSON.parse(a.body)).toMatchObject({ ok: true });
    }
    const exit = await Promise.race([
      server.exited,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000)),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await connectionRefused(server.port)).toBe(true);
  });

  it('SIGTERM cuts requests longer than SHUTDOWN_TIMEOUT_MS and still exits', async () => {
    const server = await startPool(1, { SHUTDOWN_TIMEOUT_MS: '500' });
    const slow = getFresh(`${server.baseUrl}/__test/slow?ms=20000`, 30_000).then(
      (a) => a.status,
      () => 'cut' as const,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    server.signal('SIGTERM');
    // Long before the request's own 20 s: the drain budget (0.5 s) bounds it.
    const exit = await Promise.race([
      server.exited,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000)),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await slow).toBe('cut');
  });

  it('with the embedded database runs exactly one worker and says why; SIGHUP restarts it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-pool-'));
    tmpDirs.push(dataDir);
    const port = await freePort();
    const server = spawnServer({ port, env: { DATA_DIR: dataDir, WEB_CONCURRENCY: '4' } });
    await server.waitForHealthy(90_000);
    await server.waitForOutput(/with 1 worker\b/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const pids = server.workerPids();
    expect(pids).toHaveLength(1);
    expect(server.output()).toMatch(
      new RegExp(
        'WEB_CONCURRENCY=4 ignored: the embedded database .* can be opened by one process only, ' +
          'so the pool runs exactly 1 worker',
      ),
    );
    expect((await getFresh(`${server.baseUrl}/readyz`)).status).toBe(200);

    // Reload: the old worker must close the data dir before the new one opens it (never two at once).
    server.signal('SIGHUP');
    const next = await waitFor(
      'a new worker',
      () => {
        const now = server.workerPids();
        return now.length === 1 && now[0] !== pids[0] && !isAlive(pids[0]!) ? now[0] : undefined;
      },
      90_000,
    );
    await waitFor(
      'the new worker ready',
      async () => (await getFresh(`${server.baseUrl}/readyz`, 5_000).catch(() => null))?.status === 200,
      90_000,
      100,
    );
    expect(await servingPid(server)).toBe(next);
    expect(server.workerPids()).toEqual([next]);
  });

  it('backs off exponentially when workers keep dying at start', async () => {
    const closedPort = await freePort();
    const port = await freePort();
    const server = spawnServer({
      port,
      env: {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/nothing`,
        WEB_CONCURRENCY: '2',
        LOG_LEVEL: 'info',
      },
    });
    const primaryLogs = (pattern: RegExp) =>
      server.logs().filter((l) => l.role === 'primary' && typeof l.msg === 'string' && pattern.test(l.msg)) as Array<{
        time: number;
        delayMs?: number;
      }>;
    const deaths = () => primaryLogs(/ died .* after start .*restarting in/);
    await waitFor('the first early death', () => deaths().length >= 1, 60_000);
    const firstDeathAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const forksInWindow = primaryLogs(/^worker forked$/).length;
    await waitFor('five early deaths', () => deaths().length >= 5, 60_000);

    const died = deaths();
    // 100, 200, 400, 800, … ms: each death in a row doubles the wait.
    for (const [i, d] of died.entries()) expect(d.delayMs).toBe(Math.min(100 * 2 ** i, 30_000));
    // …and the wait is real: the i-th replacement is forked no sooner than the i-th death plus its delay.
    const restarts = primaryLogs(/^worker forked$/).slice(2);
    expect(restarts.length).toBeGreaterThanOrEqual(4);
    for (const [i, fork] of restarts.entries()) {
      expect(fork.time - died[i]!.time).toBeGreaterThanOrEqual(died[i]!.delayMs! - 5);
    }
    // Not a hot loop: a handful of forks in the first seconds (the first two plus a few restarts).
    expect(forksInWindow).toBeLessThanOrEqual(8);
    expect(Date.now() - firstDeathAt).toBeGreaterThanOrEqual(3_000);
    expect(server.output()).toContain('worker could not start');
    expect(isAlive(server.pid)).toBe(true);
    expect(await connectionRefused(port)).toBe(true);
  });

  it('/metrics shows the whole pool: requests served by every worker are counted together', async () => {
    const server = await startPool(2);
    const pids = new Set<number>();
    for (let i = 0; i < 20; i++) pids.add(await servingPid(server));
    expect(pids.size).toBe(2);
    const res = await getFresh(`${server.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const line = res.body
      .split('\n')
      .find(
        (l) => l.startsWith('http_requests_total{') && l.includes('route="/__test/slow"') && l.includes('status="200"'),
      );
    expect(line).toBeDefined();
    expect(Number(line!.split(' ').pop())).toBe(20);
    expect(res.body).toContain('db_pool_connections{state="total"}');
  });
});
