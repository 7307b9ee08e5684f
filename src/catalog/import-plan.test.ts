import { describe, expect, it } from 'vitest';
import { planImport, productCsv, readProductCsv, type ExistingProduct, type ExistingVariant } from './import-plan.js';

const products: ExistingProduct[] = [
  { id: 'p1', name: 'Basmati Rice', category: 'Staples', searchTerms: ['chawal'], hsn: null },
  { id: 'p2', name: 'Milk', category: null, searchTerms: [], hsn: null },
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
        },
      ],
      'INR',
    );
    expect(csv.split('\n')[1]).toBe(`"'=HYPERLINK(""x"")",Default,49.99,,,,,a|b,1006`);
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
