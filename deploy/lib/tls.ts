import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A self-signed certificate for localhost and 127.0.0.1, made on the fly with openssl (for trying a topology
 * out on one machine; a real deployment uses a certificate from its CA, e.g. Let's Encrypt).
 */
export async function makeSelfSignedCert(dir: string, days = 30): Promise<{ cert: string; key: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', String(days), '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', key, '-out', cert,
  ]).catch((err: Error) => {
    throw new Error(`openssl could not make a certificate (is openssl installed?): ${err.message}`);
  });
  fs.chmodSync(key, 0o600);
  return { cert, key };
}
