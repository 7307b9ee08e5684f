-- What one placed order costs inside PostgreSQL (issue 12; figures in docs/write-path.md, measured with
-- bench/order-cost.ts): cut what the order's statement pays for and does not need.

-- A btree is read both ways: the unique constraint's index orders_store_id_number_key (store_id, number) answers
-- every "newest first" read this one did — the orders list's keyset (store_id, number DESC), the live list's newest
-- number — with a backward scan. One index fewer to write per order.
DROP INDEX orders_store_number_idx;

-- Most stores have no phone subscribed to pushes: for them the trigger now stops at one probe of
-- push_subscriptions' (store_id, endpoint) index instead of starting an INSERT into outbox that writes nothing.
CREATE OR REPLACE FUNCTION orders_enqueue_push() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM push_subscriptions WHERE store_id = NEW.store_id) THEN
    RETURN NULL;
  END IF;
  INSERT INTO outbox (id, topic, recipient, payload, cost_class, audience, store_id)
  SELECT gen_random_uuid(), 'push.order_placed', ps.id::text,
         jsonb_build_object('text', '', 'data',
                            jsonb_build_object('orderId', NEW.id, 'storeId', NEW.store_id, 'subscriptionId', ps.id)),
         'push', 'store', NEW.store_id
    FROM push_subscriptions ps
    JOIN store_members sm ON sm.store_id = ps.store_id AND sm.merchant_id = ps.merchant_id
   WHERE ps.store_id = NEW.store_id;
  RETURN NULL;
END $$;

-- A new order only ever adds its phone (migration 160's function, for an INSERT, runs just its second branch):
-- the insert trigger gets that branch alone, and is not called at all for an order that does not count.
CREATE FUNCTION store_customers_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO store_customers (store_id, phone, first_order_at)
  VALUES (NEW.store_id, NEW.customer ->> 'phone', NEW.created_at)
  ON CONFLICT (store_id, phone) DO UPDATE
    SET first_order_at = least(store_customers.first_order_at, excluded.first_order_at)
    WHERE excluded.first_order_at < store_customers.first_order_at;
  RETURN NULL;
END $$;
DROP TRIGGER orders_store_customers_insert ON orders;
CREATE TRIGGER orders_store_customers_insert AFTER INSERT ON orders
  FOR EACH ROW
  WHEN (NEW.status NOT IN ('rejected', 'cancelled') AND (NEW.customer ->> 'phone') IS NOT NULL)
  EXECUTE FUNCTION store_customers_add();
