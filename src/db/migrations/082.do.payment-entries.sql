-- Money records (issue 10, item 12). Every payment action is its own entry: a payment received (the merchant
-- marks it paid) or a refund given back. orders.amount_paid stays what the store holds now (received − refunded),
-- orders.amount_refunded what it gave back, so "mark paid" adds the balance and never erases a refund due.
ALTER TABLE orders ADD COLUMN amount_refunded bigint NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0);

CREATE TABLE order_payments (
  id        uuid PRIMARY KEY,
  order_id  uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  store_id  uuid NOT NULL, -- the order's store: shard-ready like the other child tables (migration 090)
  kind      text NOT NULL CHECK (kind IN ('payment', 'refund')),
  amount    bigint NOT NULL CHECK (amount > 0),
  reference text,
  actor     text NOT NULL CHECK (actor IN ('customer', 'merchant', 'system')),
  at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX order_payments_order_idx ON order_payments (order_id, at);

-- What was paid before this migration becomes one payment entry.
INSERT INTO order_payments (id, order_id, store_id, kind, amount, actor, at)
SELECT gen_random_uuid(), id, store_id, 'payment', amount_paid, 'merchant', updated_at FROM orders WHERE amount_paid > 0;

-- History entries of payment actions carry their amount (paid, refunded, proof_submitted).
ALTER TABLE order_history ADD COLUMN amount bigint;

-- A proof remembers the total it was sent for (flagged when the order's total rises above it) and the optional
-- 12-digit UPI transaction reference the customer typed.
ALTER TABLE payment_proofs ADD COLUMN order_total bigint;
ALTER TABLE payment_proofs ADD COLUMN reference text;
