import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { ProblemItem } from '../shared/errors.js';

// Bodies are validated strictly: "3" is not 3, 1.5 is not an integer, extra fields are refused.
// Query strings and path parameters arrive as text, so only they are coerced.
const strict = addFormats.default(
  new Ajv.default({ coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: true, strict: false }),
);
const coercing = addFormats.default(
  new Ajv.default({ coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: true, strict: false }),
);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};

/**
 * A value outside a union of constants (TypeBox's `Type.Union` of `Type.Literal`s, an `anyOf` of `const`s) is one
 * problem naming the values allowed, not one "must be equal to constant" per value and a "must match a schema in
 * anyOf": the error of the `anyOf` takes the allowed values, its branches' errors are dropped.
 */
function collapseConstUnions(errors: readonly ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  const replaced = new Map<ErrorObject, ErrorObject>();
  for (const union of errors) {
    if (union.keyword !== 'anyOf') continue;
    const branches = errors.filter(
      (e) => e !== union && e.instancePath === union.instancePath && e.schemaPath.startsWith(`${union.schemaPath}/`),
    );
    const allowed = branches
      .filter((e) => e.keyword === 'const')
      .map((e) => (e.params as { allowedValue: unknown }).allowedValue);
    if (!allowed.length || !branches.every((e) => e.keyword === 'const' || e.keyword === 'type')) continue;
    for (const e of branches) dropped.add(e);
    replaced.set(union, { ...union, message: `must be one of: ${[...new Set(allowed)].map(String).join(', ')}` });
  }
  return errors.filter((e) => !dropped.has(e)).map((e) => replaced.get(e) ?? e);
}

export function ajvErrorsToItems(errors: ErrorObject[], part: string | undefined): ProblemItem[] {
  return collapseConstUnions(errors).map((e) => {
    let path = e.instancePath || '';
    if (e.keyword === 'required') path += `/${(e.params as { missingProperty: string }).missingProperty}`;
    if (e.keyword === 'additionalProperties')
      path += `/${(e.params as { additionalProperty: string }).additionalProperty}`;
    const where = part && part !== 'body' ? `${part}${path}` : path || '/';
    const message =
      e.keyword === 'additionalProperties'
        ? 'is not an allowed field'
        : e.keyword === 'required'
          ? 'is required'
          : (e.message ?? 'is not valid');
    return {
      code: e.keyword === 'required' ? 'required' : e.keyword === 'additionalProperties' ? 'unknown_field' : 'invalid',
      path: where,
      message,
    };
  });
}
