import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ajvErrorsToItems, validatorCompiler } from './validation.js';

function problems(schema: object, body: unknown) {
  const validate = validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '/' }) as unknown as {
    (v: unknown): boolean;
    errors: Parameters<typeof ajvErrorsToItems>[0];
  };
  expect(validate(body)).toBe(false);
  return ajvErrorsToItems(validate.errors, 'body');
}

const Transition = Type.Object({
  to: Type.Union([Type.Literal('accepted'), Type.Literal('shipped'), Type.Literal('cancelled')]),
  note: Type.Optional(Type.String({ maxLength: 5 })),
});

describe('a value outside a union of constants', () => {
  it('is one problem naming the values allowed, not one per value', () => {
    expect(problems(Transition, { to: 'teleported' })).toEqual([
      { code: 'invalid', path: '/to', message: 'must be one of: accepted, shipped, cancelled' },
    ]);
  });

  it('of the wrong type too', () => {
    expect(problems(Transition, { to: 7 })).toEqual([
      { code: 'invalid', path: '/to', message: 'must be one of: accepted, shipped, cancelled' },
    ]);
  });

  it("leaves the other fields' problems as they are", () => {
    expect(problems(Transition, { to: 'x', note: 'far too long' })).toEqual([
      { code: 'invalid', path: '/to', message: 'must be one of: accepted, shipped, cancelled' },
      { code: 'invalid', path: '/note', message: 'must NOT have more than 5 characters' },
    ]);
  });

  it('leaves a union of shapes (not only constants) as Ajv words it', () => {
    const Either = Type.Object({ v: Type.Union([Type.Literal('none'), Type.Integer({ minimum: 1 })]) });
    const items = problems(Either, { v: 0 });
    expect(items.map((i) => i.message)).toContain('must be >= 1');
  });
});
