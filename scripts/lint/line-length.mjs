#!/usr/bin/env node
/**
 * Lines of TypeScript are at most 120 characters (Biome's formatter wraps code at 120, but cannot break a long
 * string or template literal: those are wrapped by hand).
 *
 *   node scripts/lint/line-length.mjs [file ...]      default: every .ts file git knows
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAX = 120;

/**
 * TEMPORARY: files that had longer lines when the check was switched on (mostly HTML templates in src/web, being
 * reworked this round; re-counted after merging the round's first branches into main), with how many. A file may only
 * go down: each count is a ceiling. Lower or delete an entry when you wrap a file's lines; delete the map when it is
 * empty. Never add to it.
 */
const ALLOWED = {
  'bench/ceilings.ts': 1,
  'bench/explain.ts': 3,
  'bench/lib/data.ts': 1,
  'bench/report.ts': 22,
  'bench/scenarios/cart.ts': 3,
  'bench/scenarios/checkout.ts': 1,
  'bench/seed.ts': 2,
  'src/notify/outbox.repo.ts': 1,
  'src/notify/outbox.ts': 2,
  'src/orders/messages.ts': 5,
  'src/orders/orders.repo.ts': 16,
  'src/orders/orders.service.ts': 1,
  'src/server/idempotency.ts': 1,
  'src/web/dashboard/auth.routes.ts': 5,
  'src/web/dashboard/categories.routes.ts': 4,
  'src/web/dashboard/products.routes.ts': 1,
  'src/web/dashboard/products.views.ts': 18,
  'src/web/dashboard/shell.ts': 2,
};

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const files = args.length
  ? args
  : execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f && fs.existsSync(`${root}${f}`));

let failures = 0;
for (const file of files) {
  const text = fs.readFileSync(args.length ? file : `${root}${file}`, 'utf8');
  const long = text
    .split('\n')
    .map((line, i) => ({ line: i + 1, length: [...line].length }))
    .filter((l) => l.length > MAX);
  const allowed = args.length ? 0 : (ALLOWED[file] ?? 0);
  if (long.length <= allowed) continue;
  failures++;
  const where = long.map((l) => `${l.line} (${l.length})`).join(', ');
  const ceiling = allowed ? ` (allowed for now: ${allowed})` : '';
  process.stdout.write(`${file}: ${long.length} line(s) over ${MAX} characters${ceiling}: ${where}\n`);
}
process.stdout.write(`line length: ${files.length} files, ${failures} with lines over ${MAX} characters\n`);
process.exitCode = failures > 0 ? 1 : 0;
