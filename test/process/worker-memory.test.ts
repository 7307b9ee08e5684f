/**
 * The pool's memory shape: the primary serves nothing and must not load the app, and each worker runs with a
 * V8 old-generation limit (WORKER_HEAP_MB, default 192) so garbage does not pile up under load.
 */
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { commandLine, freePort, killAllServers, spawnServer, waitFor, type ServerProcess } from '../helpers/process.js';

let testDb: TestDb;

beforeAll(async () => {
  testDb = await createTestDb('postgres');
});
afterEach(async () => {
  await killAllServers();
});
afterAll(async () => {
  await killAllServers();
  await testDb?.dispose();
});

async function startPool(workers: number, env: Record<string, string | undefined> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const server = spawnServer({ port, env: { DATABASE_URL: testDb.url!, WEB_CONCURRENCY: String(workers), ...env } });
  await server.waitForOutput(new RegExp(`dukaan pool listening on .* with ${workers} workers?\\n`), 90_000);
  await waitFor(`${workers} workers`, () => server.workerPids().length === workers, 30_000);
  return server;
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb[1]) / 1024;
}

describe('worker pool memory', { timeout: 240_000 }, () => {
  it('the primary stays small (it never imports the app) and the workers get --max-old-space-size=192', async () => {
    // Through tsx, whatever dist/ holds: the primary is ~90 MB then, and was ~215 MB when it loaded the app.
    const server = await startPool(2, { DUKAAN_RUNTIME: 'tsx' });
    const workers = server.workerPids();
    for (const pid of workers) expect(commandLine(pid)).toMatch(/--max-old-space-size=192\b/);
    expect(rssMb(server.pid)).toBeLessThan(150);
    expect(commandLine(server.pid)).not.toContain('max-old-space-size');
  });

  it('WORKER_HEAP_MB=0 keeps V8 defaults; a limit given in NODE_OPTIONS is left alone', async () => {
    const off = await startPool(1, { WORKER_HEAP_MB: '0' });
    expect(commandLine(off.workerPids()[0]!)).not.toContain('max-old-space-size');
    await killAllServers();
    const own = await startPool(1, { NODE_OPTIONS: '--max-old-space-size=300' });
    expect(commandLine(own.workerPids()[0]!)).not.toContain('max-old-space-size=192');
  });

  it('refuses a WORKER_HEAP_MB too small to run a worker', async () => {
    const server = spawnServer({
      port: await freePort(),
      env: { DATABASE_URL: testDb.url!, WEB_CONCURRENCY: '1', WORKER_HEAP_MB: '16' },
    });
    const { code } = await server.exited;
    expect(code).not.toBe(0);
    expect(server.output()).toContain('WORKER_HEAP_MB must be 0');
  });
});
