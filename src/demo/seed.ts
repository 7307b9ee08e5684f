import type { Db } from '../db/db.js';

export const DEMO_PHONE = '+919000000000';
export const DEMO_CODE = '123456';

/** Creates the demo store (slug `demo`) on an empty database. Filled in by the catalog work. */
export async function ensureDemoStore(_db: Db): Promise<void> {}
