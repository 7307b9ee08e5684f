-- Shard-ready (docs/scaling.md): every store-scoped row carries its store, so Citus can distribute by store_id and
-- co-locate a cart's or an order's rows with it. The four child tables, reached so far only through their parent,
-- gain store_id: backfilled from the parent, then NOT NULL. The code that inserts fills it, and the hot-path
-- statements filter by it. No foreign key to stores: the parent's cascade already removes the rows with their store,
-- and a second key per row would cost every checkout a lookup (test/integration/shard-ready.test.ts checks the
-- copies agree with the parents).
ALTER TABLE cart_lines ADD COLUMN store_id uuid;
UPDATE cart_lines cl SET store_id = c.store_id FROM carts c WHERE c.id = cl.cart_id;
ALTER TABLE cart_lines ALTER COLUMN store_id SET NOT NULL;

ALTER TABLE order_lines ADD COLUMN store_id uuid;
UPDATE order_lines l SET store_id = o.store_id FROM orders o WHERE o.id = l.order_id;
ALTER TABLE order_lines ALTER COLUMN store_id SET NOT NULL;

ALTER TABLE order_history ADD COLUMN store_id uuid;
UPDATE order_history h SET store_id = o.store_id FROM orders o WHERE o.id = h.order_id;
ALTER TABLE order_history ALTER COLUMN store_id SET NOT NULL;

ALTER TABLE payment_proofs ADD COLUMN store_id uuid;
UPDATE payment_proofs p SET store_id = o.store_id FROM orders o WHERE o.id = p.order_id;
ALTER TABLE payment_proofs ALTER COLUMN store_id SET NOT NULL;
