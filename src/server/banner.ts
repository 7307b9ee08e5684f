/**
 * What `npm start` and `dukaan demo` print: only URLs that answer and only what is true of this configuration
 * (which database, where the demo store is if there is one, how a merchant gets a sign-in code).
 */

export interface BannerFacts {
  publicUrl: string;
  /** `PostgreSQL at host:port/name` or `embedded PostgreSQL in ./data`. */
  database: string;
  /** The demo store's slug when it exists in this database, else null. */
  demoSlug: string | null;
  /** The demo merchant's phone and, when it signs in with a fixed test code, that code. */
  demoOwner: { phone: string; code: string | null } | null;
  /** How sign-in codes reach a merchant (the OTP channel's own words). */
  codesArrive: string;
}

/** `postgres://user:secret@db.example:5432/shop?ssl=true` → `db.example:5432/shop` (never the password). */
export function describeDatabase(databaseUrl: string | null, dataDir: string): string {
  if (!databaseUrl) return `embedded PostgreSQL in ${dataDir}`;
  try {
    const url = new URL(databaseUrl);
    return `PostgreSQL at ${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL)';
  }
}

export function startBanner(f: BannerFacts): string {
  const lines = [
    '',
    `dukaan is running (${f.database})`,
    `  dashboard:   ${f.publicUrl}/dashboard   (sign in with a phone number; a new merchant creates a store there)`,
    `  sign-in codes: ${f.codesArrive}`,
    `  API docs:    ${f.publicUrl}/api/v1/docs`,
  ];
  if (f.demoSlug) {
    lines.push(`  demo store:  ${f.publicUrl}/${f.demoSlug}`);
    if (f.demoOwner) lines.push(`  demo owner:  ${ownerSignIn(f.demoOwner)}`);
  } else {
    lines.push('  stores:      each store is served at /<its slug>; `npm run demo` adds a demo store to try');
  }
  return `${lines.join('\n')}\n\n`;
}

export function demoBanner(f: BannerFacts & { created: boolean }): string {
  return [
    `${f.created ? 'created the demo store' : 'the demo store already exists'} (${f.database})`,
    `  storefront:  ${f.publicUrl}/${f.demoSlug}`,
    `  dashboard:   ${f.publicUrl}/dashboard`,
    f.demoOwner ? `  owner:       ${ownerSignIn(f.demoOwner)}` : null,
    `  sign-in codes: ${f.codesArrive}`,
    '',
  ]
    .filter((l) => l !== null)
    .join('\n');
}

function ownerSignIn(owner: { phone: string; code: string | null }): string {
  return owner.code
    ? `sign in with phone ${owner.phone} and code ${owner.code}`
    : `sign in with phone ${owner.phone} (or start the server with OTP_TEST_NUMBERS=${owner.phone}:123456 ` +
        'to sign in with the fixed code 123456)';
}
