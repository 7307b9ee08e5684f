import { describe, expect, it } from 'vitest';
import { lineName, variantLabel } from './variant-label.js';

describe('variantLabel / lineName', () => {
  it('names a variant only when it says something', () => {
    expect(variantLabel('Atta', '5 kg')).toBe('5 kg');
    expect(variantLabel('Atta', 'Default')).toBeNull();
    expect(variantLabel('Atta', 'default')).toBeNull();
    expect(variantLabel('Atta', 'Atta')).toBeNull();
    expect(variantLabel('Atta', '')).toBeNull();
    expect(lineName({ name: 'Atta', variantName: '5 kg' })).toBe('Atta (5 kg)');
    expect(lineName({ name: 'Atta', variantName: 'Default' })).toBe('Atta');
  });
});
