import { describe, expect, it } from 'vitest';
import { readLinesForm, readTransitionForm } from './orders.forms.js';

describe('readLinesForm', () => {
  it('reads each kept line and adds the picked item onto a line it already has', () => {
    const read = readLinesForm({ variant: ['a', 'b'], quantity: ['2', '0'], addVariant: 'a', addQuantity: '3' });
    expect(read).toEqual({
      input: {
        lines: [
          { variantId: 'a', quantity: 5 },
          { variantId: 'b', quantity: 0 },
        ],
      },
      problems: [],
    });
  });

  it('names each bad quantity by its line', () => {
    const read = readLinesForm({ variant: ['a', 'b'], quantity: ['1.5', '2'], addVariant: 'c', addQuantity: '0' });
    expect(read.input.lines).toEqual([{ variantId: 'b', quantity: 2 }]);
    expect(read.problems.map((p) => p.path)).toEqual(['/lines/0/quantity', '/addQuantity']);
  });
});

describe('readTransitionForm', () => {
  it('reads the move, the note and whether the owner said yes', () => {
    expect(readTransitionForm({ to: 'rejected', note: '  Closed today ' })).toEqual({
      to: 'rejected',
      note: 'Closed today',
      confirmed: false,
    });
    expect(readTransitionForm({ to: 'cancelled', note: ' ', confirm: '1' })).toEqual({
      to: 'cancelled',
      note: null,
      confirmed: true,
    });
  });
});
