import { describe, expect, it } from 'vitest';
import { KeptTexts, SqlParams } from './params.js';

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

describe('KeptTexts', () => {
  it('sends the first text of a shape again, and tells shapes apart', () => {
    const texts = new KeptTexts();
    const first = texts.text('a', `SELECT ${'$1::uuid'}`);
    expect(texts.text('a', ['SELECT', '$1::uuid'].join(' '))).toBe(first);
    expect(texts.text('b', 'SELECT $1::uuid, $2::int')).toBe('SELECT $1::uuid, $2::int');
    expect(texts.text('a', 'SELECT $1::uuid')).toBe('SELECT $1::uuid');
  });

  it('refuses a text that is not the kept one: a builder that is not fixed fails', () => {
    const texts = new KeptTexts();
    texts.text('', 'SELECT $1::uuid');
    expect(() => texts.text('', 'SELECT $1::uuid, $2::int')).toThrow(/not fixed/);
    // Same length, other text: found in full under vitest (elsewhere only the length is compared).
    expect(() => texts.text('', 'SELECT $2::uuid')).toThrow(/not fixed/);
  });
});
