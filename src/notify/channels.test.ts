import { describe, expect, it } from 'vitest';
import { PermanentSendError, retryableSendFailure, whatsappChannel } from './channels.js';

const graphError = (code: number) =>
  JSON.stringify({ error: { message: `(#${code}) …`, type: 'OAuthException', code, fbtrace_id: 'A' } });

describe('retryableSendFailure', () => {
  it.each([
    [400, graphError(130429), true], // throughput
    [400, graphError(131056), true], // pair rate limit: one business number to one customer
    [400, graphError(131048), true], // spam rate limit
    [400, graphError(80007), true],
    [400, graphError(4), true],
    [500, graphError(131000), true],
    [503, '', true],
    [408, '', true],
    [429, '', true],
    [400, graphError(100), false], // invalid parameter
    [400, graphError(131047), false], // outside the 24-hour window: only a template goes
    [400, graphError(131026), false], // not on WhatsApp
    [401, graphError(190), false], // token expired
    [400, 'not json', false],
    [400, '{"error":null}', false],
  ])('%i %s → %s', (status, body, retry) => {
    expect(retryableSendFailure(status, body)).toBe(retry);
  });
});

describe('whatsappChannel', () => {
  const answering = (status: number, body: string) =>
    whatsappChannel(
      { apiUrl: 'http://graph.test', token: 't', phoneNumberId: '1' },
      { fetch: async () => new Response(body, { status, headers: { 'content-type': 'application/json' } }) },
    );
  const send = (status: number, body: string) =>
    answering(status, body).send({ id: 'o1', topic: 'whatsapp_reply', recipient: '+919812345678', text: 'hi' });

  it("a 400 with Meta's pair rate limit code is retried later, not failed for good", async () => {
    const err = await send(400, graphError(131056)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
  });

  it('a 400 invalid parameter is permanent', async () => {
    await expect(send(400, graphError(100))).rejects.toBeInstanceOf(PermanentSendError);
  });
});
