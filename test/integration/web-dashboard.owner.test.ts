import { describe, expect } from 'vitest';
import { client, uniquePhone, type Client, type TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import type { WebClient } from '../helpers/web-client.js';
import { ownerWithShop, pngOf, sessionToken, signInWithForms } from './web-dashboard.helpers.js';

const it = appTest({ publicUrl: 'https://shop.example' });
let owner: WebClient;
let storeId: string;
let base: string;
let api: Client;
let slug: string;

async function placeOrder(
  ctx: TestContext,
  variantId: string,
  quantity: number,
  phone: string,
): Promise<{ id: string }> {
  const anon = client(ctx.app);
  const cart = await anon.post(`/api/v1/storefront/${slug}/carts`);
  await anon.put(`/api/v1/storefront/${slug}/carts/${cart.body.id}/lines/${variantId}`, { quantity });
  const order = await anon.post(`/api/v1/storefront/${slug}/carts/${cart.body.id}/checkout`, {
    customer: { name: 'Asha', phone, address: { line1: '1 MG Road', city: 'Pune', pincode: '411001' } },
    paymentMethod: 'cod',
  });
  if (order.status !== 201) throw new Error(`checkout: ${order.status} ${order.text}`);
  return order.body;
}

/** Posts a form and follows the 303: the page a person lands on. */
const pageAfter = async (c: WebClient, ...args: Parameters<WebClient['submit']>) => (await c.submit(...args)).page;

it.beforeAll(async ({ ctx }) => {
  ({ browser: owner, storeId, base } = await ownerWithShop(ctx, 'Owner Shop'));
  api = client(ctx.app, sessionToken(owner));
  slug = (await api.get(`/api/v1/stores/${storeId}`)).body.slug;
  await api.patch(`/api/v1/stores/${storeId}`, { payments: { upiVpa: 'owner@okbank', cod: true } });
});

describe('language', () => {
  it('speaks Hindi after ?lang=hi, keeps it on the account, and back to English the same way', async ({ ctx }) => {
    const hi = await owner.open(`${base}/products?lang=hi`);
    expect(hi.status).toBe(200);
    expect(hi.body).toContain('<html lang="hi">');
    expect(hi.body).toContain('सामान जोड़ें');
    // The next page, without ?lang, and a second sign-in on another phone, are Hindi too (the account keeps it).
    expect((await owner.open(`${base}/settings`)).body).toContain('डिलीवरी चार्ज');
    const phone = owner.cookies.get('dukaan_session') ? (await api.get('/api/v1/me')).body.merchant.phone : '';
    const other = await signInWithForms(ctx, phone);
    const page = await other.open(`${base}/orders`);
    expect(page.body).toContain('<html lang="hi">');
    expect(page.body).toContain('अभी कोई ऑर्डर नहीं');
    const en = await owner.open(`${base}?lang=en`);
    expect(en.body).toContain('<html lang="en">');
    expect((await other.open(`${base}/products/new`)).body).toContain('Add a product');
  });

  it('plain words on the product form, and Reject and Cancel explained on the order buttons', async ({ ctx }) => {
    const product = await api.post(`/api/v1/stores/${storeId}/products`, { name: 'Tea', price: 12000, stock: 9 });
    const edit = await owner.open(`${base}/products/${product.body.id}`);
    expect(edit.body).toContain('Price before discount (₹, MRP)');
    expect(edit.body).toContain('Product code (optional)');
    const order = await placeOrder(ctx, product.body.variants[0].id, 1, '+919811100001');
    const page = await owner.open(`${base}/orders/${order.id}`);
    expect(page.body).toMatch(/data-testid="to-rejected">Reject \(you cannot take this order\)</);
    const hi = await owner.open(`${base}/orders/${order.id}?lang=hi`);
    expect(hi.body).toMatch(/data-testid="to-rejected">मना करें \(यह ऑर्डर नहीं ले सकते\)</);
    await owner.open(`${base}?lang=en`);
  });
});

describe('problems in Hindi', () => {
  it('a refused form is summed up in the page language; English pages keep the service words', async () => {
    const from = `${base}/products/new?lang=hi`;
    const hi = await owner.post(`${base}/products/new`, { name: '', price: '' }, { from });
    expect(hi.status).toBe(422);
    expect(hi.body).toMatch(/data-testid="form-error"[^>]*>कृपया लाल निशान वाले खाने देखें।</);
    const en = await owner.post(`${base}/products/new`, { name: '', price: '' }, { from: `${base}?lang=en` });
    expect(en.body).toMatch(/data-testid="form-error"[^>]*>[A-Z][ -~]+</);
  });

  it('Hindi sentences end with one danda, never "।." or a "."', async () => {
    const hi = await owner.post(`${base}/members`, { phone: '12345' }, { from: `${base}/members?lang=hi` });
    await owner.open(`${base}/members?lang=en`);
    expect(hi.status).toBe(422);
    const summary = /data-testid="form-error"[^>]*>([^<]*)</.exec(hi.body)![1];
    expect(summary).toBe('कृपया लाल निशान वाले खाने देखें।');
    const under = [...hi.body.matchAll(/class="field-error"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(under).toEqual(['सही मोबाइल नंबर लिखें, जैसे 98765 43210।']);
  });

  it('the words under each field are Hindi too, from parsers, the API schema and services alike', async () => {
    const fieldErrors = (body: string) => [...body.matchAll(/class="field-error"[^>]*>([^<]*)</g)].map((m) => m[1]);
    const from = `${base}/products/new?lang=hi`;
    const product = await owner.post(`${base}/products/new`, { name: '', price: 'abc', stock: '1.5' }, { from });
    expect(product.status).toBe(422);
    const expected = ['इसे भरें।', 'रकम ऐसे लिखें: 49.99', 'पूरी संख्या लिखें।'];
    expect(fieldErrors(product.body)).toEqual(expect.arrayContaining(expected));
    const settings = await owner.post(
      `${base}/settings`,
      { name: 'Shop', isOpen: '1', fee: '-5', minOrder: 'x' },
      {
        from: `${base}/settings?lang=hi`,
      },
    );
    expect(settings.status).toBe(422);
    const said = fieldErrors(settings.body);
    expect(said).toEqual(expect.arrayContaining(['रकम शून्य से कम नहीं हो सकती।', 'रकम ऐसे लिखें: 49.99']));
    // Never an English sentence under a field of a Hindi page.
    for (const words of [...said, ...fieldErrors(product.body)]) expect(words).not.toMatch(/^[ -~]+$/);
    // The WhatsApp bot switch is Hindi as well.
    expect(settings.body).toContain('WhatsApp संदेशों का जवाब अपने-आप दें');
    const en = await owner.post(
      `${base}/settings`,
      { name: 'Shop', isOpen: '1', fee: '-5' },
      {
        from: `${base}/settings?lang=en`,
      },
    );
    expect(fieldErrors(en.body)).toContain('The amount cannot be negative.');
    expect(en.body).toContain('Answer WhatsApp messages automatically');
  });
});

describe('staff', () => {
  it('the owner invites by phone; staff see the store but not staff or payment settings; removal ends it', async ({
    ctx,
  }) => {
    const staffPhone = uniquePhone();
    const list = await owner.open(`${base}/members`);
    expect(list.status).toBe(200);
    const invited = await pageAfter(owner, `${base}/members`, { phone: staffPhone });
    expect(invited.body).toContain('can now sign in and help in this shop');
    expect(invited.body).toContain(staffPhone);
    const own = await owner.post(`${base}/members`, { phone: (await api.get('/api/v1/me')).body.merchant.phone });
    expect(own.status).toBe(409);
    expect(own.body).toContain('That is your own number');

    const staff = await signInWithForms(ctx, staffPhone);
    const home = await staff.open(base);
    expect(home.status).toBe(200);
    expect(home.body).not.toContain('data-testid="nav-members"');
    expect((await staff.get(`${base}/members`)).status).toBe(403);
    expect((await staff.post(`${base}/members`, { phone: uniquePhone() }, { from: base })).status).toBe(403);
    const settings = await staff.open(`${base}/settings`);
    expect(settings.body).not.toContain('data-testid="payment-settings"');
    expect(settings.body).not.toContain('name="upiVpa"');
    const saved = await pageAfter(staff, `${base}/settings`, {
      name: 'Owner Shop',
      isOpen: '1',
      fee: '0',
      cod: '1',
      upiVpa: 'thief@okbank',
    });
    expect(saved.body).toContain('Settings saved.');
    expect((await api.get(`/api/v1/stores/${storeId}`)).body.payments.upiVpa).toBe('owner@okbank');

    const members = (await api.get(`/api/v1/stores/${storeId}/members`)).body.items as {
      merchantId: string;
      role: string;
    }[];
    const member = members.find((m) => m.role === 'staff')!;
    const removed = await pageAfter(
      owner,
      `${base}/members/${member.merchantId}/remove`,
      {},
      { from: `${base}/members` },
    );
    expect(removed.body).toContain('Removed.');
    expect((await staff.get(base)).status).toBe(404);
  });
});

describe('sales report', () => {
  it('shows the last 7 and 30 days: totals, an SVG chart, best sellers, new vs returning, and the CSV', async ({
    ctx,
  }) => {
    const product = await api.post(`/api/v1/stores/${storeId}/products`, { name: 'Ghee', price: 50000, stock: 50 });
    const variant = product.body.variants[0].id;
    await placeOrder(ctx, variant, 2, '+919811100002');
    await placeOrder(ctx, variant, 1, '+919811100002');
    const page = await owner.open(`${base}/reports`);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<svg class="chart"[^>]*role="img"/);
    expect(page.body).toMatch(/data-testid="total-orders">[3-9]</);
    expect(page.body).toContain('Ghee');
    expect(page.body).toMatch(/data-testid="top-revenue"/);
    expect(page.body).toMatch(/data-testid="returning-customers">0</);
    expect(page.body).not.toContain('<script>');
    const month = await owner.open(`${base}/reports?days=30`);
    expect(month.body).toMatch(/aria-current="page"[^>]*>\s*Last 30 days/);
    const csv = await owner.get(`${base}/reports/orders.csv?days=7`);
    expect(csv.status).toBe(200);
    expect(String(csv.headers['content-type'])).toContain('text/csv');
    expect(csv.body).toContain('Ghee');
  });
});

describe('products from a spreadsheet', () => {
  it('checks the file first (per-row problems, nothing written), then applies it; export gives it back', async () => {
    const csv = 'name,size,price,stock\nबासमती चावल,1 kg,120,10\nBasmati Rice,5 kg,550,4\nBroken,,abc,1\n';
    const from = `${base}/products/import`;
    const dry = await owner.postMultipart(
      from,
      {},
      [{ name: 'file', filename: 'rice.csv', type: 'text/csv', bytes: Buffer.from(csv) }],
      { from },
    );
    expect(dry.status).toBe(200);
    expect(dry.body).toContain('data-testid="dry-run"');
    expect(dry.body).toMatch(/2 new product sizes to add/);
    expect(dry.body).toMatch(/<td>4<\/td>/); // the bad row, by its spreadsheet row number
    expect((await api.get(`/api/v1/stores/${storeId}/products?q=Basmati`)).body.items).toHaveLength(0);
    const upload = /name="upload" value="([^"]+)"/.exec(dry.body)![1]!;
    const applied = await pageAfter(owner, `${base}/products/import/apply`, { upload });
    expect(applied.body).toContain('Done: 2 added, 0 updated, 1 rows left out.');
    expect(applied.body).toContain('बासमती चावल');
    const again = await owner.post(`${base}/products/import/apply`, { upload }, { from });
    expect(again.status).toBe(303); // the kept file is used once
    const exported = await owner.get(`${base}/products/export.csv`);
    expect(exported.status).toBe(200);
    expect(exported.body).toContain('बासमती चावल');
    const noFile = await owner.postMultipart(from, {}, [], { from });
    expect(noFile.status).toBe(422);
  });

  it('words the per-row problems in Hindi on the Hindi dashboard', async () => {
    const csv = 'name,size,price,sku\nसाबुन,,abc,\n,,10,\nतेल,1 L,90,T1\nतेल,2 L,95,T1\n';
    const from = `${base}/products/import?lang=hi`;
    const dry = await owner.postMultipart(
      from,
      {},
      [{ name: 'file', filename: 'hi.csv', type: 'text/csv', bytes: Buffer.from(csv) }],
      { from },
    );
    expect(dry.status).toBe(200);
    const problems = /data-testid="import-problems"[\s\S]*?<\/table>/.exec(dry.body)![0];
    expect(problems).toContain('<td>2</td><td>&quot;price&quot;: रकम ऐसे लिखें: 49.99</td>');
    expect(problems).toContain('<td>3</td><td>नाम खाली है।</td>');
    expect(problems).toContain('<td>5</td><td>प्रोडक्ट कोड (sku) &quot;T1&quot; पंक्ति 4 पर भी है।</td>');
    expect(problems).not.toMatch(/is empty|is also on row|Enter an amount/);
    await owner.open(`${base}?lang=en`); // ?lang= is kept on the account: the next tests read English
  });
});

describe('bills', () => {
  it('an order links its printable bill (A4, 80 mm), its PDF and a WhatsApp message with it', async ({ ctx }) => {
    const product = await api.post(`/api/v1/stores/${storeId}/products`, { name: 'Soap', price: 3000, stock: 5 });
    const order = await placeOrder(ctx, product.body.variants[0].id, 1, '+919811100003');
    const page = await owner.open(`${base}/orders/${order.id}`);
    const bill = /data-testid="bill-links"[\s\S]*?href="([^"]+\/bill)"/.exec(page.body)![1]!;
    expect(bill).toMatch(/^https:\/\/shop\.example\/o\/[^/]+\/bill$/);
    expect(page.body).toContain(`${bill}?paper=80mm`);
    expect(page.body).toContain(`href="${bill}.pdf"`);
    expect(page.body).toMatch(/data-testid="bill-whatsapp"/);
    const printed = await owner.get(new URL(bill).pathname);
    expect(printed.status).toBe(200);
    expect(printed.body).toContain('Soap');
  });
});

describe('stock badges', () => {
  it('the products list says which size is out and which is running low, in either language', async () => {
    await api.post(`/api/v1/stores/${storeId}/products`, {
      name: 'Atta',
      variants: [
        { name: '500 g', price: 3000, stock: 0 },
        { name: '1 kg', price: 5500, stock: 2 },
        { name: '5 kg', price: 25000, stock: 40 },
      ],
    });
    const list = await owner.open(`${base}/products?q=Atta`);
    const row = list.body.slice(list.body.indexOf('data-product-id'));
    expect(row).toMatch(/data-testid="size-stock">500 g: out of stock</);
    expect(row).toMatch(/data-testid="size-stock">\s*1 kg: 2 left</);
    expect(row).not.toMatch(/5 kg: /);
    const hi = await owner.open(`${base}/products?q=Atta&lang=hi`);
    expect(hi.body).toContain('500 g: स्टॉक ख़त्म');
    expect(hi.body).toContain('1 kg: 2 बचे');
    await owner.open(`${base}?lang=en`);
  });
});

describe('the add-product form', () => {
  it('a mistake keeps the chosen photo (its URL in the form) and all typed values for the next save', async () => {
    const from = `${base}/products/new`;
    const first = await owner.postMultipart(
      from,
      { name: '', price: '12x', stock: '7', v0_name: '', description: 'Fresh' },
      [{ name: 'image', filename: 'jam.png', type: 'image/png', bytes: await pngOf(900, 600) }],
      { from },
    );
    expect(first.status).toBe(422);
    const kept = /name="keptImage" value="([^"]+)"/.exec(first.body)?.[1];
    expect(kept).toMatch(/^\/media\/[0-9a-f]{32}-900x600\.webp$/);
    expect(first.body).toContain('data-testid="kept-image"');
    expect(first.body).toMatch(/name="price"[^>]*value="12x"|value="12x"[^>]*name="price"/);
    expect(first.body).toMatch(/value="7"/);
    expect(first.body).toContain('>Fresh</textarea>');
    expect(first.body).toMatch(/<details open="" data-testid="more-details"|<details open data-testid="more-details"/);
    const second = await owner.postMultipart(
      from,
      { name: 'Jam', price: '120', stock: '7', keptImage: kept!, isActive: '1' },
      [],
      { from: undefined, csrf: /name="_csrf" value="([^"]+)"/.exec(first.body)![1]! },
    );
    expect(second.status).toBe(303);
    const id = /\/products\/([0-9a-f-]{36})$/.exec(second.location!)![1]!;
    const product = (await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body;
    expect(product.images).toEqual([kept]);
    expect(product.variants[0].stock).toBe(7);
    // A forged keptImage that is not one of our pictures is ignored.
    const forged = await owner.postMultipart(
      from,
      { name: 'Jam 2', price: '120', keptImage: 'https://evil.example/x.png', isActive: '1' },
      [],
      { from },
    );
    const forgedId = /\/products\/([0-9a-f-]{36})$/.exec(forged.location!)![1]!;
    expect((await api.get(`/api/v1/stores/${storeId}/products/${forgedId}`)).body.images).toEqual([]);
  });

  it('the first screen asks name, photo, price and stock; sizes and more details fold away', async () => {
    const page = await owner.open(`${base}/products/new`);
    const beforeSizes = page.body.slice(0, page.body.indexOf('data-testid="sizes"'));
    for (const name of ['name', 'image', 'price', 'stock']) expect(beforeSizes).toContain(`name="${name}"`);
    expect(beforeSizes).not.toContain('name="mrp"');
    expect(page.body).toMatch(/<details data-testid="sizes"><summary data-testid="add-sizes">\+ add sizes \/ options</);
    expect(page.body).toContain('data-resize="1600"');
  });
});

describe('one Save per size', () => {
  it('saves the price and stock of a size together; a bad stock writes neither', async () => {
    const created = await api.post(`/api/v1/stores/${storeId}/products`, {
      name: 'Rava',
      variants: [
        { name: '500 g', price: 3000, stock: 4 },
        { name: '1 kg', price: 5500, stock: 9 },
      ],
    });
    const [half] = created.body.variants as { id: string }[];
    const page = `${base}/products/${created.body.id}`;
    const action = `${page}/variants/${half!.id}`;
    await owner.open(page);
    const bad = await owner.post(action, { name: '500 g', price: '32', mrp: '', sku: '', stock: 'lots' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('data-testid="error-stock"');
    const before = (await api.get(`/api/v1/stores/${storeId}/products/${created.body.id}`)).body.variants[0];
    expect([before.price, before.stock]).toEqual([3000, 4]);
    const { page: saved } = await owner.submit(action, { name: '500 g', price: '32', mrp: '', sku: '', stock: '11' });
    expect(saved.body).toContain('Saved 500 g.');
    const after = (await api.get(`/api/v1/stores/${storeId}/products/${created.body.id}`)).body.variants[0];
    expect([after.price, after.stock]).toEqual([3200, 11]);
  });
});

describe('budgets', () => {
  it('each of these pages is at most 30 KB of gzip HTML, in English and in Hindi', async ({ ctx }) => {
    const pages = ['', '/products', '/products/import', '/reports?days=30', '/members', '/settings', '/orders'];
    for (const lang of ['en', 'hi']) {
      for (const p of pages) {
        const res = await ctx.app.inject({
          url: `${base}${p}${p.includes('?') ? '&' : '?'}lang=${lang}`,
          headers: { cookie: `dukaan_session=${sessionToken(owner)}`, 'accept-encoding': 'gzip' },
        });
        expect(res.statusCode, p).toBe(200);
        expect(res.headers['content-encoding'], p).toBe('gzip');
        expect(res.rawPayload.length, `${lang} ${p}`).toBeLessThanOrEqual(30 * 1024);
      }
    }
    await owner.open(`${base}?lang=en`);
  });
});
