import { Type } from 'typebox';
import { Nullable } from '../shared/schema.js';

export const WhatsAppSettingsSchema = Type.Object(
  {
    phoneNumberId: Nullable(Type.String({ description: "The store's own number in the Cloud API (phone_number_id)" })),
    bot: Type.Boolean({ description: "false: chat messages go unanswered (for the owner's own app)" }),
  },
  { $id: 'WhatsAppSettings' },
);

export const UpdateWhatsAppSettingsBody = Type.Object(
  {
    phoneNumberId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 30, pattern: '^[0-9]+$' }))),
    bot: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const VerifyQuery = Type.Object({
  'hub.mode': Type.Optional(Type.String({ maxLength: 50 })),
  'hub.verify_token': Type.Optional(Type.String({ maxLength: 500 })),
  'hub.challenge': Type.Optional(Type.String({ maxLength: 500 })),
});
