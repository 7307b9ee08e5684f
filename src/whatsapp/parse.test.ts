import { describe, expect, it } from 'vitest';
import { languageOf, parseAddress, parseItems, readCommand, type ItemLine, pinLacks, pinnedAddress } from './parse.js';

const kg = (n: number) => ({ amount: n * 1000, unit: 'g' as const });
const g = (n: number) => ({ amount: n, unit: 'g' as const });
const l = (n: number) => ({ amount: n * 1000, unit: 'ml' as const });
const ml = (n: number) => ({ amount: n, unit: 'ml' as const });
const line = (quantity: number, name: string, size: ItemLine['size'] = null): ItemLine => ({ quantity, size, name });

// [what the customer typed, the lines it means]
const ITEMS: [string, ItemLine[]][] = [
  // the issue's own examples
  [
    '2 kg atta, 1 bru coffee, amul butter 500g',
    [line(1, 'atta', kg(2)), line(1, 'bru coffee'), line(1, 'amul butter', g(500))],
  ],
  ['aata 5kg x2\ndaal 1 kilo', [line(2, 'aata', kg(5)), line(1, 'daal', kg(1))]],
  ['दो पैकेट मैगी', [line(2, 'मैगी')]],
  ['२ किलो आटा', [line(1, 'आटा', kg(2))]],
  // English, digits
  ['2 maggi', [line(2, 'maggi')]],
  ['maggi 2', [line(2, 'maggi')]],
  ['maggi x 2', [line(2, 'maggi')]],
  ['maggi x2', [line(2, 'maggi')]],
  ['maggi *2', [line(2, 'maggi')]],
  ['2x maggi', [line(2, 'maggi')]],
  ['2 x maggi', [line(2, 'maggi')]],
  ['maggi ×3', [line(3, 'maggi')]],
  ['3 packets of maggi', [line(3, 'maggi')]],
  ['3 packet maggi', [line(3, 'maggi')]],
  ['3 pkt maggi', [line(3, 'maggi')]],
  ['maggi 3 pkts', [line(3, 'maggi')]],
  ['maggi 3 packets', [line(3, 'maggi')]],
  ['1 dozen eggs', [line(12, 'eggs')]],
  ['2 dozen eggs', [line(24, 'eggs')]],
  ['eggs 1 dozen', [line(12, 'eggs')]],
  ['dozen eggs', [line(12, 'eggs')]],
  ['eggs 6', [line(6, 'eggs')]],
  ['6 eggs', [line(6, 'eggs')]],
  ['six eggs', [line(6, 'eggs')]],
  ['one bread', [line(1, 'bread')]],
  ['two bread', [line(2, 'bread')]],
  ['a bread', [line(1, 'bread')]],
  ['bread', [line(1, 'bread')]],
  ['Bread', [line(1, 'bread')]],
  ['BREAD 2', [line(2, 'bread')]],
  ['1 kg sugar', [line(1, 'sugar', kg(1))]],
  ['sugar 1kg', [line(1, 'sugar', kg(1))]],
  ['sugar 1 kg', [line(1, 'sugar', kg(1))]],
  ['sugar 1kgs', [line(1, 'sugar', kg(1))]],
  ['sugar 2 kgs', [line(1, 'sugar', kg(2))]],
  ['sugar 1 kilo', [line(1, 'sugar', kg(1))]],
  ['sugar 1 kilogram', [line(1, 'sugar', kg(1))]],
  ['500g paneer', [line(1, 'paneer', g(500))]],
  ['500 g paneer', [line(1, 'paneer', g(500))]],
  ['500gm paneer', [line(1, 'paneer', g(500))]],
  ['500 gms paneer', [line(1, 'paneer', g(500))]],
  ['paneer 500 grams', [line(1, 'paneer', g(500))]],
  ['paneer 200gm x 2', [line(2, 'paneer', g(200))]],
  ['2 x paneer 200g', [line(2, 'paneer', g(200))]],
  ['2 paneer 200g', [line(2, 'paneer', g(200))]],
  ['half kg paneer', [line(1, 'paneer', g(500))]],
  ['1/2 kg paneer', [line(1, 'paneer', g(500))]],
  ['0.5 kg paneer', [line(1, 'paneer', g(500))]],
  ['1.5 kg onion', [line(1, 'onion', g(1500))]],
  ['250g butter', [line(1, 'butter', g(250))]],
  ['1 litre milk', [line(1, 'milk', l(1))]],
  ['milk 1l', [line(1, 'milk', l(1))]],
  ['milk 1 ltr', [line(1, 'milk', l(1))]],
  ['milk 1 liter', [line(1, 'milk', l(1))]],
  ['2 litres milk', [line(1, 'milk', l(2))]],
  ['milk 500ml', [line(1, 'milk', ml(500))]],
  ['milk 500 ml x 2', [line(2, 'milk', ml(500))]],
  ['2 milk 500ml', [line(2, 'milk', ml(500))]],
  ['1 bottle oil', [line(1, 'oil')]],
  ['2 bottles fortune oil 1l', [line(2, 'fortune oil', l(1))]],
  ['fortune oil 1 ltr x 2', [line(2, 'fortune oil', l(1))]],
  ['1 pc soap', [line(1, 'soap')]],
  ['soap 3 pcs', [line(3, 'soap')]],
  ['4 pieces soap', [line(4, 'soap')]],
  ['soap 4 nos', [line(4, 'soap')]],
  ['1 box tea', [line(1, 'tea')]],
  ['tata tea gold 500g', [line(1, 'tata tea gold', g(500))]],
  ['tata tea 1kg', [line(1, 'tata tea', kg(1))]],
  ['1 tata tea', [line(1, 'tata tea')]],
  ['bru coffee', [line(1, 'bru coffee')]],
  ['amul butter', [line(1, 'amul butter')]],
  ['amul butter 100g', [line(1, 'amul butter', g(100))]],
  ['amul gold milk 500 ml', [line(1, 'amul gold milk', ml(500))]],
  ['I want 2 maggi', [line(2, 'maggi')]],
  ['please send 2 bread', [line(2, 'bread')]],
  ['need 1 kg rice', [line(1, 'rice', kg(1))]],
  ['add 1 ghee', [line(1, 'ghee')]],
  ['add 2 more maggi', [line(2, 'maggi')]],
  ['also 1 salt', [line(1, 'salt')]],
  ['some bread', [line(1, 'bread')]],
  ['1 salt.', [line(1, 'salt')]],
  ['salt!', [line(1, 'salt')]],
  ['(2) maggi', [line(2, 'maggi')]],
  ['- 2 maggi', [line(2, 'maggi')]],
  ['1. atta 5kg', [line(1, 'atta', kg(5))]],
  ['surf excel 1kg', [line(1, 'surf excel', kg(1))]],
  ['parle-g 4', [line(4, 'parle-g')]],
  ["haldiram's bhujia 200g", [line(1, "haldiram's bhujia", g(200))]],
  ['7up 2', [line(2, '7up')]],
  ['2 7up', [line(2, '7up')]],
  ['5kg atta', [line(1, 'atta', kg(5))]],
  // Hinglish
  ['do maggi', [line(2, 'maggi')]],
  ['do packet maggi', [line(2, 'maggi')]],
  ['maggi do packet', [line(2, 'maggi')]],
  ['maggi de do', [line(1, 'maggi')]],
  ['2 maggi de do', [line(2, 'maggi')]],
  ['ek bread', [line(1, 'bread')]],
  ['teen anda', [line(3, 'anda')]],
  ['char anda', [line(4, 'anda')]],
  ['paanch kilo aata', [line(1, 'aata', kg(5))]],
  ['panch kilo aata', [line(1, 'aata', kg(5))]],
  ['aata paanch kilo', [line(1, 'aata', kg(5))]],
  ['aadha kilo paneer', [line(1, 'paneer', g(500))]],
  ['adha kilo paneer', [line(1, 'paneer', g(500))]],
  ['dedh kilo pyaaz', [line(1, 'pyaaz', g(1500))]],
  ['dhai kilo aloo', [line(1, 'aloo', g(2500))]],
  ['paav kilo mirchi', [line(1, 'mirchi', g(250))]],
  ['ek kilo cheeni', [line(1, 'cheeni', kg(1))]],
  ['1 kilo ka aata', [line(1, 'aata', kg(1))]],
  ['2 kilo chawal chahiye', [line(1, 'chawal', kg(2))]],
  ['2 packet maggi bhejo', [line(2, 'maggi')]],
  ['bhaiya 2 doodh', [line(2, 'doodh')]],
  ['doodh 1 litre', [line(1, 'doodh', l(1))]],
  ['ek litre doodh', [line(1, 'doodh', l(1))]],
  ['do litre doodh', [line(1, 'doodh', l(2))]],
  ['daal 1 kilo aur chawal 2 kilo', [line(1, 'daal', kg(1)), line(1, 'chawal', kg(2))]],
  ['atta and dal', [line(1, 'atta'), line(1, 'dal')]],
  ['toor daal 1kg', [line(1, 'toor daal', kg(1))]],
  ['mujhe 3 sabun chahiye', [line(3, 'sabun')]],
  ['das anda', [line(10, 'anda')]],
  ['anda 1 darjan', [line(12, 'anda')]],
  ['panner 200 gm', [line(1, 'panner', g(200))]],
  ['magi 4', [line(4, 'magi')]],
  ['aata 10 kg', [line(1, 'aata', kg(10))]],
  ['amul ka makhan', [line(1, 'amul makhan')]],
  ['ghee 1 dabba', [line(1, 'ghee')]],
  ['2 dabba ghee', [line(2, 'ghee')]],
  ['surf 1 kg wala', [line(1, 'surf', kg(1))]],
  ['maggi 2 bhi', [line(2, 'maggi')]],
  // Devanagari
  ['दूध 1 लीटर', [line(1, 'दूध', l(1))]],
  ['एक लीटर दूध', [line(1, 'दूध', l(1))]],
  ['दो लीटर दूध', [line(1, 'दूध', l(2))]],
  ['आटा ५ किलो', [line(1, 'आटा', kg(5))]],
  ['आटा 5 किलो x 2', [line(2, 'आटा', kg(5))]],
  ['तीन साबुन', [line(3, 'साबुन')]],
  ['चार अंडे', [line(4, 'अंडे')]],
  ['एक दर्जन अंडे', [line(12, 'अंडे')]],
  ['आधा किलो पनीर', [line(1, 'पनीर', g(500))]],
  ['डेढ़ किलो प्याज', [line(1, 'प्याज', g(1500))]],
  ['५०० ग्राम पनीर', [line(1, 'पनीर', g(500))]],
  ['मैगी २ पैकेट', [line(2, 'मैगी')]],
  ['२ पैकेट मैगी चाहिए', [line(2, 'मैगी')]],
  ['दाल १ किलो और चावल २ किलो', [line(1, 'दाल', kg(1)), line(1, 'चावल', kg(2))]],
  ['घी 1 डिब्बा', [line(1, 'घी')]],
  ['पांच किलो आटा भेजो', [line(1, 'आटा', kg(5))]],
  ['पाँच मैगी', [line(5, 'मैगी')]],
  ['चाय पत्ती 250 ग्राम', [line(1, 'चाय पत्ती', g(250))]],
  ['सरसों तेल 1 लीटर', [line(1, 'सरसों तेल', l(1))]],
  ['नमक', [line(1, 'नमक')]],
  ['२ नमक', [line(2, 'नमक')]],
  // mixed scripts and several items
  ['2 kg आटा, 1 amul butter', [line(1, 'आटा', kg(2)), line(1, 'amul butter')]],
  ['maggi 2, दूध 1 लीटर', [line(2, 'maggi'), line(1, 'दूध', l(1))]],
  ['atta 5kg; dal 1kg; rice 2kg', [line(1, 'atta', kg(5)), line(1, 'dal', kg(1)), line(1, 'rice', kg(2))]],
  ['1 atta\n2 maggi\n3 bread', [line(1, 'atta'), line(2, 'maggi'), line(3, 'bread')]],
  ['1 atta\n\n2 maggi', [line(1, 'atta'), line(2, 'maggi')]],
  ['atta 5kg x 2, maggi x 4, bread', [line(2, 'atta', kg(5)), line(4, 'maggi'), line(1, 'bread')]],
  ['milk 2 & bread 1', [line(2, 'milk'), line(1, 'bread')]],
  ['milk 2 + bread 1', [line(2, 'milk'), line(1, 'bread')]],
  ['bread, , ,', [line(1, 'bread')]],
  // limits and noise
  ['maggi 5000', [line(999, 'maggi')]],
  ['maggi 0', [line(1, 'maggi')]],
  ['2', []],
  ['2 kg', []],
  ['', []],
  ['   ', []],
  [',,,', []],
  ['!!!', []],
  ['please', []],
  ['😀 maggi', [line(1, 'maggi')]],
  ['maggi 😀 2', [line(2, 'maggi')]],
  ['<b>maggi</b>', [line(1, 'b maggi b')]],
];

describe('parseItems', () => {
  it('has at least 150 phrasings', () => {
    expect(ITEMS.length).toBeGreaterThanOrEqual(150);
  });
  it.each(ITEMS)('%j', (text, expected) => {
    expect(parseItems(text)).toEqual(expected);
  });
});

const COMMANDS: [string, ReturnType<typeof readCommand>['kind'], Record<string, unknown>?][] = [
  ['hi', 'greet'],
  ['Hi!', 'greet'],
  ['menu', 'greet'],
  ['नमस्ते', 'greet'],
  ['namaste', 'greet'],
  ['confirm', 'confirm'],
  ['Confirm.', 'confirm'],
  ['haan', 'confirm'],
  ['हाँ', 'confirm'],
  ['order', 'confirm'],
  ['ok', 'confirm'],
  ['status', 'status'],
  ['mera order', 'status'],
  ['मेरा ऑर्डर', 'status'],
  ['cod', 'pay', { method: 'cod' }],
  ['UPI', 'pay', { method: 'upi' }],
  ['2 ko 3 karo', 'setQuantity', { line: 2, quantity: 3 }],
  ['२ को ३ करो', 'setQuantity', { line: 2, quantity: 3 }],
  ['make 1 5', 'setQuantity', { line: 1, quantity: 5 }],
  ['1 = 4', 'setQuantity', { line: 1, quantity: 4 }],
  ['remove coffee', 'remove', { line: null, name: 'coffee' }],
  ['remove 2', 'remove', { line: 2, name: null }],
  ['coffee hatao', 'remove', { line: null, name: 'coffee' }],
  ['हटाओ कॉफी', 'remove', { line: null, name: 'कॉफी' }],
  ['replace 1 with 2', 'replace', { line: 1, choice: 2 }],
  ['ORDER sharma-kirana', 'store', { slug: 'sharma-kirana' }],
  ['2', 'choose', { choice: 2 }],
  ['clear', 'clear'],
  ['add 1 ghee', 'items', { lines: [line(1, 'ghee')] }],
  ['2 kg atta', 'items', { lines: [line(1, 'atta', kg(2))] }],
];

describe('readCommand', () => {
  it.each(COMMANDS)('%j → %s', (text, kind, fields) => {
    const command = readCommand(text, { choiceOpen: true });
    expect(command.kind).toBe(kind);
    if (fields) expect(command).toMatchObject(fields);
  });
  it('a bare number is an item line unless a choice is open', () => {
    expect(readCommand('2').kind).toBe('items');
  });
});

describe('languageOf', () => {
  it('Devanagari → Hindi, Latin script (Hinglish too) → unchanged', () => {
    expect(languageOf('दो पैकेट मैगी', 'en')).toBe('hi');
    expect(languageOf('2 ko 3 karo', 'en')).toBe('en');
    expect(languageOf('2 kg atta', 'hi')).toBe('hi');
    expect(languageOf('2 kg atta', 'en')).toBe('en');
  });
});

describe('parseAddress', () => {
  it('reads name, street, city and PIN', () => {
    expect(parseAddress('Ravi Kumar, 12 MG Road, Camp, Pune 411001')).toEqual({
      name: 'Ravi Kumar',
      line1: '12 MG Road, Camp',
      city: 'Pune',
      pincode: '411001',
    });
    expect(parseAddress('रवि\nफ्लैट 3, शिवाजी नगर\nपुणे\n४११००५')).toEqual({
      name: 'रवि',
      line1: 'फ्लैट 3, शिवाजी नगर',
      city: 'पुणे',
      pincode: '411005',
    });
  });
  it('needs a PIN code and three parts', () => {
    expect(parseAddress('Ravi, MG Road, Pune')).toBeNull();
    expect(parseAddress('411001')).toBeNull();
  });
});

describe('pinnedAddress (a map pin, then what it lacks)', () => {
  const pin = 'Sharma Apartments, 12 MG Road, Camp, Pune 411001';
  it('the pin has the PIN code: the name typed (or the saved one) completes it', () => {
    expect(pinnedAddress(pin, 'Ravi Kumar', null)).toEqual({
      name: 'Ravi Kumar',
      line1: 'Sharma Apartments, 12 MG Road, Camp',
      city: 'Pune',
      pincode: '411001',
    });
    expect(pinnedAddress(pin, '', 'Asha')).toMatchObject({ name: 'Asha', pincode: '411001' });
    expect(pinnedAddress(pin, '', null)).toBeNull();
  });
  it('no PIN code in the pin: the one typed, with the name, in any order and with Devanagari digits', () => {
    const noPin = 'Sharma Apartments, 12 MG Road, Pune';
    expect(pinnedAddress(noPin, 'Ravi Kumar, 411001', null)).toEqual({
      name: 'Ravi Kumar',
      line1: 'Sharma Apartments, 12 MG Road',
      city: 'Pune',
      pincode: '411001',
    });
    expect(pinnedAddress(noPin, '४११००१ रवि', null)).toMatchObject({ name: 'रवि', pincode: '411001' });
    expect(pinnedAddress(noPin, '411001', 'Asha')).toMatchObject({ name: 'Asha', pincode: '411001' });
    expect(pinnedAddress(noPin, 'Ravi Kumar', null)).toBeNull();
    expect(pinnedAddress(noPin, '4110', 'Asha')).toBeNull();
  });
  it('a pin with one part is both the line and the city', () => {
    expect(pinnedAddress('Camp 411001', 'Ravi', null)).toEqual({
      name: 'Ravi',
      line1: 'Camp',
      city: 'Camp',
      pincode: '411001',
    });
  });
});

describe('pinLacks (what to ask after a pin that is not yet an address)', () => {
  it('asks the name when the pin has the PIN code, the PIN code (and the name unless saved) when not', () => {
    expect(pinLacks('Sharma Apartments, 12 MG Road, Pune 411001', null)).toBe('name');
    expect(pinLacks('12 MG Road, Pune', 'Asha')).toBe('pincode');
    expect(pinLacks('12 MG Road, Pune', null)).toBe('namePincode');
  });
  it('a pin naming no place besides its PIN code lacks the whole address, in any digits', () => {
    expect(pinLacks('411001', 'Asha')).toBe('address');
    expect(pinLacks(' ४११००१ ', null)).toBe('address');
    expect(pinLacks(', ', null)).toBe('address');
  });
});
