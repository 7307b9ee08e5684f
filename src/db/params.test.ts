import { describe, expect, it } from 'vitest';
import { SqlParams } from './params.js';

describe('SqlParams', () => {
  it('numbers placeholders in the order values are added, each with its cast', () => {
    const p = new SqlParams();
    const id = p.add('a', 'uuid');
    const ids = p.add(['x', 'y'], 'uuid[]');
    const n = p.add(3, 'bigint');
    expect([id, ids, n]).toEqual(['$1::uuid', '$2::uuid[]', '$3::bigint']);
    expect(p.values).toEqual(['a', ['x', 'y'], 3]);
    expect(`SELECT ${id}, ${id}`).toBe('SELECT $1::uuid, $1::uuid');
  });
});
