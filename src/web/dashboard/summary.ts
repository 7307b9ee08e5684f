/** The store home's "what needs you now": new orders, and the first steps while the shop is empty. */
import type { Db } from '../../db/db.js';
import { listProducts } from '../../catalog/products.service.js';
import { html, type Html } from '../html.js';
import { storePath } from './context.js';
import { countUnseenOrders } from '../../orders/orders.service.js';
import type { Translate } from '../../i18n/index.js';

export async function storeSummary(db: Db, storeId: string, tr: Translate): Promise<Html> {
  const [products, unseen] = await Promise.all([
    listProducts(db, storeId, { limit: 1 }),
    countUnseenOrders(db, storeId),
  ]);
  const hasProducts = products.items.length > 0;
  const ordersWords = unseen ? tr('dashboard.home.newOrders', { count: unseen }) : tr('dashboard.nav.orders');
  const ordersHref = storePath(storeId, '/orders');
  const productsHref = storePath(storeId, hasProducts ? '/products' : '/products/new');
  const productsWords = hasProducts ? tr('dashboard.nav.products') : tr('dashboard.home.addFirst');
  return html`<div class="actions" data-testid="summary">
<a class="${unseen ? 'btn' : 'btn secondary'}" href="${ordersHref}" data-testid="new-orders">${ordersWords}</a>
<a class="btn secondary" href="${productsHref}">${productsWords}</a>
<a class="btn secondary" href="${storePath(storeId, '/reports')}">${tr('dashboard.nav.reports')}</a>
<a class="btn secondary" href="${storePath(storeId, '/settings')}">${tr('dashboard.nav.settings')}</a>
</div>`;
}
