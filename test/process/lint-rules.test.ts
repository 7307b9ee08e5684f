/**
 * The lint tools fail the build on what they exist to stop: the import-boundary rules on a deliberately bad fixture
 * (test/fixtures/boundaries/), and the line-length check on a file with a long line.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = 'test/fixtures/boundaries/src';

function run(script: string, args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, script), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('npm run lint', () => {
  it('the import-boundary check reports each rule on the bad fixture and fails', () => {
    const { status, out } = run('scripts/lint/boundaries.mjs', [fixture]);
    expect(status).toBe(1);
    const errors = out.split('\n').filter((l) => l.startsWith('error '));
    expect(errors).toEqual(
      expect.arrayContaining([
        `error web-not-to-repo ${fixture}/web/page.ts → ${fixture}/orders/orders.repo.ts`,
        `error repo-not-to-service-or-routes ${fixture}/orders/orders.repo.ts → ${fixture}/orders/orders.service.ts`,
        `error domain-not-to-web ${fixture}/stores/store.ts → ${fixture}/web/page.ts`,
        `error composition-root-on-top ${fixture}/server/start.ts → ${fixture}/app.ts`,
        `error no-domain-cycles ${fixture}/orders → ${fixture}/payments`,
      ]),
    );
    expect(out).toContain('web-not-to-repo: Pages render and call services');
  });

  it('the import-boundary check passes on the real src/ (known violations listed, none new)', () => {
    const { status, out } = run('scripts/lint/boundaries.mjs', []);
    expect(out).not.toMatch(/^error /m);
    expect(status).toBe(0);
  });

  it('the line-length check fails on a line over 120 characters and names it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-lint-'));
    const file = path.join(dir, 'long.ts');
    fs.writeFileSync(file, `export const ok = 1;\nexport const long = '${'x'.repeat(120)}';\n`);
    const { status, out } = run('scripts/lint/line-length.mjs', [file]);
    expect(status).toBe(1);
    expect(out).toContain(`${file}: 1 line(s) over 120 characters: 2 (143)`);
    fs.writeFileSync(file, 'export const ok = 1;\n');
    expect(run('scripts/lint/line-length.mjs', [file]).status).toBe(0);
    fs.rmSync(dir, { recursive: true });
  });
});
