import { describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { billPdf, scriptRuns } from './bill-pdf.js';
import type { Bill } from './bill.js';

describe('bill PDF', () => {
  it('splits text into Latin and Devanagari runs, spaces staying with their run', () => {
    expect(scriptRuns('चावल (1 kg) ₹50')).toEqual([
      { text: 'चावल (', devanagari: true },
      { text: '1 kg) ₹50', devanagari: false },
    ]);
    expect(scriptRuns('Rice')).toEqual([{ text: 'Rice', devanagari: false }]);
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
