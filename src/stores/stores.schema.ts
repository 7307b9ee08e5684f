import { Type, type Static } from 'typebox';
import { Money, Nullable, Phone } from '../shared/schema.js';

export const Slug = Type.String({ minLength: 3, maxLength: 40, pattern: '^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$' });
export const DeliverySchema = Type.Object({
  fee: Money,
  freeAbove: Nullable(Money),
  minOrder: Nullable(Money),
  pickup: Type.Boolean(),
});
export const PaymentsSchema = Type.Object({ cod: Type.Boolean(), upiVpa: Nullable(Type.String()) });
export const StoreSchema = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    name: Type.String(),
    currency: Type.String(),
    whatsapp: Nullable(Type.String()),
    isOpen: Type.Boolean(),
    url: Type.String(),
    delivery: DeliverySchema,
    payments: PaymentsSchema,
  },
  { $id: 'Store' },
);
export type Store = Static<typeof StoreSchema>;

const StoreName = Type.String({ minLength: 1, maxLength: 100 });
// UPI VPA: handle@bank
const UpiVpa = Type.String({
  minLength: 3,
  maxLength: 100,
  pattern: '^[A-Za-z0-9.\\-_]{2,256}@[A-Za-z][A-Za-z0-9]{1,64}$',
});

export const CreateStoreBody = Type.Object(
  {
    name: StoreName,
    slug: Type.Optional(Slug),
    whatsapp: Type.Optional(Nullable(Phone)),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  },
  { additionalProperties: false },
);
export type CreateStoreInput = Static<typeof CreateStoreBody>;

export const UpdateStoreBody = Type.Object(
  {
    name: Type.Optional(StoreName),
    whatsapp: Type.Optional(Nullable(Phone)),
    isOpen: Type.Optional(Type.Boolean()),
    delivery: Type.Optional(
      Type.Object(
        {
          fee: Type.Optional(Money),
          freeAbove: Type.Optional(Nullable(Money)),
          minOrder: Type.Optional(Nullable(Money)),
          pickup: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    payments: Type.Optional(
      Type.Object(
        { cod: Type.Optional(Type.Boolean()), upiVpa: Type.Optional(Nullable(UpiVpa)) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type UpdateStoreInput = Static<typeof UpdateStoreBody>;
export const StoreParams = Type.Object({ storeId: Type.String() });
