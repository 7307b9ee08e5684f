import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDb, type PgliteDb } from './pglite.js';

let db: PgliteDb;
beforeAll(async () => {
  db = await createPgliteDb(null);
}, 60_000);
afterAll(async () => {
  await db.close();
});

describe('the embedded database queue', () => {
  it('lets the event loop run between queued statements (new connections and requests are not starved)', async () => {
    const queued = 30;
    let answered = 0;
    const all = Array.from({ length: queued }, () => db.query('SELECT 1').then(() => answered++));
    // What I/O would do: a callback of the event loop's next turn. Without a turn between statements the whole
    // queue ran in one microtask drain, and the server read no new request (or connection) until it was empty.
    const seenAt = new Promise<number>((resolve) => setImmediate(() => resolve(answered)));
    await Promise.all(all);
    expect(await seenAt).toBeLessThan(queued);
    expect(answered).toBe(queued);
  });

  it('still runs statements one at a time, in the order they were queued', async () => {
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        db.query<{ n: number }>('SELECT $1::int AS n', [i]).then((r) => order.push(r.rows[0]!.n)),
      ),
    );
    expect(order).toEqual([...Array(10).keys()]);
  });
});

describe('a copy of the embedded database', () => {
  it('starts a new database from dumpDataDir with the tables and rows of the first', async () => {
    await db.exec('CREATE TABLE copied (n int); INSERT INTO copied VALUES (1), (2)');
    const copy = await createPgliteDb(null, { loadDataDir: await db.dumpDataDir() });
    try {
      await copy.query('INSERT INTO copied VALUES (3)');
      const inCopy = await copy.query<{ n: number }>('SELECT n FROM copied ORDER BY n');
      expect(inCopy.rows.map((r) => r.n)).toEqual([1, 2, 3]);
      // The copy is its own database: the original did not get the copy's row.
      const inFirst = await db.query<{ n: number }>('SELECT n FROM copied ORDER BY n');
      expect(inFirst.rows.map((r) => r.n)).toEqual([1, 2]);
    } finally {
      await copy.close();
    }
  }, 60_000);
});
