/** Every scenario by name (bench/lib/args.ts SCENARIOS gives the order they run in). */
import type { ScenarioName } from '../lib/args.js';
import type { Scenario } from '../lib/scenario.js';
import { list } from './list.js';
import { listDeep } from './list-deep.js';
import { detail } from './detail.js';
import { home } from './home.js';
import { search } from './search.js';
import { cart } from './cart.js';
import { checkout } from './checkout.js';
import { checkoutLines } from './checkout-lines.js';
import { checkoutStores } from './checkout-stores.js';
import { flash } from './flash.js';
import { whatsapp } from './whatsapp.js';

export const scenarios: Record<ScenarioName, Scenario> = {
  list,
  'list-deep': listDeep,
  detail,
  home,
  search,
  cart,
  checkout,
  'checkout-lines': checkoutLines,
  'checkout-stores': checkoutStores,
  flash,
  whatsapp,
};
