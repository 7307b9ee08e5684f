-- The pricing rules an order was placed under (coupon rule, delivery fee, free-above, minimum order), frozen at
-- checkout, so a later line edit renews the bill with the order's own rules, not with whatever the store or the
-- coupon says today.
ALTER TABLE orders ADD COLUMN bill_rules jsonb;

-- The dashboard's "new orders" badge: unseen orders of a store, newest first.
CREATE INDEX orders_store_unseen_idx ON orders (store_id, number DESC) WHERE seen_at IS NULL;
