/** The store home's "what needs you now": new orders, and the first steps while the shop is empty. */
import type { Db } from '../../db/db.js';
import { listProducts } from '../../catalog/products.service.js';
import { html, type Html } from '../html.js';
import { storePath } from './context.js';
import { countUnseenOrders } from '../../orders/orders.service.js';

export async function storeSummary(db: Db, storeId: string): Promise<Html> {
  const [products, unseen] = await Promise.all([
    listProducts(db, storeId, { limit: 1 }),
    countUnseenOrders(db, storeId),
  ]);
  const hasProducts = products.items.length > 0;
  return html`<div class="actions" data-testid="summary">
<a class="btn${unseen ? '' : ' secondary'}" href="${storePath(storeId, '/orders')}" data-testid="new-orders">${unseen ? `${unseen} new order${unseen === 1 ? '' : 's'}` : 'Orders'}</a>
<a class="btn secondary" href="${storePath(storeId, hasProducts ? '/products' : '/products/new')}">${hasProducts ? 'Products' : 'Add your first product'}</a>
<a class="btn secondary" href="${storePath(storeId, '/settings')}">Settings</a>
</div>`;
}
