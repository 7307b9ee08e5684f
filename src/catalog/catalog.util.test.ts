import { describe, expect, it } from 'vitest';
import { storeRow } from '../stores/store-row.fixture.js';
import { encodeCursor } from '../shared/cursor.js';
import { AppError } from '../shared/errors.js';
import {
  baseSlug,
  cleanName,
  decodeListCursor,
  escapeLike,
  firstFreeSlug,
  imageProblems,
  isImageUrl,
  searchTerm,
} from './catalog.util.js';
import { lowestPrice, toProduct, type ProductRow, type VariantRow } from './products.service.js';
import { isInStock, toPublicProduct, toPublicStore, publicStoreJson } from './storefront.service.js';

describe('escapeLike', () => {
  it('escapes LIKE wildcards and the escape character', () => {
    expect(escapeLike('50% off')).toBe('50\\% off');
    expect(escapeLike('a_b')).toBe('a\\_b');
    expect(escapeLike('back\\slash')).toBe('back\\\\slash');
    expect(escapeLike('plain text')).toBe('plain text');
  });
});

describe('searchTerm', () => {
  it('trims and treats blank as no filter', () => {
    expect(searchTerm(undefined)).toBeNull();
    expect(searchTerm('')).toBeNull();
    expect(searchTerm('   ')).toBeNull();
    expect(searchTerm('  amul ')).toBe('amul');
  });
});

describe('slugs', () => {
  it('derives a base slug, falling back for names without Latin letters', () => {
    expect(baseSlug('Fruits & Vegetables', 'category')).toBe('fruits-vegetables');
    expect(baseSlug("Haldiram's Aloo Bhujia", 'product')).toBe('haldiram-s-aloo-bhujia');
    expect(baseSlug('दाल', 'category')).toBe('category');
    expect(baseSlug('Crème brûlée', 'product')).toBe('creme-brulee');
    expect(baseSlug('x'.repeat(300), 'product').length).toBe(80);
  });

  it('picks the first free numeric suffix', () => {
    expect(firstFreeSlug('rice', new Set())).toBe('rice');
    expect(firstFreeSlug('rice', new Set(['rice']))).toBe('rice-2');
    expect(firstFreeSlug('rice', new Set(['rice', 'rice-2', 'rice-3', 'rice-5']))).toBe('rice-4');
  });
});

describe('images', () => {
  it('accepts http(s) URLs and site paths only', () => {
    expect(isImageUrl('https://cdn.example.com/a.jpg')).toBe(true);
    expect(isImageUrl('http://example.in/b.png?w=200')).toBe(true);
    expect(isImageUrl('/uploads/c.webp')).toBe(true);
    for (const bad of [
      '//evil.example/a.jpg',
      'ftp://x/a.jpg',
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      'a.jpg',
      'https://',
      'https://u:p@x.com/a.jpg',
      '/a b.jpg',
      '/a"onerror="x',
      'https://x.com/<script>',
    ]) {
      expect(isImageUrl(bad), bad).toBe(false);
    }
  });

  it('names each bad image by its index', () => {
    expect(imageProblems(['/ok.jpg', 'bad', '/ok2.jpg', 'ftp://x'])).toEqual([
      expect.objectContaining({ path: '/images/1' }),
      expect.objectContaining({ path: '/images/3' }),
    ]);
    expect(imageProblems([])).toEqual([]);
  });
});

describe('decodeListCursor', () => {
  it('returns the rank and id, or null without a cursor, and refuses anything else', () => {
    const id = '0195f4c2-0000-7000-8000-00000000abcd';
    expect(decodeListCursor(encodeCursor([-1, id]))).toEqual({ rank: -1, id });
    expect(decodeListCursor(encodeCursor([2000001, id]))).toEqual({ rank: 2000001, id });
    expect(decodeListCursor(undefined)).toBeNull();
    expect(decodeListCursor('')).toBeNull();
    const bad = ['garbage', encodeCursor([id]), encodeCursor([1, 'not-a-uuid']), encodeCursor([2 ** 40, id])];
    for (const cursor of [...bad, encodeCursor([id, 1]), encodeCursor([1, id, id])]) {
      expect(() => decodeListCursor(cursor)).toThrow(AppError);
    }
  });
});

describe('cleanName', () => {
  it('trims and refuses blank names', () => {
    expect(cleanName('  Amul  ', '/name')).toBe('Amul');
    expect(() => cleanName('   ', '/name')).toThrow(AppError);
  });
});

const product: ProductRow = {
  id: 'p1',
  slug: 'tea',
  name: 'Tea',
  description: '',
  category_id: null,
  unit: null,
  images: [],
  is_active: true,
  search_terms: [],
  hsn: null,
  pinned: false,
  position: null,
  list_rank: -1,
};
const variant = (id: string, price: number, stock: number | null): VariantRow => ({
  id,
  product_id: 'p1',
  name: id,
  price,
  mrp: null,
  stock,
  sku: 'SKU',
});

describe('product mapping', () => {
  it('prices a product at its lowest variant', () => {
    expect(lowestPrice([{ price: 500 }, { price: 200 }, { price: 900 }])).toBe(200);
    expect(toProduct({ product, variants: [variant('a', 300, 1), variant('b', 100, null)] }).price).toBe(100);
  });

  it('reduces stock to inStock on the public side, hiding stock and sku', () => {
    expect(isInStock({ stock: null })).toBe(true);
    expect(isInStock({ stock: 0 })).toBe(false);
    expect(isInStock({ stock: 1 })).toBe(true);
    const pub = toPublicProduct({ product, variants: [variant('a', 300, 0), variant('b', 100, 0)] });
    expect(pub.inStock).toBe(false);
    expect(pub.variants).toEqual([
      { id: 'a', name: 'a', price: 300, mrp: null, inStock: false },
      { id: 'b', name: 'b', price: 100, mrp: null, inStock: false },
    ]);
    expect(JSON.stringify(pub)).not.toContain('SKU');
  });

  it('shows whether UPI is offered, never the VPA, and drops the id from the JSON', () => {
    const store = toPublicStore(
      storeRow({
        slug: 'demo',
        name: 'Demo',
        upi_vpa: 'demo@upi',
        catalog_version: 0,
        whatsapp_phone_number_id: '200000000000001',
      }),
    );

    expect(store.payments).toEqual({ cod: true, upi: true });
    expect(publicStoreJson(store)).not.toHaveProperty('id');
    expect(JSON.stringify(store)).not.toContain('demo@upi');
    expect(JSON.stringify(store)).not.toContain('200000000000001'); // the Cloud API id is the owner's
  });
});
