import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoalescedWrites } from './coalesced-writes.js';

/** A writeMany whose calls are recorded and whose ends the test decides. */
function controlledWrites() {
  const calls: { items: number[]; resolve: (outs: string[]) => void; reject: (e: Error) => void }[] = [];
  const writeMany = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => calls.push({ items, resolve, reject }));
  return { calls, writeMany };
}
const tick = () => new Promise((r) => setImmediate(r));
const answer = (items: number[]) => items.map((i) => `w${i}`);

describe('CoalescedWrites', () => {
  it('a write with none running is written at once, alone', async () => {
    const { calls, writeMany } = controlledWrites();
    const writes = new CoalescedWrites(writeMany, { max: 10 });
    const a = writes.write(1);
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    calls[0]!.resolve(['one']);
    expect(await a).toBe('one');
  });

  it('writes arriving while one runs go together, in arrival order, in ONE call when it ends', async () => {
    const { calls, writeMany } = controlledWrites();
    const writes = new CoalescedWrites(writeMany, { max: 10 });
    const first = writes.write(1);
    const during = [2, 3, 4].map((i) => writes.write(i));
    expect(calls).toHaveLength(1);
    expect(writes.queued).toBe(3);
    calls[0]!.resolve(answer([1]));
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]!.resolve(answer([2, 3, 4]));
    expect(await first).toBe('w1');
    expect(await Promise.all(during)).toEqual(['w2', 'w3', 'w4']);
  });

  it('takes at most `max` per call; the rest go in the next', async () => {
    const { calls, writeMany } = controlledWrites();
    const writes = new CoalescedWrites(writeMany, { max: 2 });
    const all = [1, 2, 3, 4, 5].map((i) => writes.write(i));
    for (let i = 0; i < 3; i++) {
      calls[i]!.resolve(answer(calls[i]!.items));
      await tick();
    }
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3], [4, 5]]);
    expect(await Promise.all(all)).toEqual(['w1', 'w2', 'w3', 'w4', 'w5']);
  });

  it('writes that clash never share a call: the later one waits for the next', async () => {
    const { calls, writeMany } = controlledWrites();
    const sameKey = (a: number, b: number) => a % 10 === b % 10;
    const writes = new CoalescedWrites(writeMany, { max: 10, clash: sameKey });
    const all = [1, 2, 12, 3, 22].map((i) => writes.write(i));
    for (let i = 0; i < 4; i++) {
      calls[i]!.resolve(answer(calls[i]!.items));
      await tick();
    }
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3], [12], [22]]);
    expect(await Promise.all(all)).toEqual(['w1', 'w2', 'w12', 'w3', 'w22']);
  });

  it('a failed call of many tries each write alone: only the bad one fails', async () => {
    const writeMany = async (items: number[]) => {
      if (items.includes(13)) throw new Error('bad write');
      return answer(items);
    };
    const writes = new CoalescedWrites(writeMany, { max: 10 });
    const results = await Promise.allSettled([1, 2, 13, 4].map((i) => writes.write(i)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'w1',
      'w2',
      'bad write',
      'w4',
    ]);
  });

  it('a call answering the wrong number of results fails its writes, never mismatches them', async () => {
    const writes = new CoalescedWrites(async (items: number[]) => (items.length > 1 ? ['x'] : answer(items)), {
      max: 10,
    });
    const [a, b, c] = [1, 2, 3].map((i) => writes.write(i));
    // 2 and 3 went together and got one result: each is tried alone and answered its own.
    expect(await Promise.all([a, b, c])).toEqual(['w1', 'w2', 'w3']);
  });

  it('every write gets its own answer, whatever the timing (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3 })), { maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        async (plan, max) => {
          const sizes: number[] = [];
          const writes = new CoalescedWrites(
            async (items: number[]) => {
              sizes.push(items.length);
              await new Promise((r) => setTimeout(r, items.length % 3));
              return answer(items);
            },
            { max, clash: (a, b) => a === b },
          );
          const pending: Promise<string>[] = [];
          for (const [item, pause] of plan) {
            pending.push(writes.write(item));
            for (let i = 0; i < pause; i++) await tick();
          }
          expect(await Promise.all(pending)).toEqual(plan.map(([item]) => `w${item}`));
          expect(sizes.every((n) => n <= max)).toBe(true);
          expect(sizes.reduce((a, b) => a + b, 0)).toBe(plan.length);
          expect(writes.queued).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
