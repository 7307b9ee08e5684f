import { describe, expect, it } from 'vitest';
import { demoBanner, describeDatabase, startBanner } from './banner.js';

const base = {
  publicUrl: 'http://127.0.0.1:3000',
  database: 'PostgreSQL at db:5432/shop',
  codesArrive: 'written to this server’s log',
};

describe('startBanner', () => {
  it('on PostgreSQL without a demo store prints no store URL, only the dashboard and how to get a store', () => {
    const text = startBanner({ ...base, demoSlug: null, demoOwner: null });
    expect(text).toContain('dashboard:   http://127.0.0.1:3000/dashboard');
    expect(text).toContain('sign-in codes: written to this server’s log');
    expect(text).toContain('`npm run demo` adds a demo store');
    expect(text).not.toMatch(/http:\/\/127\.0\.0\.1:3000\/demo/);
  });

  it('with the demo store and its fixed code prints both', () => {
    const text = startBanner({ ...base, demoSlug: 'demo', demoOwner: { phone: '+919000000000', code: '123456' } });
    expect(text).toContain('demo store:  http://127.0.0.1:3000/demo');
    expect(text).toContain('sign in with phone +919000000000 and code 123456');
  });

  it('without a fixed code says how to get one', () => {
    const text = demoBanner({
      ...base,
      created: true,
      demoSlug: 'demo',
      demoOwner: { phone: '+919000000000', code: null },
    });
    expect(text).toContain('created the demo store');
    expect(text).toContain('OTP_TEST_NUMBERS=+919000000000:123456');
  });
});

describe('describeDatabase', () => {
  it('never shows the password', () => {
    expect(describeDatabase('postgres://u:s3cret@db.example:6432/shop?sslmode=require', './data')).toBe(
      'PostgreSQL at db.example:6432/shop',
    );
    expect(describeDatabase('postgres://u@db/shop', './data')).toBe('PostgreSQL at db:5432/shop');
    expect(describeDatabase('not a url s3cret', './data')).toBe('PostgreSQL (DATABASE_URL)');
    expect(describeDatabase(null, '/srv/data')).toBe('embedded PostgreSQL in /srv/data');
  });
});
