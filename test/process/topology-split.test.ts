/**
 * App and database apart (`npm run topology -- up split`): the script starts a PostgreSQL server of its own
 * (initdb/pg_ctl, its own data directory and port) and the pool reaches it over TCP. `down` stops everything and
 * keeps the data; the next `up` finds it again; `down --purge` deletes it.
 */
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortRange, isAlive, portIsFree } from '../../deploy/lib/proc.js';
import { readState, type TopologyState } from '../../deploy/topology.js';
import {
  expectStatus,
  nothingLeft,
  signInThrough,
  topologyCommand,
  topologyUp,
  type TopologyRun,
} from '../helpers/topology.js';

const PHONE = '+919000000001';
const CODE = '123456';

let topo: TopologyRun | undefined;

afterAll(async () => {
  if (!topo) return;
  if (readState(topo.runDir)) await topologyCommand(['down', '--run-dir', topo.runDir, '--purge']);
  fs.rmSync(topo.runDir, { recursive: true, force: true });
}, 120_000);

function postmasterPid(state: TopologyState): number {
  return Number(fs.readFileSync(`${state.postgres.dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
}

/** Read while it runs: after `down --purge` the data directory is gone. */
let lastPostmaster = 0;
function postmasterPidOf(state: TopologyState): number {
  try {
    lastPostmaster = postmasterPid(state);
  } catch {
    // purged
  }
  return lastPostmaster;
}

describe('split: app server and database server apart', () => {
  it('brings up nginx → pool → its own PostgreSQL over TCP, keeps the ' +
    'data across down/up, and leaves nothing running', async () => {
    const pgPort = await freePortRange(1, 40000, 50000);
    const args = [
      '--pg-port',
      String(pgPort),
      '--pg-fast',
      '--web-concurrency',
      '2',
      '--env',
      `OTP_TEST_NUMBERS=${PHONE}:${CODE}`,
    ];
    topo = await topologyUp('split', args);
    const { state } = topo;
    expect(state.postgres).toMatchObject({
      managed: true,
      port: pgPort,
      url: `postgres://postgres@127.0.0.1:${pgPort}/dukaan`,
    });
    expect(fs.existsSync(`${state.postgres.dataDir}/PG_VERSION`)).toBe(true);
    const postgres = postmasterPid(state);
    expect(isAlive(postgres)).toBe(true);
    expect(topo.stdout).toContain('postgres.log');

    // Through nginx, to the pool, to that server.
    const merchant = await signInThrough(topo.client(), PHONE, CODE);
    const store = await merchant.post('/api/v1/stores', { name: 'Split Stores' });
    expectStatus(store, 201, 'create store');
    const direct = new pg.Client({ connectionString: state.postgres.url });
    await direct.connect();
    try {
      const { rows } = await direct.query<{ name: string }>('SELECT name FROM stores WHERE id = $1', [store.body.id]);
      expect(rows).toEqual([{ name: 'Split Stores' }]);
      // The pool talks to it over TCP from 127.0.0.1 (not a Unix socket).
      const { rows: clients } = await direct.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity ' +
          "WHERE datname = 'dukaan' AND client_addr = '127.0.0.1' AND pid <> pg_backend_pid()",
      );
      expect(clients[0]!.n).toBeGreaterThan(0);
    } finally {
      await direct.end();
    }

    // down: nginx, the pool and PostgreSQL are gone; the data directory stays.
    await topologyCommand(['down', '--run-dir', topo.runDir]);
    expect(nothingLeft(state)).toBe(true);
    expect(isAlive(postgres)).toBe(false);
    expect(await portIsFree(pgPort)).toBe(true);
    expect(await portIsFree(state.nginx.httpsPort)).toBe(true);
    expect(fs.existsSync(`${state.postgres.dataDir}/PG_VERSION`)).toBe(true);

    // up again on the same run dir: the same data.
    await topologyCommand([
      'up',
      'split',
      '--run-dir',
      topo.runDir,
      '--port',
      String(state.nginx.httpsPort),
      '--http-port',
      String(state.nginx.httpPort),
      '--app-port',
      String(state.servers[0]!.port),
      ...args,
    ]);
    const second = readState(topo.runDir)!;
    expect(second.tls.cert).toBe(state.tls.cert); // the certificate is kept, so clients that trust it still do
    postmasterPidOf(second);
    const again = await merchant.get(`/api/v1/stores/${store.body.id}`);
    expectStatus(again, 200, 'the store after down and up');
    expect(again.body.name).toBe('Split Stores');
    // A second `up` while it runs is refused, and starts nothing.
    await expect(topologyCommand(['up', 'split', '--run-dir', topo.runDir, ...args])).rejects.toThrow(/already up/);
    expectStatus(await merchant.get(`/api/v1/stores/${store.body.id}`), 200, 'still serving after the refused up');

    await topologyCommand(['down', '--run-dir', topo.runDir, '--purge']);
    expect(nothingLeft(second)).toBe(true);
    expect(isAlive(postmasterPidOf(second))).toBe(false);
    expect(fs.existsSync(topo.runDir)).toBe(false);
  }, 300_000);
});
