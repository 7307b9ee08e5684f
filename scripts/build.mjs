/**
 * `npm run build`: compiles src/ to dist/src/ (tsc, scripts/build.tsconfig.json) and copies beside it the files
 * the code reads at run time relative to its own module (src/db/migrations/*.sql, src/web/assets/app.*), so
 * `import.meta.url` paths resolve the same in dist/ as in src/. bin/dukaan.js then runs dist/src/cli.js, with
 * no TypeScript loader in memory, for as long as no source is newer than the build.
 *
 * The new build is written to dist.new/ and swapped in only when tsc succeeds: a failed build (a type error)
 * leaves the previous dist/ untouched, and a running server never sees half a build.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BUILD_STAMP, DIST, ROOT, sourceFiles } from './build-files.mjs';

const startedAt = Date.now();
const next = `${DIST}.new`;
fs.rmSync(next, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(
  process.execPath,
  [tsc, '-p', path.join(ROOT, 'scripts/build.tsconfig.json'), '--outDir', next],
  { stdio: 'inherit' },
);
if (compiled.status !== 0) {
  fs.rmSync(next, { recursive: true, force: true });
  process.stderr.write(`build failed: tsc exited with ${compiled.status ?? compiled.signal}; dist/ is unchanged\n`);
  process.exit(1);
}

let copied = 0;
for (const file of sourceFiles()) {
  if (file.endsWith('.ts')) continue;
  const target = path.join(next, path.relative(ROOT, file));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(file, target);
  copied++;
}
// Written last: bin/dukaan.js runs no build without it.
fs.writeFileSync(
  path.join(next, path.basename(BUILD_STAMP)),
  `${JSON.stringify({ startedAt, node: process.version })}\n`,
);

fs.rmSync(DIST, { recursive: true, force: true });
fs.renameSync(next, DIST);
process.stdout.write(
  `built dist/src (${((Date.now() - startedAt) / 1000).toFixed(1)} s, ${copied} run-time files copied); \`node bin/dukaan.js serve\` now runs it\n`,
);
