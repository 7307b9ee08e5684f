#!/usr/bin/env node
/**
 * Import boundaries: runs dependency-cruiser with .dependency-cruiser.cjs over src/ (or the folders given) and fails
 * on every violation not listed in KNOWN below.
 *
 *   node scripts/lint/boundaries.mjs [folder ...]
 *
 * Why a wrapper: dependency-cruiser's own baseline (--ignore-known) cannot soften folder-level violations, and the
 * domain-cycle rule is folder-level.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * TEMPORARY: the violations that were in main when the rules were switched on; issue 16 items 1-2 (the "layers"
 * work) remove them. A listed violation that no longer occurs is reported so the line can be deleted; delete the
 * whole list when it is empty. Never add to it: fix the import instead.
 */
const KNOWN = [];

const folders = process.argv.slice(2);
const useKnown = folders.length === 0;
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = `${root}node_modules/dependency-cruiser/bin/dependency-cruise.mjs`;
const out = execFileSync(
  process.execPath,
  [bin, ...(useKnown ? ['src'] : folders), '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
  { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
);
const { summary } = JSON.parse(out);
const found = summary.violations.map((v) => `${v.rule.name} ${v.from} → ${v.to}`);
const known = new Set(useKnown ? KNOWN : []);
const fresh = found.filter((v) => !known.has(v));
const gone = [...known].filter((v) => !found.includes(v));

for (const v of found.filter((v) => known.has(v))) process.stdout.write(`known (temporary): ${v}\n`);
for (const v of gone) process.stdout.write(`fixed, delete from KNOWN in scripts/lint/boundaries.mjs: ${v}\n`);
for (const v of fresh) process.stdout.write(`error ${v}\n`);
const rules = new Map(summary.ruleSetUsed.forbidden.map((r) => [r.name, r.comment]));
for (const name of new Set(fresh.map((v) => v.split(' ')[0]))) process.stdout.write(`  ${name}: ${rules.get(name)}\n`);
process.stdout.write(
  `import boundaries: ${summary.totalCruised} modules, ${fresh.length} violation(s)` +
    (known.size ? `, ${known.size - gone.length} known` : '') +
    '\n',
);
process.exitCode = fresh.length > 0 ? 1 : 0;
