/** SQL for a store's members (store_members joined to merchants). */
import type { Queryable } from '../db/db.js';
import { newId } from '../shared/ids.js';
import type { Member } from './members.schema.js';

interface MemberRow {
  merchant_id: string;
  phone: string;
  name: string | null;
  role: 'owner' | 'staff';
}

const toMember = (r: MemberRow): Member => ({ merchantId: r.merchant_id, phone: r.phone, name: r.name, role: r.role });

export async function listMembers(q: Queryable, storeId: string): Promise<Member[]> {
  const { rows } = await q.query<MemberRow>(
    `SELECT sm.merchant_id, m.phone, m.name, sm.role
       FROM store_members sm JOIN merchants m ON m.id = sm.merchant_id
      WHERE sm.store_id = $1
      ORDER BY sm.role = 'owner' DESC, sm.created_at, sm.merchant_id`,
    [storeId],
  );
  return rows.map(toMember);
}

/** The merchant with this phone, created when new: an invited person signs in later with their own number. */
export async function merchantIdForPhone(q: Queryable, phone: string): Promise<string> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO merchants (id, phone) VALUES ($1, $2)
     ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone RETURNING id`,
    [newId(), phone],
  );
  return rows[0]!.id;
}

/** Adds the merchant as staff unless they are a member already; returns their membership either way. */
export async function addStaff(q: Queryable, storeId: string, merchantId: string): Promise<Member> {
  await q.query(
    `INSERT INTO store_members (store_id, merchant_id, role) VALUES ($1, $2, 'staff') ON CONFLICT DO NOTHING`,
    [storeId, merchantId],
  );
  const { rows } = await q.query<MemberRow>(
    `SELECT sm.merchant_id, m.phone, m.name, sm.role
       FROM store_members sm JOIN merchants m ON m.id = sm.merchant_id
      WHERE sm.store_id = $1 AND sm.merchant_id = $2`,
    [storeId, merchantId],
  );
  return toMember(rows[0]!);
}

/** Removes a staff member; owners are never removed here. 'owner' when the id names the owner. */
export async function removeStaff(
  q: Queryable,
  storeId: string,
  merchantId: string,
): Promise<'removed' | 'owner' | 'none'> {
  const { rows } = await q.query<{ role: string }>(
    `WITH gone AS (
       DELETE FROM store_members WHERE store_id = $1 AND merchant_id = $2 AND role = 'staff' RETURNING role
     )
     SELECT role FROM gone
     UNION ALL
     SELECT role FROM store_members WHERE store_id = $1 AND merchant_id = $2 AND role = 'owner'`,
    [storeId, merchantId],
  );
  const role = rows[0]?.role;
  return role === 'staff' ? 'removed' : role === 'owner' ? 'owner' : 'none';
}
