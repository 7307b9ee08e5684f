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

export function ajvErrorsToItems(errors: ErrorObject[], part: string | undefined): ProblemItem[] {
  return errors.map((e) => {
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
