-- Sales reports read a store's orders by creation time (per day, in the store's time zone) and look up whether a
-- customer's phone ordered before. Both stay index-only range scans at 1M orders per store.
CREATE INDEX orders_store_created_idx ON orders (store_id, created_at) INCLUDE (status, total);
CREATE INDEX orders_store_phone_idx ON orders (store_id, (customer ->> 'phone'), created_at);
