import { describe, expect, it } from 'vitest';
import { chooseRead, clientLsn, formatLsn, lagBytes, parseLsn, replicaName, type ReplicaView } from './read-routing.js';

const at = (replayLsn: bigint | null, checkedAt = 1000, healthy = true): ReplicaView => ({
  healthy,
  replayLsn,
  checkedAt,
});
const opts = { start: 0, freshMs: 10, mayProbe: true };

describe('LSN text', () => {
  it('parses both halves and prints them back', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(parseLsn('ffffffff/ffffffff')).toBe((1n << 64n) - 1n);
    expect(formatLsn(parseLsn('16/B374D848')!)).toBe('16/B374D848');
    expect(formatLsn(0n)).toBe('0/0');
  });
  it('refuses anything else', () => {
    for (const bad of ['', '0/', '/1', '1/2/3', 'x/1', '123456789/0', ' ', '0x1/2', undefined, 5, null])
      expect(parseLsn(bad)).toBeNull();
  });
  it('a client that sends a header and a cookie is held to the newer one; garbage counts as nothing', () => {
    expect(clientLsn('0/10', '0/20')).toBe(0x20n);
    expect(clientLsn('1/0', '0/FFFFFFFF')).toBe(1n << 32n);
    expect(clientLsn(undefined, 'nonsense')).toBeNull();
    expect(clientLsn(['0/1'], '0/5')).toBe(5n);
  });
});

describe('chooseRead', () => {
  it('no replicas, or none healthy: the primary', () => {
    expect(chooseRead([], null, 1000, opts)).toEqual({ kind: 'primary', reason: 'none' });
    expect(chooseRead([at(5n, 1000, false)], null, 1000, opts)).toEqual({ kind: 'primary', reason: 'none' });
  });
  it('a client without a position: any healthy replica, round robin from start, skipping dead ones', () => {
    const rs = [at(1n), at(1n, 1000, false), at(1n)];
    expect(chooseRead(rs, null, 1000, { ...opts, start: 0 })).toEqual({ kind: 'replica', index: 0 });
    expect(chooseRead(rs, null, 1000, { ...opts, start: 1 })).toEqual({ kind: 'replica', index: 2 });
    expect(chooseRead(rs, null, 1000, { ...opts, start: 2 })).toEqual({ kind: 'replica', index: 2 });
    expect(chooseRead(rs, null, 1000, { ...opts, start: 3 })).toEqual({ kind: 'replica', index: 0 });
    expect(chooseRead(rs, null, 1000, { ...opts, start: -1 })).toEqual({ kind: 'replica', index: 2 });
  });
  it('a client that wrote: only a replica that replayed its position (equal is enough)', () => {
    const rs = [at(90n), at(100n), at(120n)];
    expect(chooseRead(rs, 100n, 1005, opts)).toEqual({ kind: 'replica', index: 1 });
    expect(chooseRead(rs, 110n, 1005, opts)).toEqual({ kind: 'replica', index: 2 });
    expect(chooseRead(rs, 110n, 1005, { ...opts, start: 2 })).toEqual({ kind: 'replica', index: 2 });
  });
  it('none has replayed it: the stale ones are probed once, then the primary serves', () => {
    const rs = [at(90n, 1000), at(95n, 995), at(99n, 1000, false)];
    // At 1005 replica 0 was read 5 ms ago (fresh: trusted), replica 1 10 ms ago (stale: ask again).
    expect(chooseRead(rs, 100n, 1005, opts)).toEqual({ kind: 'probe', indexes: [1] });
    expect(chooseRead(rs, 100n, 1020, opts)).toEqual({ kind: 'probe', indexes: [0, 1] });
    expect(chooseRead(rs, 100n, 1020, { ...opts, mayProbe: false })).toEqual({ kind: 'primary', reason: 'behind' });
    expect(chooseRead([at(90n, 1000)], 100n, 1001, opts)).toEqual({ kind: 'primary', reason: 'behind' });
  });
  it('a replica never heard from is not trusted with a position', () => {
    expect(chooseRead([at(null, 0)], 1n, 1000, opts)).toEqual({ kind: 'probe', indexes: [0] });
    expect(chooseRead([at(null, 0)], 1n, 1000, { ...opts, mayProbe: false }).kind).toBe('primary');
  });
});

describe('lag and names', () => {
  it('lag in bytes is the primary position minus the replay position, never negative', () => {
    expect(lagBytes(parseLsn('0/3000'), parseLsn('0/1000'))).toBe(0x2000);
    expect(lagBytes(parseLsn('0/1000'), parseLsn('0/3000'))).toBe(0);
    expect(lagBytes(null, 5n)).toBeNull();
    expect(lagBytes(5n, null)).toBeNull();
  });
  it('replica names carry no credentials', () => {
    expect(replicaName('postgres://app:s3cret@db2.internal:6432/dukaan?sslmode=require')).toBe(
      'db2.internal:6432/dukaan',
    );
    expect(replicaName('postgres://db3/dukaan')).toBe('db3:5432/dukaan');
    expect(replicaName('not a url')).toBe('replica');
  });
});
