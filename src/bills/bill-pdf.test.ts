import { describe, expect, it } from 'vitest';
import { decodePDFRawStream, PDFArray, PDFDocument, PDFHexString, PDFRawStream } from 'pdf-lib';
import { billPdf, glyphRuns, loadFonts, scriptRuns, textRuns } from './bill-pdf.js';
import type { Bill } from './bill.js';

describe('bill PDF', () => {
  it('splits text into Latin and Devanagari runs, spaces staying with their run', () => {
    expect(scriptRuns('चावल (1 kg) ₹50')).toEqual([
      { text: 'चावल (', devanagari: true },
      { text: '1 kg) ₹50', devanagari: false },
    ]);
    expect(scriptRuns('Rice')).toEqual([{ text: 'Rice', devanagari: false }]);
  });

  it('moves a character its font lacks to a font that has it; spaces stay with their run', () => {
    const has = (font: string, cp: number) => font === 'deva' || cp !== 0x2212;
    expect(glyphRuns('−₹94.97 off', 'latin', ['latin', 'deva'], has)).toEqual([
      { text: '−', font: 'deva' },
      { text: '₹94.97 off', font: 'latin' },
    ]);
    expect(glyphRuns('a − b', 'latin', ['latin', 'deva'], has)).toEqual([
      { text: 'a ', font: 'latin' },
      { text: '− ', font: 'deva' },
      { text: 'b', font: 'latin' },
    ]);
    // No font has it: it stays where it was (drawn as the font's missing-glyph box, as before).
    expect(glyphRuns('x\u{1F600}', 'latin', ['latin'], (_f, cp) => cp < 0x1000)).toEqual([
      { text: 'x\u{1F600}', font: 'latin' },
    ]);
  });

  it('draws every character of a bill with a font that has its glyph (the discount minus sign too)', async () => {
    const fonts = await loadFonts(await PDFDocument.create());
    for (const bold of [false, true])
      for (const text of ['−₹94.97', 'छूट (BILL10) −₹1,234.00', 'बासमती चावल (5 किलो) · HSN 1006', '2 दिस॰ 2026']) {
        const runs = textRuns(fonts, text, bold);
        expect(runs.map((r) => r.text).join('')).toBe(fonts.standard ? expect.any(String) : text);
        for (const r of runs)
          for (const ch of r.text) expect(fonts.has(r.font, ch.codePointAt(0)!), `${ch} in "${text}"`).toBe(true);
      }
  });

  it('gives each Hindi run its text as written (ActualText), not the shaped glyphs in visual order', async () => {
    const bill: Bill = {
      lang: 'hi',
      title: 'बिल #8',
      storeName: 'Kirana',
      storeLines: [],
      meta: [],
      customerLines: [],
      columns: { item: 'Item', hsn: 'HSN', qty: 'Qty', price: 'Rate', amount: 'Amount' },
      showHsn: false,
      lines: [{ item: 'किलो', hsn: '', qty: '1', price: '₹1.00', amount: '₹1.00' }],
      totals: [],
      footer: 'धन्यवाद',
    };
    const doc = await PDFDocument.load(await billPdf(bill, 'a4'));
    const contents = doc.getPage(0).node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map((r) => doc.context.lookup(r)) : [contents];
    const text = streams
      .filter((s): s is PDFRawStream => s instanceof PDFRawStream)
      .map((s) => Buffer.from(decodePDFRawStream(s).decode()).toString('latin1'))
      .join('\n');
    for (const word of ['किलो', 'धन्यवाद'])
      expect(text).toContain(`/Span << /ActualText ${PDFHexString.fromText(word).toString()} >> BDC`);
    // Latin text is drawn as it reads: no span.
    expect(text.match(/ActualText/g)).toHaveLength(2);
  });

  it('draws a Hindi bill with many lines onto as many A4 pages as it needs', async () => {
    const line = { item: 'बासमती चावल (5 किलो)', hsn: '1006', qty: '2', price: '₹100.00', amount: '₹200.00' };
    const bill: Bill = {
      lang: 'hi',
      title: 'बिल #7',
      storeName: 'दुकान',
      storeLines: [],
      meta: [{ label: 'बिल नंबर', value: '#7' }],
      customerLines: ['आशा'],
      columns: { item: 'सामान', hsn: 'HSN', qty: 'मात्रा', price: 'दाम', amount: 'रक़म' },
      showHsn: true,
      lines: Array.from({ length: 60 }, () => line),
      totals: [{ label: 'कुल', value: '₹16,000.00', strong: true }],
      footer: 'धन्यवाद',
    };
    const doc = await PDFDocument.load(await billPdf(bill, 'a4'));
    expect(doc.getPageCount()).toBe(2);
    expect(doc.getTitle()).toBe('बिल #7');
  }, 30_000);
});
