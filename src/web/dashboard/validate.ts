/**
 * Dashboard forms are checked against the SAME TypeBox schemas that validate the API's bodies (lengths,
 * patterns, ranges live there once), with the same strict Ajv settings, before the same services run.
 */
import type { Static, TSchema } from 'typebox';
import { ajvErrorsToItems, validatorCompiler } from '../../server/validation.js';
import { validationFailed, type ProblemItem } from '../../shared/errors.js';

type Check = ((data: unknown) => boolean) & { errors?: Parameters<typeof ajvErrorsToItems>[0] | null };

const compiled = new WeakMap<TSchema, Check>();

function checker(schema: TSchema): Check {
  let check = compiled.get(schema);
  if (!check) {
    check = validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '/dashboard' }) as unknown as Check;
    compiled.set(schema, check);
  }
  return check;
}

/** The problems of `value` against an API body schema (empty when valid). */
export function bodyProblems(schema: TSchema, value: unknown): ProblemItem[] {
  const check = checker(schema);
  if (check(value)) return [];
  return ajvErrorsToItems(check.errors ?? [], 'body');
}

/** Throws 422 validation_failed with field problems when `value` does not fit the API body schema. */
export function assertBody<S extends TSchema>(
  schema: S,
  value: unknown,
  extra: ProblemItem[] = [],
): asserts value is Static<S> {
  const problems = [...extra, ...bodyProblems(schema, value)];
  if (problems.length) throw validationFailed('Please check the highlighted fields', problems, 422);
}
