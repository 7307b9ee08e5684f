import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_VARIANTS } from './catalog.schema.js';
import {
  joinTerms,
  planImport,
  productCell,
  productCsv,
  readProductCsv,
  splitTerms,
  unquoteCell,
  type ExistingProduct,
  type ExistingVariant,
  type ExportVariant,
} from './import-plan.js';

const products: ExistingProduct[] = [
  { id: 'p1', slug: 'basmati-rice', name: 'Basmati Rice', category: 'Staples', searchTerms: ['chawal'], hsn: null },
  { id: 'p2', slug: 'milk', name: 'Milk', category: null, searchTerms: [], hsn: null },
];
const variants: ExistingVariant[] = [
  { id: 'v1', productId: 'p1', name: '1 kg', price: 12000, mrp: 15000, stock: 10, sku: 'RICE1' },
  { id: 'v2', productId: 'p1', name: '5 kg', price: 55000, mrp: null, stock: null, sku: null },
  { id: 'v3', productId: 'p2', name: 'Default', price: 3000, mrp: null, stock: 5, sku: null },
];

describe('product CSV', () => {
  it('reads Hindi, money in rupees, empty stock as not counted, and reports every bad row with its number', () => {
    const csv = [
      '\ufeffName,Size,Price,MRP,Stock,Category,SKU,searchTerms',
      'चावल,1 किलो,"1,299.50",₹1500,12,अनाज,CH1,chawal|rice',
      'Sugar,,45,,,,,',
      ',1 kg,10,,,,,',
      'Salt,,abc,,,,,',
      'Oil,,10,,-3,,,',
      'Tea,,10.999,,,,,',
    ].join('\n');
    const parsed = readProductCsv(csv, 'INR');
    expect(parsed.rows).toEqual([
      {
        row: 2,
        name: 'चावल',
        size: '1 किलो',
        price: 129950,
        mrp: 150000,
        stock: 12,
        category: 'अनाज',
        sku: 'CH1',
        searchTerms: ['chawal', 'rice'],
      },
      {
        row: 3,
        name: 'Sugar',
        size: 'Default',
        price: 4500,
        mrp: null,
        stock: null,
        category: null,
        sku: null,
        searchTerms: [],
      },
    ]);
    expect(parsed.errors.map((e) => [e.row, e.code])).toEqual([
      [4, 'required'],
      [5, 'invalid_price'],
      [6, 'invalid_stock'],
      [7, 'invalid_price'],
    ]);
  });

  it('needs name and price columns', () => {
    expect(readProductCsv('product,cost\nRice,10', 'INR').errors).toEqual([
      { row: 1, code: 'missing_column', message: 'The header row has no "price" column', params: { field: 'price' } },
    ]);
    expect(readProductCsv('', 'INR').errors[0]?.code).toBe('empty');
  });

  it('matches by SKU, then name + size; groups new sizes of one new product; counts each row', () => {
    const csv = [
      'name,size,price,stock,sku',
      'Renamed rice,1 kg,120,10,RICE1', // by SKU, nothing changed
      'basmati rice,5 KG,560,,', // by name + size: price changed
      'Basmati Rice,10 kg,990,3,', // a new size of an existing product
      'Milk,,30,5,', // single-size product, same values
      'Ghee,500 g,30000,4,', // new product, two sizes
      'Ghee,1 kg,58000,2,',
      'ghee,1 KG,1,1,', // duplicate of the row above
    ].join('\n');
    const plan = planImport(readProductCsv(csv, 'INR'), products, variants, ['Staples']);
    expect([plan.created, plan.updated, plan.unchanged]).toEqual([3, 1, 2]);
    expect(plan.updateVariants).toEqual([{ id: 'v2', price: 56000, mrp: null, stock: null, sku: null }]);
    expect(plan.addVariants).toMatchObject([{ productId: 'p1', name: '10 kg', price: 99000, stock: 3 }]);
    expect(plan.createProducts).toHaveLength(1);
    expect(plan.createProducts[0]!.variants.map((v) => v.name)).toEqual(['500 g', '1 kg']);
    expect(plan.errors).toEqual([
      { row: 8, code: 'duplicate', message: 'the same product and size are on row 7', params: { other: 7 } },
    ]);
    expect(plan.updateProducts).toEqual([]);
  });

  it('a present but empty column clears, an absent one keeps; new categories are listed once', () => {
    const csv = 'name,size,price,category,searchTerms\nBasmati Rice,1 kg,120,Grains,\nGhee,,300,grains,';
    const plan = planImport(readProductCsv(csv, 'INR'), products, variants, ['Staples']);
    expect(plan.updateProducts).toEqual([{ id: 'p1', category: 'Grains', searchTerms: [], hsn: null }]);
    expect(plan.newCategories).toEqual(['Grains']);
    expect(plan.updateVariants).toEqual([]);
    expect([plan.created, plan.updated]).toEqual([1, 1]);
  });

  it('exports the same CSV the import reads, formula-like cells quoted and read back', () => {
    const csv = productCsv(
      [
        {
          product: '=HYPERLINK("x")',
          size: 'Default',
          price: 4999,
          mrp: null,
          stock: null,
          category: null,
          sku: null,
          searchTerms: ['a', 'b'],
          hsn: '1006',
          slug: 'hyperlink-x',
        },
        {
          product: 'दूध',
          size: '1 L',
          price: 6000,
          mrp: 6500,
          stock: 3,
          category: 'Dairy',
          sku: 'M1',
          searchTerms: [],
          hsn: null,
          slug: 'doodh',
        },
      ],
      'INR',
    );
    expect(csv.split('\n')[1]).toBe(`"'=HYPERLINK(""x"")",Default,49.99,,,,,a|b,1006,hyperlink-x`);
    const back = readProductCsv(csv, 'INR');
    expect(back.errors).toEqual([]);
    expect(back.rows[0]).toMatchObject({
      name: '=HYPERLINK("x")',
      price: 4999,
      stock: null,
      searchTerms: ['a', 'b'],
      hsn: '1006',
    });
    expect(back.rows[1]).toMatchObject({
      name: 'दूध',
      size: '1 L',
      price: 6000,
      mrp: 6500,
      stock: 3,
      category: 'Dairy',
      sku: 'M1',
    });
  });
});

describe('at most MAX_VARIANTS sizes per product', () => {
  /** An existing product `id` named `name` with `n` live sizes s0..s(n-1), each at 1.00. */
  const sized = (id: string, name: string, n: number) => ({
    product: { id, slug: id, name, category: null, searchTerms: [], hsn: null } satisfies ExistingProduct,
    variants: Array.from(
      { length: n },
      (_, i): ExistingVariant => ({
        id: `${id}v${i}`,
        productId: id,
        name: `s${i}`,
        price: 100,
        mrp: null,
        stock: null,
        sku: null,
      }),
    ),
  });
  const csv = (rows: string[]) => readProductCsv(['name,size,price,category', ...rows].join('\n'), 'INR');

  it("refuses each new size of a product that has 100 (the audit's five rows), not its other rows", () => {
    const full = sized('ph', 'Hundred', MAX_VARIANTS);
    const plan = planImport(
      csv([
        ...[1, 2, 3, 4, 5].map((n) => `Hundred,extra${n},1,Fresh`),
        'hundred,S7,2,', // an existing size: updated as ever
        'Other,Default,3,',
      ]),
      [full.product],
      full.variants,
      [],
    );
    expect(plan.errors).toEqual(
      [2, 3, 4, 5, 6].map((row) => ({
        row,
        code: 'too_many_variants',
        message: 'a product has at most 100 sizes (variants), and "Hundred" has them',
        params: { max: MAX_VARIANTS },
      })),
    );
    expect(plan.addVariants).toEqual([]);
    expect(plan.updateVariants).toEqual([{ id: 'phv7', price: 200, mrp: null, stock: null, sku: null }]);
    expect(plan.createProducts.map((p) => p.name)).toEqual(['Other']);
    // A refused row changes nothing of its product and brings no category.
    expect(plan.updateProducts).toEqual([]);
    expect(plan.newCategories).toEqual([]);
    expect([plan.created, plan.updated, plan.unchanged]).toEqual([1, 1, 0]);
  });

  it('adds sizes up to the limit, in the file order, and refuses the rows after', () => {
    const near = sized('p98', 'Ninety-eight', MAX_VARIANTS - 2);
    const plan = planImport(
      csv(['Ninety-eight,a,1,', 'Ninety-eight,b,1,', 'Ninety-eight,c,1,', 'Ninety-eight,d,1,']),
      [near.product],
      near.variants,
      [],
    );
    expect(plan.addVariants.map((v) => v.name)).toEqual(['a', 'b']);
    expect(plan.errors.map((e) => [e.row, e.code])).toEqual([
      [4, 'too_many_variants'],
      [5, 'too_many_variants'],
    ]);
    expect(plan.created).toBe(2);
  });

  it('a new product takes its first 100 rows; the 101st is refused', () => {
    const rows = Array.from({ length: MAX_VARIANTS + 1 }, (_, i) => `Big,size ${i},1,`);
    const plan = planImport(csv(rows), [], [], []);
    expect(plan.createProducts).toHaveLength(1);
    expect(plan.createProducts[0]!.variants).toHaveLength(MAX_VARIANTS);
    expect(plan.errors).toEqual([expect.objectContaining({ row: MAX_VARIANTS + 2, code: 'too_many_variants' })]);
    expect(plan.created).toBe(MAX_VARIANTS);
  });

  it('property: no product ends over 100 sizes; a row is refused for it only when its product is full', () => {
    // Products near the limit, and rows naming them (or new ones) with sizes old and new, in any order.
    const arb = fc.record({
      have: fc.array(fc.integer({ min: MAX_VARIANTS - 4, max: MAX_VARIANTS }), { minLength: 1, maxLength: 3 }),
      rows: fc.array(fc.tuple(fc.nat({ max: 4 }), fc.integer({ min: MAX_VARIANTS - 6, max: MAX_VARIANTS + 6 })), {
        maxLength: 40,
      }),
      fresh: fc.nat({ max: 3 }),
    });
    fc.assert(
      fc.property(arb, ({ have, rows, fresh }) => {
        const existing = have.map((n, i) => sized(`p${i}`, `Old ${i}`, n));
        const names = [...existing.map((e) => e.product.name), 'New 0', 'New 1'];
        const lines = rows.map(([p, size]) => `${names[p % names.length]},s${size},1,`);
        // A new product with MAX_VARIANTS + fresh rows of its own, after the others.
        for (let i = 0; i < MAX_VARIANTS + fresh; i++) lines.push(`Many,m${i},1,`);
        const plan = planImport(
          csv(lines),
          existing.map((e) => e.product),
          existing.flatMap((e) => e.variants),
          [],
        );
        for (const [i, e] of existing.entries()) {
          const added = plan.addVariants.filter((v) => v.productId === e.product.id).length;
          expect(have[i]! + added).toBeLessThanOrEqual(MAX_VARIANTS);
        }
        for (const p of plan.createProducts) expect(p.variants.length).toBeLessThanOrEqual(MAX_VARIANTS);
        expect(plan.createProducts.find((p) => p.name === 'Many')!.variants).toHaveLength(MAX_VARIANTS);
        // Every row is counted once, or refused once.
        expect(plan.created + plan.updated + plan.unchanged + plan.errors.length).toBe(lines.length);
        // Refused for size only when the product it names was full by then: replay the file.
        const sizes = new Map<string, Set<string>>(
          existing.map((e) => [e.product.name, new Set(e.variants.map((v) => v.name))]),
        );
        const refused = new Set(plan.errors.filter((e) => e.code === 'too_many_variants').map((e) => e.row));
        for (const [i, line] of lines.entries()) {
          const [name, size] = line.split(',') as [string, string];
          const had = sizes.get(name) ?? new Set<string>();
          sizes.set(name, had);
          if (had.has(size)) continue; // an existing or repeated size: never refused for the limit
          expect(refused.has(i + 2)).toBe(had.size >= MAX_VARIANTS);
          if (had.size < MAX_VARIANTS) had.add(size);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Characters the CSV, its quotes and its escapes care about, and some others. */
const char = fc.constantFrom('a', 'Z', '7', ' ', "'", '=', '+', '-', '@', '|', '\\', ',', '"', 'दू', ';', '.');
const one = { price: 100, mrp: null, stock: null, category: null, sku: null, searchTerms: [], hsn: null };

describe('cells a spreadsheet would run as a formula', () => {
  it("a cell the import would read as quoted gets one more '; each reads back as written", () => {
    const product = { ...one, product: "'=quoted", size: "''+1", category: "'@c", sku: "'-x", searchTerms: ["'=t"] };
    const csv = productCsv([{ ...product, slug: 'q' }], 'INR');
    expect(csv.split('\n')[1]).toBe(`''=quoted,'''+1,1.00,,,''@c,''-x,''=t,,q`);
    expect(readProductCsv(csv, 'INR').rows[0]).toMatchObject({
      name: "'=quoted",
      size: "''+1",
      category: "'@c",
      sku: "'-x",
      searchTerms: ["'=t"],
    });
  });

  it('property: a cell reads back as written, never starts as a formula; old files read alike', () => {
    fc.assert(
      fc.property(fc.string({ unit: char, maxLength: 12 }), (t) => {
        expect(unquoteCell(productCell(t))).toBe(t);
        expect(productCell(t)).not.toMatch(/^[=+\-@\t\r]/);
        if (!/^''/.test(t)) expect(unquoteCell(t)).toBe(/^'[=+\-@]/.test(t) ? t.slice(1) : t);
      }),
    );
  });
});

describe('search terms', () => {
  it('a | or \\ inside a term is written with a \\ before it; any other \\ in a file is itself', () => {
    const csv = productCsv(
      [{ ...one, product: 'T', size: 'Default', searchTerms: ['a|b', 'x\\y', 'c\\'], slug: 't' }],
      'INR',
    );
    expect(csv.split('\n')[1]).toBe(String.raw`T,Default,1.00,,,,,a\|b|x\\y|c\\,,t`);
    expect(readProductCsv(csv, 'INR').rows[0]?.searchTerms).toEqual(['a|b', 'x\\y', 'c\\']);
    const handWritten = readProductCsv('name,price,searchTerms\nT,1,a\\b|\\c|d\\', 'INR');
    expect(handWritten.rows[0]?.searchTerms).toEqual(['a\\b', '\\c', 'd\\']);
  });

  it('property: the terms joined into a cell split back into the same terms', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: char, maxLength: 8 }), { minLength: 1, maxLength: 5 }), (terms) => {
        expect(splitTerms(joinTerms(terms))).toEqual(terms);
      }),
    );
  });
});

describe('an export re-imports as it is', () => {
  const exported = (over: Partial<ExportVariant> & { product: string; slug: string }): ExportVariant => ({
    ...one,
    size: 'Default',
    ...over,
  });
  /** The catalog the export rows come from, and what importing their CSV into it plans. */
  const reimport = (rows: ExportVariant[]) => {
    const products = new Map<string, ExistingProduct>();
    const variants: ExistingVariant[] = [];
    for (const [i, r] of rows.entries()) {
      const { slug } = r;
      const id = `p-${slug}`;
      if (!products.has(slug))
        products.set(slug, { id, slug, name: r.product, category: r.category, searchTerms: r.searchTerms, hsn: r.hsn });
      variants.push({
        id: `v${i}`,
        productId: id,
        name: r.size,
        price: r.price,
        mrp: r.mrp,
        stock: r.stock,
        sku: r.sku,
      });
    }
    const categories = [...new Set(rows.flatMap((r) => (r.category ? [r.category] : [])))];
    return planImport(readProductCsv(productCsv(rows, 'INR'), 'INR'), [...products.values()], variants, categories);
  };

  it("the audit's four: twin names, one SKU twice, a term holding |, a name starting '=", () => {
    const plan = reimport([
      exported({ product: 'Twin', slug: 'twin', price: 100 }),
      exported({ product: 'Twin', slug: 'twin-2', price: 200 }),
      exported({ product: 'A', slug: 'a', sku: 'SAME' }),
      exported({ product: 'B', slug: 'b', sku: 'SAME' }),
      exported({ product: 'Piped', slug: 'piped', searchTerms: ['a|b', 'c\\|', '\\'] }),
      exported({ product: "'=quoted", slug: 'quoted', size: "''+1", sku: "'-x", category: "'@c" }),
    ]);
    expect(plan.errors).toEqual([]);
    expect([plan.created, plan.updated, plan.unchanged]).toEqual([0, 0, 6]);
    expect(plan.updateProducts).toEqual([]);
    expect(plan.newCategories).toEqual([]);
  });

  it('a file without a slug column imports as before: names and SKUs match as ever, twice in a file refused', () => {
    const rows = readProductCsv("name,size,price,sku\nMilk,,30,\nmilk,,31,\n'hello,,1,S1\n'=x,,1,S1", 'INR');
    expect(rows.rows.map((r) => r.name)).toEqual(['Milk', 'milk', "'hello", '=x']);
    const plan = planImport(rows, products, variants, []);
    expect(plan.errors).toEqual([
      { row: 3, code: 'duplicate', message: 'the same product and size are on row 2', params: { other: 2 } },
      { row: 5, code: 'duplicate', message: 'sku "S1" is also on row 4', params: { sku: 'S1', other: 4 } },
    ]);
  });

  it('a slug names the product: its size by name, else by SKU, else a new size; an unknown slug is ignored', () => {
    const twins: ExistingProduct[] = [
      { id: 't1', slug: 'twin', name: 'Twin', category: null, searchTerms: [], hsn: null },
      { id: 't2', slug: 'twin-2', name: 'Twin', category: null, searchTerms: [], hsn: null },
    ];
    const sizes: ExistingVariant[] = [
      { id: 'a', productId: 't1', name: 'Small', price: 100, mrp: null, stock: null, sku: 'SAME' },
      { id: 'b', productId: 't2', name: 'Small', price: 100, mrp: null, stock: null, sku: 'SAME' },
      { id: 'c', productId: 't2', name: 'Big', price: 100, mrp: null, stock: null, sku: 'BIG' },
    ];
    const csv = [
      'name,size,price,sku,slug',
      'Twin,Small,2,SAME,TWIN-2', // t2's Small (slugs read case-insensitively)
      'Twin,Small,3,SAME,twin', // t1's Small, the same SKU
      'Twin,Large,4,BIG,twin-2', // no size Large on t2: its size with SKU BIG
      'Twin,Huge,5,,twin', // a new size of t1
      'Twin,Small,6,,gone', // no such product: by name, so t1's Small again
    ].join('\n');
    const plan = planImport(readProductCsv(csv, 'INR'), twins, sizes, []);
    expect(plan.updateVariants.map((v) => [v.id, v.price])).toEqual([
      ['b', 200],
      ['a', 300],
      ['c', 400],
    ]);
    expect(plan.addVariants).toMatchObject([{ productId: 't1', name: 'Huge', price: 500 }]);
    expect(plan.errors).toEqual([
      { row: 6, code: 'duplicate', message: 'the same product and size are on row 3', params: { other: 3 } },
    ]);
  });

  // Text as the JSON API keeps it: trimmed, single spaces.
  const text = (max: number) =>
    fc
      .array(char, { minLength: 1, maxLength: max })
      .map((cs) => cs.join('').trim().replace(/\s+/g, ' '))
      .filter((t) => t.length > 0 && t.length <= max);

  it('property: export then parse gives back the same fields; planned against its catalog, nothing changes', () => {
    const money = fc.integer({ min: 0, max: 10_000_000_000 });
    const row = fc.record({
      product: fc.oneof(fc.constantFrom('Twin', "'=quoted", '-5 off'), text(200)),
      size: text(100),
      price: money,
      mrp: fc.option(money),
      stock: fc.option(fc.integer({ min: 0, max: 1_000_000_000 })),
      category: fc.option(text(100)),
      sku: fc.option(fc.oneof(fc.constantFrom('SAME', "'=S"), text(64))),
      searchTerms: fc.uniqueArray(text(50), { maxLength: 20, selector: (t) => t.toLowerCase() }),
      hsn: fc.option(fc.stringMatching(/^[0-9]{4,8}$/)),
    });
    // Products of one or more sizes (names unique within a product, as the database keeps them), slugs unique.
    const catalog = fc
      .array(
        fc.tuple(row, fc.uniqueArray(text(100), { minLength: 1, maxLength: 3, selector: (t) => t.toLowerCase() })),
        {
          maxLength: 8,
        },
      )
      .map((products) =>
        products.flatMap(([r, sizes], p) => sizes.map((size): ExportVariant => ({ ...r, size, slug: `s-${p}` }))),
      );
    fc.assert(
      fc.property(catalog, (rows) => {
        const parsed = readProductCsv(productCsv(rows, 'INR'), 'INR');
        expect(parsed.errors).toEqual([]);
        expect(parsed.rows).toEqual(
          rows.map((r, i) => ({
            row: i + 2,
            name: r.product,
            size: r.size,
            price: r.price,
            mrp: r.mrp,
            stock: r.stock,
            category: r.category,
            sku: r.sku,
            searchTerms: r.searchTerms,
            hsn: r.hsn,
            slug: r.slug,
          })),
        );
        const plan = reimport(rows);
        expect(plan.errors).toEqual([]);
        expect([plan.created, plan.updated, plan.unchanged]).toEqual([0, 0, rows.length]);
      }),
      { numRuns: 300 },
    );
  });
});
