/**
 * bin/dukaan.js runs dist/ (from `npm run build`) only while no source is newer than the build, else the
 * sources through tsx. Checked on a throw-away copy of the launcher with a fake build and fake sources, so the
 * project's own dist/ is never touched.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staleReason } from '../../scripts/build-files.mjs';
import { ROOT } from '../helpers/process.js';

let root: string;

function write(rel: string, text: string, mtimeMs?: number): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  if (mtimeMs !== undefined) fs.utimesSync(file, new Date(mtimeMs), new Date(mtimeMs));
}

const HOUR = 3_600_000;
const builtAt = Date.now() - HOUR;
const before = builtAt - HOUR;
const after = builtAt + 60_000;

/** A project built at `builtAt` from sources last changed before it. */
function freshProject(): void {
  // As in the project: .ts files are ES modules (tsx's ESM loader is the one bin/dukaan.js registers).
  write('package.json', JSON.stringify({ type: 'module' }));
  write('tsconfig.json', '{}', before);
  write('scripts/build.tsconfig.json', '{}', before);
  write(
    'src/cli.ts',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the written file holds a template literal
    "const ran: string = 'sources';\nprocess.stdout.write(`${ran} ${process.env.DUKAAN_RUNTIME}\\n`);\n",
    before,
  );
  write('src/db/migrations/001.do.init.sql', 'SELECT 1;', before);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the written file holds a template literal
  write('dist/src/cli.js', 'process.stdout.write(`dist ${process.env.DUKAAN_RUNTIME}\\n`);\n');
  write('dist/build.json', JSON.stringify({ startedAt: builtAt }));
}

function run(env: Record<string, string> = {}) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['DUKAAN_RUNTIME', 'NODE_ENV']) if (!(name in env)) delete childEnv[name];
  const r = spawnSync(process.execPath, [path.join(root, 'bin/dukaan.js')], {
    env: childEnv,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-runtime-'));
  fs.mkdirSync(path.join(root, 'bin'));
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(path.join(ROOT, 'bin/dukaan.js'), path.join(root, 'bin/dukaan.js'));
  fs.copyFileSync(path.join(ROOT, 'scripts/build-files.mjs'), path.join(root, 'scripts/build-files.mjs'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  freshProject();
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('which code a process runs', () => {
  it('an up-to-date build: runs dist/ and tells its workers to run it too', () => {
    expect(staleReason(root)).toBeNull();
    const r = run();
    expect(r).toMatchObject({ code: 0, stdout: 'dist dist\n', stderr: '' });
  });

  it('ignores tests, notes and generated dist/ folders under src/ when judging freshness', () => {
    write('src/media/images.test.ts', 'x', after);
    write('src/web/README.md', 'x', after);
    write('src/web/assets/dist/app.123.css', 'x', after);
    expect(staleReason(root)).toBeNull();
    expect(run().stdout).toBe('dist dist\n');
  });

  it.each([
    ['src/cli.ts', 'a TypeScript source'],
    ['src/db/migrations/001.do.init.sql', 'a migration read at run time'],
    ['tsconfig.json', 'the compiler settings'],
  ])('a build older than %s (%s) is never run: the sources run instead, and it says why', (file) => {
    fs.utimesSync(path.join(root, file), new Date(after), new Date(after));
    expect(staleReason(root)).toBe(`${file} changed after the last build`);
    const r = run();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('sources tsx\n');
    expect(r.stderr).toContain(`not running dist/ (${file} changed after the last build)`);
    expect(r.stderr).toContain('npm run build');
  });

  it('no build at all: runs the sources silently, but warns when NODE_ENV=production', () => {
    fs.rmSync(path.join(root, 'dist'), { recursive: true });
    expect(staleReason(root)).toBe('dist/src/cli.js does not exist');
    expect(run()).toMatchObject({ code: 0, stdout: 'sources tsx\n', stderr: '' });
    const prod = run({ NODE_ENV: 'production' });
    expect(prod.stdout).toBe('sources tsx\n');
    expect(prod.stderr).toContain('dist/src/cli.js does not exist');
  });

  it('a build without its stamp (interrupted) is not run', () => {
    fs.rmSync(path.join(root, 'dist/build.json'));
    expect(staleReason(root)).toBe('dist/build.json is missing or unreadable');
    expect(run().stdout).toBe('sources tsx\n');
  });

  it('DUKAAN_RUNTIME forces the choice; dist without a build and unknown values fail', () => {
    expect(run({ DUKAAN_RUNTIME: 'tsx' })).toMatchObject({ code: 0, stdout: 'sources tsx\n', stderr: '' });
    fs.utimesSync(path.join(root, 'src/cli.ts'), new Date(after), new Date(after));
    expect(run({ DUKAAN_RUNTIME: 'dist' })).toMatchObject({ code: 0, stdout: 'dist dist\n', stderr: '' });
    fs.rmSync(path.join(root, 'dist'), { recursive: true });
    const missing = run({ DUKAAN_RUNTIME: 'dist' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('npm run build');
    const bogus = run({ DUKAAN_RUNTIME: 'typescript' });
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('DUKAAN_RUNTIME must be "tsx" or "dist"');
  });
});
