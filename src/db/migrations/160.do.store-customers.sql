-- The sales report's new vs returning customers (issue 14, item 7) at 1M orders: asking "did this phone order
-- before the period?" once per buyer was 75,021 index probes (2.4 s) for a 30-day report. Instead each store keeps
-- the time of every customer's first counted order (not rejected or cancelled), so "new in the period" is one range
-- read of this table and "returning" is the period's buyers minus the new ones.
CREATE TABLE store_customers (
  store_id       uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
  phone          text NOT NULL,
  first_order_at timestamptz NOT NULL,
  PRIMARY KEY (store_id, phone)
);
CREATE INDEX store_customers_first_order_idx ON store_customers (store_id, first_order_at);

-- Kept by a trigger rather than by each place that writes orders (the checkout, WhatsApp orders, status changes):
-- one writer of the rule, and nothing to forget when a new way of placing an order appears. An order placed costs
-- one upsert on this table's primary key; an order rejected or cancelled costs one more index read of its phone's
-- counted orders when it was that phone's first.
CREATE FUNCTION store_customers_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_counted boolean := TG_OP = 'UPDATE' AND OLD.status NOT IN ('rejected', 'cancelled');
  is_counted  boolean := NEW.status NOT IN ('rejected', 'cancelled');
  -- A phone or creation time rewritten (by hand, by a data fix) moves the order: out of the old, into the new.
  moved       boolean := TG_OP = 'UPDATE' AND ((OLD.customer ->> 'phone') IS DISTINCT FROM (NEW.customer ->> 'phone')
                                             OR OLD.created_at IS DISTINCT FROM NEW.created_at);
  first_at    timestamptz;
BEGIN
  IF was_counted AND (NOT is_counted OR moved) THEN
    -- This order no longer counts for its old phone: if it was that phone's first, the next counted one is.
    DELETE FROM store_customers
     WHERE store_id = OLD.store_id AND phone = OLD.customer ->> 'phone' AND first_order_at = OLD.created_at;
    IF FOUND THEN
      SELECT min(o.created_at) INTO first_at FROM orders o
       WHERE o.store_id = OLD.store_id AND o.customer ->> 'phone' = OLD.customer ->> 'phone'
         AND o.status NOT IN ('rejected', 'cancelled');
      IF first_at IS NOT NULL THEN
        INSERT INTO store_customers (store_id, phone, first_order_at)
        VALUES (OLD.store_id, OLD.customer ->> 'phone', first_at)
        ON CONFLICT (store_id, phone) DO UPDATE
          SET first_order_at = least(store_customers.first_order_at, excluded.first_order_at);
      END IF;
    END IF;
  END IF;
  IF is_counted AND NEW.customer ->> 'phone' IS NOT NULL
     AND (NOT was_counted OR moved) THEN
    INSERT INTO store_customers (store_id, phone, first_order_at)
    VALUES (NEW.store_id, NEW.customer ->> 'phone', NEW.created_at)
    ON CONFLICT (store_id, phone) DO UPDATE
      SET first_order_at = least(store_customers.first_order_at, excluded.first_order_at)
      WHERE excluded.first_order_at < store_customers.first_order_at;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER orders_store_customers_insert AFTER INSERT ON orders
  FOR EACH ROW EXECUTE FUNCTION store_customers_track();
CREATE TRIGGER orders_store_customers_update AFTER UPDATE OF status, customer, created_at ON orders
  FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR (OLD.customer ->> 'phone') IS DISTINCT FROM (NEW.customer ->> 'phone'))
  EXECUTE FUNCTION store_customers_track();

INSERT INTO store_customers (store_id, phone, first_order_at)
SELECT store_id, customer ->> 'phone', min(created_at)
  FROM orders
 WHERE status NOT IN ('rejected', 'cancelled') AND customer ->> 'phone' IS NOT NULL
 GROUP BY store_id, customer ->> 'phone';
