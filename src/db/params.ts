/**
 * Bound parameters by name instead of by hand-counted number: `p.add(value, 'uuid')` binds the value and returns
 * its placeholder with the cast, `$7::uuid`. A statement built with one SqlParams reads like the data it writes,
 * and moving or adding a value cannot shift the others. The text comes out the same for the same sequence of
 * `add` calls, so the statement stays prepared.
 */
export type SqlType =
  | 'uuid'
  | 'text'
  | 'bigint'
  | 'integer'
  | 'jsonb'
  | 'boolean'
  | 'timestamptz'
  | 'uuid[]'
  | 'text[]'
  | 'bigint[]'
  | 'int[]';

export class SqlParams {
  readonly values: unknown[] = [];

  /** Binds `value`; returns `$n::type`. Use the returned text as often as the statement needs the value. */
  add(value: unknown, type: SqlType): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}
