import { describe, expect, it } from 'vitest';
import { counterDelta, describeWork, perFlow, withoutOwnReads, type DbCounters } from './dbcounters.js';

const at = (n: number, statements: number | null = n * 10): DbCounters => ({
  commits: n,
  rollbacks: n / 2,
  walRecords: n * 3,
  walBytes: n * 1000,
  walWrites: n * 2,
  walFlushes: n,
  statements,
});

describe('database counters', () => {
  it('takes the delta of every counter', () => {
    expect(counterDelta(at(100), at(160))).toEqual({
      commits: 60,
      rollbacks: 30,
      walRecords: 180,
      walBytes: 60_000,
      walWrites: 120,
      walFlushes: 60,
      statements: 600,
    });
  });

  it('marks a counter that went backwards (a stats reset) as unknown, not negative', () => {
    const d = counterDelta(at(100), { ...at(160), walFlushes: 3 });
    expect(d.walFlushes).toBeNaN();
    expect(d.commits).toBe(60);
  });

  it('leaves statements uncounted when either read had no pg_stat_statements', () => {
    expect(counterDelta(at(1, null), at(2)).statements).toBeNull();
    expect(counterDelta(at(1), at(2, null)).statements).toBeNull();
  });

  it('divides by the flows completed', () => {
    const p = perFlow(counterDelta(at(0), at(400)), 200);
    expect(p.commits).toBe(2);
    expect(p.walBytes).toBe(2000);
    expect(p.statements).toBe(20);
    expect(p.walFlushes).toBe(2);
  });

  it('answers NaN per flow when no flow completed', () => {
    const p = perFlow(counterDelta(at(0), at(4)), 0);
    expect(p.commits).toBeNaN();
    expect(p.statements).toBeNaN();
  });

  it("takes the bench's own read of the views out of commits and statements", () => {
    const d = withoutOwnReads(counterDelta(at(10), at(11)));
    expect(d.commits).toBe(0);
    expect(d.statements).toBe(9);
    expect(withoutOwnReads({ ...at(0), commits: 0, statements: 0 }).commits).toBe(0);
  });

  it('describes the work per flow in one line', () => {
    const total = counterDelta(at(0), at(300, null));
    const line = describeWork({ flows: 100, flowLabel: 'checkout', total, perFlow: perFlow(total, 100) });
    expect(line).toContain('per checkout (100 in the measured run): 3.00 commits');
    expect(line).toContain('statements not counted');
    expect(line).toContain('3.00 WAL flushes');
  });
});
