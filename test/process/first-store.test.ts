/**
 * The first store on PostgreSQL: `npm start` (`dukaan start`) with DATABASE_URL prints only URLs that answer and
 * says how sign-in codes arrive; `dukaan demo` creates the demo store on that database, once.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { freePort, getFresh, killAllServers, ROOT, spawnServer } from '../helpers/process.js';

const run = promisify(execFile);
let testDb: TestDb | null = null;

afterAll(async () => {
  await killAllServers();
  await testDb?.dispose();
});

async function demo(databaseUrl: string, port: number): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin/dukaan.js'), 'demo'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: '' },
    timeout: 90_000,
  });
  return stdout;
}

describe('a first store on PostgreSQL', () => {
  it('npm start prints what is true; dukaan demo adds the demo store', async () => {
    testDb = await createTestDb('postgres');
    const databaseUrl = testDb.url!;
    const port = await freePort();
    const server = spawnServer({ port, command: 'start', env: { DATABASE_URL: databaseUrl } });
    await server.waitForOutput(/dukaan is running[\s\S]*API docs/);
    const banner = server.output();
    expect(banner).toContain('dukaan is running (PostgreSQL at 127.0.0.1:5432/');
    expect(banner).toContain(`dashboard:   ${server.baseUrl}/dashboard`);
    expect(banner).toContain('sign-in codes: written to this server’s log');
    expect(banner).toContain('`npm run demo` adds a demo store');
    expect(banner).not.toContain(`${server.baseUrl}/demo`);
    // Every URL it prints answers (a redirect to the sign-in page counts), none is a 404.
    const urls = [...banner.matchAll(/http:\/\/127\.0\.0\.1:\d+\/[^\s)<]*/g)].map((m) => m[0]);
    expect(urls.length).toBeGreaterThanOrEqual(2);
    for (const url of urls) expect((await getFresh(url)).status, url).toBeLessThan(400);
    expect((await getFresh(`${server.baseUrl}/demo`)).status).toBe(404);

    const first = await demo(databaseUrl, port);
    expect(first).toContain('created the demo store (PostgreSQL at 127.0.0.1:5432/');
    expect(first).toContain(`storefront:  ${server.baseUrl}/demo`);
    expect(first).toContain('sign in with phone +919000000000 (or start the server with OTP_TEST_NUMBERS=');
    const page = await getFresh(`${server.baseUrl}/demo`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Demo Kirana');

    expect(await demo(databaseUrl, port)).toContain('the demo store already exists');
    await server.kill();
  });
});
