import { Type, type Static } from 'typebox';
import { ListOf, Phone } from '../shared/schema.js';

export const MemberSchema = Type.Object(
  {
    merchantId: Type.String(),
    phone: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    role: Type.Union([Type.Literal('owner'), Type.Literal('staff')]),
  },
  { $id: 'Member' },
);
export type Member = Static<typeof MemberSchema>;
export const MemberList = ListOf(MemberSchema);

export const AddMemberBody = Type.Object(
  { phone: Phone, role: Type.Literal('staff') },
  { additionalProperties: false },
);
export type AddMemberInput = Static<typeof AddMemberBody>;

export const MemberParams = Type.Object({ storeId: Type.String(), merchantId: Type.String() });
