import { describe, expect, it } from 'vitest';
import { planImport, readProductCsv } from '../../catalog/import-plan.js';
import { translator } from '../../i18n/index.js';
import { importProblemText } from './import-problems.js';

const CSV = [
  'name,size,price,mrp,stock,sku,searchTerms,hsn',
  ',,10,,,,,', // 2: no name
  `${'x'.repeat(201)},,10,,,,,`, // 3: name too long
  'Rice,,abc,,,,,', // 4: price
  'Rice,1 kg,10,1.234,,,,', // 5: mrp
  'Rice,2 kg,10,,-1,,,', // 6: stock
  'Rice,3 kg,10,,,,,12', // 7: hsn
  `Rice,4 kg,10,,,,${Array.from({ length: 21 }, (_, i) => `t${i}`).join('|')},`, // 8: too many terms
  'Dal,,10,,,A1,,', // 9
  'Dal 2,,10,,,A1,,', // 10: sku again
  'Dal,,12,,,,,', // 11: same product and size again
].join('\n');

function problemsIn(lang: 'en' | 'hi'): Map<number, string> {
  const plan = planImport(readProductCsv(CSV, 'INR'), [], [], []);
  const tr = translator(lang);
  return new Map(plan.errors.map((e) => [e.row, importProblemText(tr, lang, e)]));
}

describe('importProblemText', () => {
  it('words every row problem of the import in Hindi, with its numbers and no English sentence', () => {
    const hi = problemsIn('hi');
    expect([...hi.keys()]).toEqual([2, 3, 4, 5, 6, 7, 8, 10, 11]);
    expect(hi.get(2)).toBe('नाम खाली है।');
    expect(hi.get(3)).toBe('"name" 200 अक्षरों से लंबा है।');
    expect(hi.get(4)).toBe('"price": रकम ऐसे लिखें: 49.99');
    expect(hi.get(6)).toBe('"stock" 0 से 1,00,00,00,000 तक की पूरी संख्या हो, या खाली (तब गिनती नहीं होगी)।');
    expect(hi.get(7)).toBe('"hsn" में 4 से 8 अंक हों।');
    expect(hi.get(8)).toBe('ज़्यादा से ज़्यादा 20 खोज शब्द।');
    expect(hi.get(10)).toBe('प्रोडक्ट कोड (sku) "A1" पंक्ति 9 पर भी है।');
    expect(hi.get(11)).toBe('यही प्रोडक्ट और साइज़ पंक्ति 9 पर भी है।');
    // Column names stay as they are written in the file; no other Latin words are left.
    for (const text of hi.values())
      expect(text.replace(/"[^"]*"|\(sku\)|\d[\d.,]*/g, ''), text).not.toMatch(/[A-Za-z]{3,}/);
  });

  it('words a size past the most a product can have (too_many_variants) in Hindi and in English', () => {
    const rows = Array.from({ length: 101 }, (_, i) => `Bangle,Size ${i + 1},10`);
    const plan = planImport(readProductCsv(['name,size,price', ...rows].join('\n'), 'INR'), [], [], []);
    expect(plan.errors.map((e) => [e.row, e.code])).toEqual([[102, 'too_many_variants']]);
    const [problem] = plan.errors;
    expect(importProblemText(translator('hi'), 'hi', problem!)).toBe(
      'इस प्रोडक्ट में पहले से 100 साइज़ हैं — एक प्रोडक्ट में इससे ज़्यादा नहीं हो सकते।',
    );
    expect(importProblemText(translator('en'), 'en', problem!)).toBe(
      'This product already has 100 sizes — the most a product can have.',
    );
  });

  it('keeps plain English on English pages, and words problems of the file itself', () => {
    const en = problemsIn('en');
    expect(en.get(3)).toBe('"name" is longer than 200 characters.');
    expect(en.get(10)).toBe('Product code (sku) "A1" is also on row 9.');
    const tr = translator('hi');
    const file = (text: string) => readProductCsv(text, 'INR').errors.map((e) => importProblemText(tr, 'hi', e));
    expect(file('')).toEqual(['फ़ाइल खाली है।']);
    expect(file('name,size\nRice,1 kg\n')).toEqual(['पहली पंक्ति में "price" कॉलम नहीं है।']);
    expect(file('name,price\n"Rice,10\n')[0]).toMatch(/^फ़ाइल CSV की तरह पढ़ी नहीं जा सकी/);
    const unknown = { row: 2, code: 'something_new', message: 'Some new check' };
    expect(importProblemText(tr, 'hi', unknown)).toBe('इसे जाँच लें।');
  });
});
