import { describe, expect, it } from 'vitest';
import { translator } from '../../i18n/index.js';
import { fieldMessage } from './field-messages.js';

const hi = (message: string) => fieldMessage(translator('hi'), 'hi', message);

describe('fieldMessage', () => {
  it('keeps English on English pages', () => {
    expect(fieldMessage(translator('en'), 'en', 'Enter a whole number')).toBe('Enter a whole number');
  });

  it("says the parsers', the schema's and the order lines' wordings in Hindi, with their numbers", () => {
    expect(hi('Enter an amount like 49.99')).toBe('रकम ऐसे लिखें: 49.99');
    expect(hi('At most 2 decimal places')).toBe('दशमलव के बाद ज़्यादा से ज़्यादा 2 अंक।');
    expect(hi('At most ₹99,99,999.00')).toBe('ज़्यादा से ज़्यादा ₹99,99,999.00।');
    expect(hi('Enter a number from 0 to 999')).toBe('0 से 999 तक की संख्या लिखें।');
    expect(hi('Must NOT have fewer than 1 characters.')).toBe('इसे भरें।');
    expect(hi('Must NOT have more than 100 characters')).toBe('ज़्यादा से ज़्यादा 100 अक्षर।');
    expect(hi('Must be >= 0.')).toBe('कम से कम 0।');
    expect(hi('Quantity: Enter a whole number')).toBe('मात्रा: पूरी संख्या लिखें।');
  });

  it('never leaves an unknown English sentence on a Hindi page; Hindi words pass through', () => {
    expect(hi('A product with this code exists already')).toBe('इसे जाँच लें।');
    expect(hi('मोबाइल नंबर सही लिखें')).toBe('मोबाइल नंबर सही लिखें');
  });
});
