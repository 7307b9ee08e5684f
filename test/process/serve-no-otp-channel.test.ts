/**
 * Issue 10, item 1: `dukaan serve` on PostgreSQL with no way to deliver sign-in codes refuses to start — exit
 * code 78 (EX_CONFIG) and a message that says what to set — instead of falling back to logging codes.
 */
import { afterAll, expect, it } from 'vitest';
import { freePort, killAllServers, spawnServer } from '../helpers/process.js';

afterAll(() => killAllServers());

it('exits with 78 and names the settings when no OTP channel is configured on PostgreSQL', async () => {
  const server = spawnServer({
    port: await freePort(),
    command: 'serve',
    env: {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      OTP_CONSOLE: undefined,
      OTP_SMS_URL: undefined,
      OTP_SMS_TOKEN: undefined,
      WHATSAPP_API_URL: undefined,
      WHATSAPP_TOKEN: undefined,
      WHATSAPP_PHONE_NUMBER_ID: undefined,
    },
  });
  const exit = await Promise.race([
    server.exited,
    new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 60_000)),
  ]);
  expect(exit).toEqual({ code: 78, signal: null });
  const out = server.output();
  expect(out).toContain('dukaan serve: refusing to start. No sign-in code channel is configured.');
  expect(out).toContain('OTP_SMS_URL');
  expect(out).toContain('OTP_CONSOLE=1');
}, 90_000);
