/**
 * A store keeps its hours in its own time zone (stores.time_zone; Asia/Kolkata unless set): the storefront's
 * "Open today …" line names the hours of the store's today, as its open/closed badge does, not India's today.
 */
import { expect } from 'vitest';
import { merchantWithStore } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { WebClient } from '../helpers/web-client.js';
import { localTime } from '../../src/stores/profile.js';
import { testIdText } from './web-storefront.helpers.js';

const it = appTest();

it('the hours line names the store’s today in its own time zone', async ({ ctx }) => {
  const now = new Date();
  const india = localTime(now, 'Asia/Kolkata').day;
  // Samoa is 16.5 h behind India, Kiribati's Line Islands 8.5 h ahead: at any moment one of them is on another day.
  const zone = ['Pacific/Pago_Pago', 'Pacific/Kiritimati'].find((z) => localTime(now, z).day !== india)!;
  const storeDay = localTime(now, zone).day;
  const owner = await merchantWithStore(ctx);
  const hours = { [storeDay]: [['00:00', '24:00']], [india]: [] };
  const saved = await owner.api.patch(`/api/v1/stores/${owner.store.id}`, { hours });
  expect(saved.status).toBe(200);
  await ctx.testDb.db.query(`UPDATE stores SET time_zone = $2 WHERE id = $1`, [owner.store.id, zone]);

  const page = await new WebClient(ctx.app).get(`/${owner.store.slug}?lang=en`);
  expect(page.status).toBe(200);
  expect(testIdText(page.body, 'store-status')).toBe('Open');
  expect(testIdText(page.body, 'store-hours')).toBe('Open today 00:00–24:00');
});
