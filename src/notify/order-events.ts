/**
 * "A new order" / "an order changed" for the dashboard's live orders list (Server-Sent Events).
 *
 * The events come from the database, not from the process that took the order: each process asks once per
 * `pollMs`, in ONE statement for every store it has listeners for, for the store's newest order number and newest
 * change, and tells that store's listeners when either moved. So an order placed through any worker, app server
 * or the WhatsApp bot reaches every open dashboard, on PostgreSQL behind n app servers (and PgBouncer in transaction
 * mode, where LISTEN/NOTIFY would not work) as on embedded PGlite; the cost is one cheap read per second per
 * process while someone watches, whatever the number of open dashboards.
 */
import type { Queryable } from '../db/db.js';
import { storeOrderMarks, type StoreOrderMark } from './order-events.repo.js';

export type OrderEvent =
  /** `count` new orders, the newest numbered `number`. */
  | { type: 'order'; number: number; count: number }
  /** An order's status, payment or lines changed. */
  | { type: 'changed' };

type Mark = Pick<StoreOrderMark, 'lastNumber' | 'lastChange'>;

/** What happened between two looks at a store. A new order also moves the change mark: it is one event. */
export function orderEventsBetween(before: Mark, after: Mark): OrderEvent[] {
  if (after.lastNumber > before.lastNumber)
    return [{ type: 'order', number: after.lastNumber, count: after.lastNumber - before.lastNumber }];
  // PostgreSQL prints timestamps in one fixed format, so text order is time order within a store.
  if (after.lastChange > before.lastChange) return [{ type: 'changed' }];
  return [];
}

export type OrderEventListener = (event: OrderEvent) => void;

export interface OrderEventHub {
  /** Starts telling `listener` about the store's orders from now on; returns the function that stops it. */
  watch(storeId: string, listener: OrderEventListener): Promise<() => void>;
  /** Stores with at least one listener (for tests and metrics). */
  readonly watching: number;
  close(): void;
}

export function orderEventHub(
  db: Queryable,
  pollMs: number,
  log?: { warn(obj: object, msg: string): void },
): OrderEventHub {
  const stores = new Map<string, { mark: Mark; listeners: Set<OrderEventListener> }>();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const tick = async () => {
    timer = null;
    const ids = [...stores.keys()];
    try {
      for (const mark of await storeOrderMarks(db, ids)) {
        const store = stores.get(mark.storeId);
        if (!store) continue;
        const events = orderEventsBetween(store.mark, mark);
        store.mark = { lastNumber: mark.lastNumber, lastChange: mark.lastChange };
        for (const event of events) for (const listener of store.listeners) listener(event);
      }
    } catch (err) {
      log?.warn({ err }, 'order events: reading the order marks failed; trying again');
    }
    schedule();
  };
  const schedule = () => {
    if (closed || timer || stores.size === 0) return;
    timer = setTimeout(() => void tick(), pollMs);
    timer.unref();
  };

  return {
    async watch(storeId, listener) {
      let store = stores.get(storeId);
      if (!store) {
        // The starting point: what exists now is not news.
        const [mark] = await storeOrderMarks(db, [storeId]);
        store = stores.get(storeId) ?? {
          mark: { lastNumber: mark?.lastNumber ?? 0, lastChange: mark?.lastChange ?? '' },
          listeners: new Set(),
        };
        stores.set(storeId, store);
      }
      store.listeners.add(listener);
      schedule();
      return () => {
        const current = stores.get(storeId);
        if (!current) return;
        current.listeners.delete(listener);
        if (current.listeners.size === 0) stores.delete(storeId);
      };
    },
    get watching() {
      return stores.size;
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      stores.clear();
    },
  };
}
