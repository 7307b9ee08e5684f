import { Type, type Static } from 'typebox';
import { Money, Nullable, Phone } from '../shared/schema.js';

export const Slug = Type.String({ minLength: 3, maxLength: 40, pattern: '^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$' });
export const DeliveryAreaSchema = Type.Object(
  {
    pincodePrefix: Type.String({ pattern: '^[0-9]{1,6}$', description: 'A PIN code or its first digits' }),
    fee: Type.Optional(Money),
  },
  { additionalProperties: false },
);
export const DeliverySchema = Type.Object({
  fee: Money,
  freeAbove: Nullable(Money),
  minOrder: Nullable(Money),
  pickup: Type.Boolean(),
  areas: Type.Array(DeliveryAreaSchema, { description: 'PIN prefixes the store delivers to; empty = everywhere' }),
});
export const StoreAddressSchema = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    pincode: Type.String({ minLength: 1, maxLength: 20 }),
  },
  { additionalProperties: false },
);
const Span = Type.Tuple([
  Type.String({ pattern: '^[0-9]{2}:[0-9]{2}$' }),
  Type.String({ pattern: '^[0-9]{2}:[0-9]{2}$' }),
]);
const DaySpans = Type.Optional(Type.Array(Span, { maxItems: 6 }));
export const HoursSchema = Type.Object(
  { mon: DaySpans, tue: DaySpans, wed: DaySpans, thu: DaySpans, fri: DaySpans, sat: DaySpans, sun: DaySpans },
  { additionalProperties: false, description: 'Opening hours per weekday in the store time zone; null = always open' },
);
export const LanguageSchema = Type.Union([Type.Literal('en'), Type.Literal('hi')]);
/** A path on this site (an upload) or an https URL; never `//host/…` (another site, by the page's scheme) or spaces. */
const ImageUrl = Type.String({ minLength: 2, maxLength: 500, pattern: '^(https://[^\\s/][^\\s]*|/[^/\\s][^\\s]*)$' });
const Gstin = Type.String({ pattern: '^[0-9]{2}[A-Z0-9]{10}[0-9A-Z]Z[0-9A-Z]$' });
/** The store profile a shopper sees (issue 13, item 6): in Store and in the public store. */
export const profileFields = {
  description: Type.String(),
  logo: Nullable(Type.String()),
  banner: Nullable(Type.String()),
  address: Nullable(StoreAddressSchema),
  hours: Nullable(HoursSchema),
  defaultLanguage: LanguageSchema,
  gstin: Nullable(Type.String()),
};
export const PaymentsSchema = Type.Object({ cod: Type.Boolean(), upiVpa: Nullable(Type.String()) });
export const StoreSchema = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    name: Type.String(),
    currency: Type.String(),
    whatsapp: Nullable(Type.String()),
    whatsappVerified: Type.Boolean({
      description:
        'the store receives platform messages on `whatsapp` only once verified (a code sent to it, or it is the ' +
        "owner's own phone); until then they go to the owner's phone",
    }),
    isOpen: Type.Boolean(),
    url: Type.String(),
    delivery: DeliverySchema,
    payments: PaymentsSchema,
    openNow: Type.Boolean({ description: 'isOpen and, when hours are set, within them' }),
    ...profileFields,
    whatsappPhoneNumberId: Nullable(
      Type.String({ description: "The store's own WhatsApp Business number: its Cloud API phone_number_id" }),
    ),
    whatsappBot: Type.Boolean({ description: 'false: the chat bot leaves WhatsApp messages to the owner' }),
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
          areas: Type.Optional(Type.Array(DeliveryAreaSchema, { maxItems: 500 })),
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
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    logo: Type.Optional(Nullable(ImageUrl)),
    banner: Type.Optional(Nullable(ImageUrl)),
    address: Type.Optional(Nullable(StoreAddressSchema)),
    hours: Type.Optional(Nullable(HoursSchema)),
    defaultLanguage: Type.Optional(LanguageSchema),
    gstin: Type.Optional(Nullable(Gstin)),
    whatsappPhoneNumberId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 30, pattern: '^[0-9]+$' }))),
    whatsappBot: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateStoreInput = Static<typeof UpdateStoreBody>;
export const StoreParams = Type.Object({ storeId: Type.String() });

export const WhatsappCodeBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 10, description: 'the 6-digit code sent to the number' }) },
  { additionalProperties: false },
);

export const WhatsappCodeSentSchema = Type.Object({
  sentTo: Type.String(),
  expiresInMinutes: Type.Integer(),
});
