import { describe, expect, it } from 'vitest';
import { logOptions, redactUrl } from './logger.js';

describe('logOptions', () => {
  it('writes JSON lines when stdout is not a terminal', () => {
    expect(logOptions('info', false)).toEqual({ level: 'info' });
  });

  it('pretty-prints through pino-pretty on a terminal', () => {
    expect(logOptions('debug', true)).toMatchObject({ level: 'debug', transport: { target: 'pino-pretty' } });
  });
});

describe('redactUrl', () => {
  it.each([
    [
      '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=42',
      '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=42',
    ],
    ['/webhooks/whatsapp?hub%2Everify_token=s3cret', '/webhooks/whatsapp?hub%2Everify_token=[redacted]'],
    ['/x?a=1&token=t&TOKEN=u&code=123456', '/x?a=1&token=[redacted]&TOKEN=[redacted]&code=[redacted]'],
    ['/x?token', '/x?token'],
    ['/api/v1/orders?status=placed', '/api/v1/orders?status=placed'],
    ['/demo', '/demo'],
    ['/x?%E0%A4=1&token=t', '/x?%E0%A4=1&token=[redacted]'],
  ])('%s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });
});
