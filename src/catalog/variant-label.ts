/**
 * How a variant is named next to its product, the same on pages, bills and messages. A product created with one
 * price gets one variant called "Default"; naming it (or a variant named like the product) adds nothing.
 */
export const DEFAULT_VARIANT_NAME = 'Default';

/** The variant's name when it says something, else null. */
export function variantLabel(productName: string, variantName: string): string | null {
  return variantName && variantName !== productName && variantName.toLowerCase() !== DEFAULT_VARIANT_NAME.toLowerCase()
    ? variantName
    : null;
}

/** "Atta (5 kg)", or just "Atta" when the variant adds nothing. */
export function lineName(line: { name: string; variantName: string }): string {
  const label = variantLabel(line.name, line.variantName);
  return label ? `${line.name} (${label})` : line.name;
}
