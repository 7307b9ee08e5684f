/**
 * Runs an nginx of our own — `nginx -c <file> -p <prefix> -e <error log>` with its pid in the run dir — next to
 * (never instead of) the system's nginx service.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { childPids, isAlive, sleep, waitFor } from './proc.js';

const run = promisify(execFile);

export function findNginx(): string {
  const candidates = [process.env.NGINX_BIN, '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].filter(
    (p): p is string => !!p,
  );
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found)
    throw new Error(
      `nginx not found (looked in ${candidates.join(', ')}). Install it: apt-get install -y nginx (or set NGINX_BIN).`,
    );
  return found;
}

/** The worker user for a root-started master: www-data on Debian, else nobody. */
export async function nginxWorkerUser(): Promise<string | null> {
  if (process.getuid?.() !== 0) return null;
  for (const user of ['www-data', 'nobody']) {
    try {
      await run('id', ['-u', user]);
      return user;
    } catch {
      // try the next
    }
  }
  return null;
}

export interface NginxInstance {
  conf: string;
  prefix: string;
  errorLog: string;
  pidFile: string;
}

function baseArgs(n: NginxInstance): string[] {
  return ['-c', n.conf, '-p', n.prefix, '-e', n.errorLog];
}

async function nginxCmd(n: NginxInstance, extra: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(findNginx(), [...baseArgs(n), ...extra], { timeout: 30_000 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`nginx ${extra.join(' ') || 'start'} failed: ${e.stderr || e.message}`);
  }
}

function prepare(n: NginxInstance): void {
  fs.mkdirSync(path.dirname(n.errorLog), { recursive: true });
  fs.mkdirSync(path.join(n.prefix, 'tmp'), { recursive: true });
  fs.mkdirSync(path.join(n.prefix, 'logs'), { recursive: true });
}

export async function testNginxConfig(n: NginxInstance): Promise<string> {
  prepare(n);
  return nginxCmd(n, ['-t', '-q']);
}

export function nginxMasterPid(n: NginxInstance): number | null {
  try {
    const pid = Number(fs.readFileSync(n.pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Starts the master (it daemonises); resolves once its workers are up. */
export async function startNginx(n: NginxInstance): Promise<number> {
  prepare(n);
  await nginxCmd(n, []);
  return waitFor(
    'nginx to start',
    () => {
      const pid = nginxMasterPid(n);
      return pid !== null && childPids(pid).length > 0 ? pid : undefined;
    },
    10_000,
  );
}

/** Re-reads the config: new workers start, old ones finish their requests and leave. */
export async function reloadNginx(n: NginxInstance): Promise<void> {
  const master = nginxMasterPid(n);
  if (!master) throw new Error('nginx is not running');
  const before = new Set(childPids(master));
  await nginxCmd(n, ['-s', 'reload']);
  // Done when none of the old workers is left (they leave once their open client connections are idle).
  await waitFor(
    'nginx to replace its workers',
    () => {
      const now = childPids(master);
      return now.length > 0 && now.every((p) => !before.has(p));
    },
    15_000,
    50,
  );
}

/** Graceful stop (QUIT), then KILL if it lingers. */
export async function stopNginx(n: NginxInstance, timeoutMs = 10_000): Promise<void> {
  const master = nginxMasterPid(n);
  if (!master) return;
  const workers = childPids(master);
  process.kill(master, 'SIGQUIT');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isAlive(master)) await sleep(50);
  for (const pid of [master, ...workers]) {
    if (isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}
