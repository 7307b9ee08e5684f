import { describe, expect, it } from 'vitest';
import { CoalescedReads } from './coalesced-reads.js';

/** A load whose start is recorded and whose end the test decides. */
function controlledLoads() {
  const started: { resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  const load = () => new Promise<number>((resolve, reject) => started.push({ resolve, reject }));
  return { started, load };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('CoalescedReads', () => {
  it('a request with no load running starts one and gets its result', async () => {
    const reads = new CoalescedReads<string, number>();
    const { started, load } = controlledLoads();
    const a = reads.read('k', load);
    expect(started).toHaveLength(1);
    started[0]!.resolve(1);
    expect(await a).toBe(1);
    expect(reads.inFlight).toBe(0);
  });

  it('requests arriving during a load never get that load: they share the next one, started when it ends', async () => {
    const reads = new CoalescedReads<string, number>();
    const { started, load } = controlledLoads();
    const first = reads.read('k', load);
    const during = [reads.read('k', load), reads.read('k', load), reads.read('k', load)];
    expect(started).toHaveLength(1); // nothing new yet: they wait for the running load to end
    started[0]!.resolve(1); // the value as of before they arrived
    await tick();
    expect(started).toHaveLength(2); // exactly one more load for all three
    started[1]!.resolve(2);
    expect(await first).toBe(1);
    expect(await Promise.all(during)).toEqual([2, 2, 2]);
    expect(reads.inFlight).toBe(0);
  });

  it('arrivals during the shared next load wait for the one after it', async () => {
    const reads = new CoalescedReads<string, number>();
    const { started, load } = controlledLoads();
    void reads.read('k', load);
    const second = reads.read('k', load);
    started[0]!.resolve(1);
    await tick();
    const third = reads.read('k', load); // arrives while load 2 runs
    started[1]!.resolve(2);
    await tick();
    expect(started).toHaveLength(3);
    started[2]!.resolve(3);
    expect(await second).toBe(2);
    expect(await third).toBe(3);
  });

  it('a failed load fails only those who shared it; the next request loads again', async () => {
    const reads = new CoalescedReads<string, number>();
    const { started, load } = controlledLoads();
    const a = reads.read('k', load);
    const b = reads.read('k', load);
    started[0]!.reject(new Error('database away'));
    await expect(a).rejects.toThrow('database away');
    await tick();
    started[1]!.resolve(5);
    expect(await b).toBe(5);
    const c = reads.read('k', load);
    started[2]!.resolve(6);
    expect(await c).toBe(6);
  });

  it('keys do not share', async () => {
    const reads = new CoalescedReads<string, number>();
    const { started, load } = controlledLoads();
    const a = reads.read('a', load);
    const b = reads.read('b', load);
    expect(started).toHaveLength(2);
    started[0]!.resolve(1);
    started[1]!.resolve(2);
    expect([await a, await b]).toEqual([1, 2]);
  });
});
