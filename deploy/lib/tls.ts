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
  // Keep the one made last time while it has a day left: browsers and clients that accepted it still do.
  if (fs.existsSync(cert) && fs.existsSync(key)) {
    const valid = await run('openssl', ['x509', '-checkend', '86400', '-noout', '-in', cert]).then(
      () => true,
      () => false,
    );
    if (valid) return { cert, key };
  }
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    String(days),
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]).catch((err: Error) => {
    throw new Error(`openssl could not make a certificate (is openssl installed?): ${err.message}`);
  });
  fs.chmodSync(key, 0o600);
  return { cert, key };
}
