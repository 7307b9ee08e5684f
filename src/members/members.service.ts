/** Who works in a store: the owner invites staff by phone; staff sign in with their own number. */
import { inTx, type Db, type DbOrTx } from '../db/db.js';
import { conflict, notFound, validationFailed } from '../shared/errors.js';
import { isUuid } from '../shared/ids.js';
import { normalizeE164 } from '../shared/phone.js';
import { addStaff, listMembers, merchantIdForPhone, removeStaff } from './members.repo.js';
import type { AddMemberInput, Member } from './members.schema.js';

export { listMembers };

export async function inviteStaff(db: DbOrTx, storeId: string, input: AddMemberInput): Promise<Member> {
  const phone = normalizeE164(input.phone);
  if (!phone)
    throw validationFailed('phone must be a valid number in E.164', [
      { code: 'invalid', path: '/phone', message: 'not a valid E.164 phone number' },
    ]);
  return inTx(db, async (tx) => {
    const merchantId = await merchantIdForPhone(tx, phone);
    const member = await addStaff(tx, storeId, merchantId);
    if (member.role === 'owner') throw conflict('That number is the owner of this store');
    return member;
  });
}

export async function removeMember(db: Db, storeId: string, merchantId: string): Promise<void> {
  if (!isUuid(merchantId)) throw notFound('Member not found');
  const result = await removeStaff(db, storeId, merchantId);
  if (result === 'owner') throw conflict('The owner cannot be removed');
  if (result === 'none') throw notFound('Member not found');
}
