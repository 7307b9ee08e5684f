import { describe, expect, it } from 'vitest';
import { StatementNames } from './pg.js';

describe('StatementNames', () => {
  it('gives one stable name per SQL text, different texts different names', () => {
    const names = new StatementNames();
    const a = names.nameFor('SELECT $1::int');
    expect(a).toMatch(/^dk0_[0-9a-f]{12}$/);
    expect(names.nameFor('SELECT $1::int')).toBe(a);
    const b = names.nameFor('SELECT $1::text');
    expect(b).toMatch(/^dk1_/);
    expect(b).not.toBe(a);
  });

  it('stops naming new texts at the cap (they go unnamed) but keeps the names it gave', () => {
    const names = new StatementNames(2);
    const first = names.nameFor('q1');
    names.nameFor('q2');
    expect(names.nameFor('q3')).toBeUndefined();
    expect(names.nameFor('q1')).toBe(first);
  });
});
