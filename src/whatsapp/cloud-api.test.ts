import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validSignature } from './cloud-api.js';

const SECRET = 'app-secret';
const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
const hex = createHmac('sha256', SECRET).update(body).digest('hex');

describe('validSignature (X-Hub-Signature-256)', () => {
  it('takes exactly sha256= and the lower-case hex HMAC of the raw body', () => {
    expect(validSignature(body, `sha256=${hex}`, SECRET)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['another secret', `sha256=${createHmac('sha256', 'other').update(body).digest('hex')}`],
    ['upper-case hex', `sha256=${hex.toUpperCase()}`],
    ['upper-case prefix', `SHA256=${hex}`],
    ['sha1', `sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}`],
    ['trailing garbage', `sha256=${hex}zz`],
    ['an odd trailing digit', `sha256=${hex}a`],
    ['two comma-joined values', `sha256=${hex},sha256=${hex}`],
    ['a space inside', `sha256= ${hex}`],
    ['base64', `sha256=${createHmac('sha256', SECRET).update(body).digest('base64')}`],
    ['truncated', `sha256=${hex.slice(0, 63)}`],
  ])('refuses %s', (_label, header) => {
    expect(validSignature(body, header, SECRET)).toBe(false);
  });
});
