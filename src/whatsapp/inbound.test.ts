import { describe, expect, it } from 'vitest';
import { isSilent, pictureId, readInbound, storable } from './inbound.js';

const base = { from: '919812345678', id: 'wamid.1', timestamp: '1700000000' };

describe('readInbound', () => {
  it('reads the Cloud API formats the bot answers', () => {
    expect(readInbound({ ...base, type: 'text', text: { body: '2 kg atta' } })).toEqual({
      from: '919812345678',
      id: 'wamid.1',
      type: 'text',
      text: { body: '2 kg atta' },
    });
    expect(readInbound({ ...base, type: 'image', image: { id: 'm1', mime_type: 'image/jpeg', sha256: 'x' } })).toEqual({
      from: base.from,
      id: base.id,
      type: 'image',
      image: { id: 'm1' },
    });
    expect(
      readInbound({
        ...base,
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: 'confirm', title: 'Confirm order' } },
      }).interactive,
    ).toEqual({ button_reply: { id: 'confirm' } });
    expect(
      readInbound({
        ...base,
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'cat:dairy', title: 'Dairy', description: '' } },
      }).interactive,
    ).toEqual({ list_reply: { id: 'cat:dairy' } });
    expect(readInbound({ ...base, type: 'button', button: { payload: 'confirm', text: 'Confirm' } }).button).toEqual({
      payload: 'confirm',
    });
  });

  it.each([
    ['a number as the text body', { type: 'text', text: { body: 123 } }],
    ['a null text', { type: 'text', text: null }],
    ['no text object', { type: 'text' }],
    ['an object as the media id', { type: 'image', image: { id: { a: 1 } } }],
    ['a number as the button id', { type: 'interactive', interactive: { button_reply: { id: 42 } } }],
    ['a null list reply', { type: 'interactive', interactive: { list_reply: null } }],
    ['an array as interactive', { type: 'interactive', interactive: [] }],
    ['a number as the payload', { type: 'button', button: { payload: 7 } }],
  ])('drops what is not well-formed: %s', (_label, fields) => {
    const read = readInbound({ ...base, ...fields });
    expect(read.text).toBeUndefined();
    expect(read.image).toBeUndefined();
    expect(read.interactive).toBeUndefined();
    expect(read.button).toBeUndefined();
    expect(read.from).toBe('919812345678');
  });

  it('never throws, whatever it is given', () => {
    for (const raw of [null, undefined, 42, 'text', [], { type: 5, from: {}, id: [] }])
      expect(readInbound(raw)).toMatchObject({ from: '', id: '', type: '' });
  });
});

describe('readInbound: an order from the WhatsApp catalog', () => {
  it('reads each product by its retailer id and quantity, dropping malformed items', () => {
    const order = readInbound({
      ...base,
      type: 'order',
      order: {
        catalog_id: 'c1',
        text: 'please hurry',
        product_items: [
          { product_retailer_id: 'ATTA-5KG', quantity: 2, item_price: 245, currency: 'INR' },
          { product_retailer_id: 'SALT-1KG', quantity: '3' },
          { product_retailer_id: 7, quantity: 1 },
          { product_retailer_id: 'X', quantity: 0 },
          { product_retailer_id: 'Y', quantity: 1.5 },
          { product_retailer_id: 'BIG', quantity: 5000 },
          null,
        ],
      },
    }).order;
    expect(order).toEqual({
      items: [
        { retailerId: 'ATTA-5KG', quantity: 2 },
        { retailerId: 'SALT-1KG', quantity: 3 },
        { retailerId: 'BIG', quantity: 999 },
      ],
    });
    expect(readInbound({ ...base, type: 'order', order: { product_items: 'x' } }).order).toBeUndefined();
  });
});

describe('isSilent', () => {
  it('reactions and system notices ask nothing; text, images, locations and orders do', () => {
    expect(isSilent(readInbound({ ...base, type: 'reaction', reaction: { message_id: 'w', emoji: '👍' } }))).toBe(true);
    expect(isSilent(readInbound({ ...base, type: 'system', system: { type: 'user_changed_number' } }))).toBe(true);
    for (const type of ['text', 'image', 'location', 'order', 'unsupported', 'interactive'])
      expect(isSilent(readInbound({ ...base, type }))).toBe(false);
  });
});

describe('storable', () => {
  it('replaces NUL and unpaired surrogates, in values and keys, and keeps the rest as it was', () => {
    expect(
      storable({ text: { body: 'atta\u0000salt \ud800x \udc00 😀 नमस्ते' }, ['k\u0000']: [1, null, true, 'ok'] }),
    ).toEqual({ text: { body: 'atta\ufffdsalt \ufffdx \ufffd 😀 नमस्ते' }, ['k\ufffd']: [1, null, true, 'ok'] });
  });
});

describe('pictureId (what is taken as a payment screenshot)', () => {
  const doc = (mime: unknown) =>
    readInbound({ ...base, type: 'document', document: { id: 'd1', mime_type: mime, filename: 'shot', sha256: 'x' } });
  it('an image message, or an image sent as a document, whatever the image type', () => {
    expect(pictureId(readInbound({ ...base, type: 'image', image: { id: 'm1', mime_type: 'image/jpeg' } }))).toBe('m1');
    for (const mime of ['image/jpeg', 'image/png', 'image/webp', 'IMAGE/PNG'])
      expect(pictureId(doc(mime)), mime).toBe('d1');
  });
  it('a document that is not an image, or states no type, is no picture', () => {
    for (const mime of ['application/pdf', 'text/plain', '', undefined, 42, 'video/mp4'])
      expect(pictureId(doc(mime)), String(mime)).toBeNull();
    expect(pictureId(readInbound({ ...base, type: 'document', document: { mime_type: 'image/png' } }))).toBeNull();
    expect(pictureId(readInbound({ ...base, type: 'text', text: { body: 'hi' } }))).toBeNull();
  });
});

describe('readInbound: a map pin', () => {
  it("reads the place's name and address when given, nothing else", () => {
    const at = { latitude: 18.5, longitude: 73.8 };
    expect(
      readInbound({ ...base, type: 'location', location: { ...at, name: ' Home ', address: '12 MG Road, Pune' } })
        .location,
    ).toEqual({ name: 'Home', address: '12 MG Road, Pune' });
    expect(readInbound({ ...base, type: 'location', location: at }).location).toEqual({});
    expect(readInbound({ ...base, type: 'location', location: { ...at, name: 7, address: '' } }).location).toEqual({});
  });
});
