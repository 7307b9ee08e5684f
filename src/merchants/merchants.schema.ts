import { Type } from 'typebox';
import { Nullable, Phone } from '../shared/schema.js';

export const MerchantSchema = Type.Object(
  { id: Type.String(), phone: Type.String(), name: Nullable(Type.String()) },
  { $id: 'Merchant' },
);
export const OtpRequestBody = Type.Object({ phone: Phone }, { additionalProperties: false });
export const VerifyBody = Type.Object(
  { phone: Phone, code: Type.String({ minLength: 1, maxLength: 12 }) },
  { additionalProperties: false },
);
export const VerifyResponse = Type.Object({ token: Type.String(), merchant: MerchantSchema });
