/**
 * Opening hours and delivery areas on the settings page, on a 360×740 phone, JavaScript on and off: the days show
 * only with "Open only at these hours", a day ticked Closed hides its times, a shop with a lunch break and a closed
 * Sunday is saved and shown again, an overnight range comes back with the typed times and the words under the day.
 * Nothing is wider than the screen.
 */
import { describe, expect } from 'vitest';
import { PHONE, openContext, textOf } from '../helpers/browser.js';
import { browserTest, expectFitsTheScreen } from '../helpers/browser-test.js';
import { flash, openShop, section, signIn } from './flows.js';

const OWNERS = {
  on: { phone: '+919812300081', typed: '98123 00081' },
  off: { phone: '+919812300082', typed: '98123 00082' },
};
const CODE = '246801';

const it = browserTest({ [OWNERS.on.phone]: CODE, [OWNERS.off.phone]: CODE });

for (const javaScriptEnabled of [true, false]) {
  const who = javaScriptEnabled ? OWNERS.on : OWNERS.off;
  describe(`settings: hours and areas, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('a lunch break, a closed Sunday and two delivery areas; an overnight range is refused', async ({
      browser,
      server,
    }) => {
      const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      await signIn(page, server.url, who.typed, CODE);
      await openShop(page, javaScriptEnabled ? 'Lunch Break Kirana' : 'Closed Sunday Stores');
      await section(page, 'Settings');
      const form = page.getByTestId('settings-form');

      // No hours yet: the days are out of sight until "Open only at these hours" is chosen.
      await expect.poll(() => form.getByTestId('day-mon').isVisible()).toBe(false);
      await form.getByTestId('hours-set').check();
      await expect.poll(() => form.getByTestId('day-mon').isVisible()).toBe(true);
      await expectFitsTheScreen(page);

      for (const day of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat']) {
        await form.getByTestId(`${day}_from_1`).fill('09:00');
        await form.getByTestId(`${day}_to_1`).fill('13:00');
        await form.getByTestId(`${day}_from_2`).fill('16:00');
        await form.getByTestId(`${day}_to_2`).fill('21:00');
      }
      await form.getByTestId('sun_closed').check();
      await expect.poll(() => form.getByTestId('sun_from_1').isVisible()).toBe(false);
      await form.getByLabel(/^Delivery areas/).fill('411001\n4110 40');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await flash(page, 'Settings saved.');

      expect(await form.getByTestId('hours-set').isChecked()).toBe(true);
      expect(await form.getByTestId('fri_from_2').inputValue()).toBe('16:00');
      expect(await form.getByTestId('sun_closed').isChecked()).toBe(true);
      expect(await form.getByTestId('areas').inputValue()).toBe('411001\n4110 40');
      await expectFitsTheScreen(page);

      // Open past midnight on Saturday: refused, the typed times kept, the words under Saturday.
      await form.getByTestId('sat_from_2').fill('22:00');
      await form.getByTestId('sat_to_2').fill('02:00');
      await page.getByRole('button', { name: 'Save settings' }).click();
      expect(await textOf(page.getByTestId('error-hours_sat'))).toContain('Close at 00:00');
      expect(await form.getByTestId('sat_from_2').inputValue()).toBe('22:00');
      expect(await form.getByTestId('sat_to_2').inputValue()).toBe('02:00');
      await expectFitsTheScreen(page);
      await context.close();
    });
  });
}
