-- The per-store order counter leaves the stores row. Every checkout updated that row, and every storefront request
-- reads it (catalog_version): under a sale its dead versions piled up faster than vacuum took them (a bench store
-- row was found spread over 70 heap pages, 1 ms per read). Here it is a narrow row of its own, with room on its
-- page for HOT updates, and only checkout touches it. Rows are made by the first order (INSERT … ON CONFLICT).
CREATE TABLE store_order_counters (
  store_id          uuid PRIMARY KEY REFERENCES stores(id) ON DELETE CASCADE,
  next_order_number integer NOT NULL CHECK (next_order_number > 0)
) WITH (fillfactor = 50);

INSERT INTO store_order_counters (store_id, next_order_number)
SELECT id, next_order_number FROM stores WHERE next_order_number > 1;

ALTER TABLE stores DROP COLUMN next_order_number;
