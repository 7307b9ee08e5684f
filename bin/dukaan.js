#!/usr/bin/env node
/**
 * `dukaan migrate | serve | start | demo`. Runs the compiled build (dist/src/cli.js, made by `npm run build`) when it is
 * up to date, else the TypeScript sources through tsx, so a checkout works with no build step at all.
 *
 *   "Up to date" means: dist/build.json exists and no file under src/ (except tests and notes), tsconfig.json
 *   or scripts/build.tsconfig.json was modified after that build started. Edit a file and the next start runs
 *   the sources again until the next `npm run build`; a stale build is never run.
 *
 *   DUKAAN_RUNTIME=tsx    always run the sources (tsx)
 *   DUKAAN_RUNTIME=dist   always run the build, without the freshness check (fails when there is none)
 *
 * The choice is made once, by the first process, and handed to the pool's workers (node:cluster runs this file
 * again in each) through DUKAAN_RUNTIME, so every worker runs the same code as the primary decided. A worker
 * started by a reload (SIGHUP) after a new `npm run build` loads the new build.
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DIST_ENTRY, staleReason } from '../scripts/build-files.mjs';

const asked = process.env.DUKAAN_RUNTIME;
if (asked && asked !== 'tsx' && asked !== 'dist') {
  process.stderr.write(`dukaan: DUKAAN_RUNTIME must be "tsx" or "dist", got "${asked}"\n`);
  process.exit(2);
}

let runtime = asked;
if (!runtime) {
  const stale = staleReason();
  runtime = stale ? 'tsx' : 'dist';
  // Silent for a newcomer without a build; said aloud where a build was expected.
  if (stale && (process.env.NODE_ENV === 'production' || fs.existsSync(DIST_ENTRY))) {
    process.stderr.write(
      `dukaan: not running dist/ (${stale}); running the TypeScript sources through tsx. Run \`npm run build\` to use the build.\n`,
    );
  }
  process.env.DUKAAN_RUNTIME = runtime;
}

if (runtime === 'dist') {
  if (!fs.existsSync(DIST_ENTRY)) {
    process.stderr.write('dukaan: DUKAAN_RUNTIME=dist but there is no build (dist/src/cli.js); run `npm run build`\n');
    process.exit(1);
  }
  await import(pathToFileURL(DIST_ENTRY).href);
} else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch (err) {
    process.stderr.write(
      `dukaan: cannot load tsx to run the TypeScript sources (${err.code ?? err.message}); install the dev dependencies or run \`npm run build\`\n`,
    );
    process.exit(1);
  }
  tsx.register();
  await import('../src/cli.ts');
}
