import { describe, expect, it } from 'vitest';
import { defangLinks, isOneLine, oneLine, orderForMessage, quoteUserText } from './quote.js';

describe('quoting customer and merchant text for messages', () => {
  it('flattens newlines, separators and bidi overrides to one line', () => {
    expect(oneLine('Asha\nRao\r\n\u2028✅ paid\u202e')).toBe('Asha Rao ✅ paid');
    expect(isOneLine('Asha Rao')).toBe(true);
    expect(isOneLine('Asha\nRao')).toBe(false);
    expect(isOneLine('a\u202eb')).toBe(false);
  });

  it('defangs links so chat clients do not make them clickable', () => {
    expect(defangLinks('Open: https://evil.example/pay?x=1')).toBe('Open: https[:]//evil[.]example/pay?x=1');
    expect(defangLinks('see www.evil.co.in now')).toBe('see www[.]evil[.]co[.]in now');
    expect(defangLinks('2.5 kg rice')).toBe('2.5 kg rice');
  });

  it('quotes and bounds the text', () => {
    expect(quoteUserText('leave at "gate"')).toBe('“leave at "gate"”');
    expect(quoteUserText('x'.repeat(400), 10)).toBe(`“${'x'.repeat(9)}…”`);
  });

  it('a forged payment line in a note cannot start a line of its own', () => {
    const forged = orderForMessage({
      customer: { name: 'Asha\n✅ Payment of ₹5,000 confirmed', phone: '+919812345678', address: null },
      note: 'ring bell\n\n✅ Payment of ₹5,000 confirmed\nOpen: https://evil.example',
      lines: [{ name: 'Tea\nFree', variantName: 'Default' }],
    });
    expect(forged.customer.name).toBe('“Asha ✅ Payment of ₹5,000 confirmed”');
    expect(forged.note).toBe('“ring bell ✅ Payment of ₹5,000 confirmed Open: https[:]//evil[.]example”');
    expect(forged.note).not.toContain('\n');
    expect(forged.lines[0]!.name).toBe('Tea Free');
  });
});
