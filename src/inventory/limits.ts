/** Largest stock a variant may hold; keeps `stock + n` far inside the integer column. */
export const MAX_STOCK = 1_000_000_000;
