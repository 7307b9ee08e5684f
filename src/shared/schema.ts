import { Type, type TProperties, type TSchema } from 'typebox';

/** Shared TypeBox pieces so every route speaks the contract's conventions the same way. */
export const Money = Type.Integer({ minimum: 0, maximum: 10_000_000_000, description: 'Minor units (paise for INR)' });
export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 });
export const Cursor = Type.String({ maxLength: 500 });
export const Phone = Type.String({ minLength: 2, maxLength: 20, description: 'E.164, e.g. +919876543210' });
export const ListOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          code: Type.String(),
          path: Type.Optional(Type.String()),
          variantId: Type.Optional(Type.String()),
          available: Type.Optional(Type.Integer()),
          message: Type.String(),
        }),
      ),
    ),
  },
  { $id: 'Problem' },
);

/**
 * An upload's body for the OpenAPI document (a route's `config.openapiBody`, src/server/openapi.ts): a
 * multipart/form-data body with these parts. Documented only; the route reads and checks its parts itself.
 */
export const multipartBody = (parts: TProperties) => ({
  content: { 'multipart/form-data': { schema: Type.Object(parts) } },
});

/** The `file` part of an image upload (a payment proof, a product image). */
export const ImageFilePart = Type.String({ format: 'binary', description: 'JPEG, PNG or WebP (by content), ≤ 5 MB' });
