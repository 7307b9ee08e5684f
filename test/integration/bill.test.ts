/** /o/{token}/bill (printable HTML) and /o/{token}/bill.pdf, with GSTIN and HSN when set, in English and Hindi. */
import { PDFDocument } from 'pdf-lib';
import { describe, expect } from 'vitest';
import { appTest } from '../helpers/fixture.js';
import { addProduct, openShop, placeOrder, type Shop } from '../helpers/order-fixtures.js';

const it = appTest();
let shop: Shop;
let token: string;
let plainToken: string;

it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx);
  const rice = await addProduct(shop, 'बासमती चावल', 10000);
  const salt = await addProduct(shop, 'Salt', 2000);
  await ctx.testDb.db.query(`UPDATE products SET hsn = '1006' WHERE name = 'बासमती चावल'`);
  plainToken = (await placeOrder(shop, [[salt, 1]])).trackingToken;
  await ctx.testDb.db.query(`UPDATE stores SET gstin = '27AAPFU0939F1ZV' WHERE id = $1`, [shop.storeId]);
  token = (
    await placeOrder(shop, [
      [rice, 2],
      [salt, 1],
    ])
  ).trackingToken;
});

describe('bill', () => {
  it('prints the store, GSTIN, HSN per line and the amounts, with a style the CSP allows by hash', async ({ ctx }) => {
    const res = await ctx.app.inject({ url: `/o/${token}/bill` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    const body = res.body;
    expect(body).toContain('GSTIN: 27AAPFU0939F1ZV');
    expect(body).toContain(
      '<td>बासमती चावल</td><td>1006</td><td class="n">2</td><td class="n">₹100.00</td><td class="n">₹200.00</td>',
    );
    expect(body).toContain('₹220.00');
    expect(body).toContain(`href="/o/${token}/bill.pdf?paper=a4&amp;lang=en"`);
    expect(body).toContain('@page{size:A4');
  });

  it('leaves HSN out when no line has one; 80 mm roll; Hindi labels', async ({ ctx }) => {
    const plain = await ctx.app.inject({ url: `/o/${plainToken}/bill?paper=80mm&lang=hi` });
    expect(plain.statusCode).toBe(200);
    expect(plain.body).not.toContain('>HSN<');
    expect(plain.body).toContain('<html lang="hi">');
    expect(plain.body).toContain('size:80mm auto');
    expect(plain.body).toContain('बाक़ी देना है');
    expect(plain.body).toContain('GSTIN: 27AAPFU0939F1ZV'); // the store's GSTIN as it is now
  });

  it('gives the same bill as a PDF, A4 and 80 mm, in English and Hindi', async ({ ctx }) => {
    for (const q of ['', '?paper=80mm', '?lang=hi', '?lang=hi&paper=80mm']) {
      const res = await ctx.app.inject({ url: `/o/${token}/bill.pdf${q}` });
      expect(res.statusCode, q).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toMatch(/filename=".+-bill-2\.pdf"/);
      expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      const doc = await PDFDocument.load(res.rawPayload);
      expect(doc.getPageCount()).toBe(1);
      expect(doc.getTitle()).toContain('#2');
      const [width] = doc.getPage(0).getSize() ? [doc.getPage(0).getWidth()] : [0];
      expect(width).toBeCloseTo(q.includes('80mm') ? 226.77 : 595.28, 1);
      expect(res.rawPayload.length).toBeLessThan(200_000);
    }
  });

  it('a cancelled order bill says cancelled, asks for nothing and shows the refund due', async ({ ctx }) => {
    const salt = await addProduct(shop, 'Rock salt', 2000);
    const order = await placeOrder(shop, [[salt, 2]]);
    expect((await shop.api.post(`${shop.base}/orders/${order.id}/payment`, { status: 'paid' })).status).toBe(200);
    const cancel = await ctx.app.inject({ method: 'POST', url: `/api/v1/orders/${order.trackingToken}/cancel` });
    expect(cancel.statusCode).toBe(200);
    const res = await ctx.app.inject({ url: `/o/${order.trackingToken}/bill` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('CANCELLED — nothing to pay');
    expect(res.body).toContain('<td class="n">To pay</td><td class="n">₹0.00</td>');
    expect(res.body).toContain('<td class="n">Refund due to you</td><td class="n">₹40.00</td>');
    const hi = await ctx.app.inject({ url: `/o/${order.trackingToken}/bill?lang=hi` });
    expect(hi.body).toContain('रद्द — कुछ नहीं देना है');
  });

  it('answers unknown or malformed tokens with the 404 page', async ({ ctx }) => {
    for (const url of ['/o/not-a-token/bill', `/o/${crypto.randomUUID()}/bill`, `/o/${crypto.randomUUID()}/bill.pdf`]) {
      const res = await ctx.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
    }
  });
});
