-- New orders are noticed (issue 14, item 6).

-- Web Push: the phones a member asked to hear of new orders on ("Notify me of new orders on this phone").
-- One row per browser and store: a browser has one endpoint for the dashboard's service worker, and an owner of two
-- shops may want both on one phone. A browser that subscribes again for the same store replaces its keys.
CREATE TABLE push_subscriptions (
  id          uuid PRIMARY KEY,
  store_id    uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
  merchant_id uuid NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
  endpoint    text NOT NULL CHECK (length(endpoint) <= 2000),
  p256dh      text NOT NULL,
  auth        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (store_id, endpoint)
);
CREATE INDEX push_subscriptions_merchant_idx ON push_subscriptions (merchant_id);

-- The VAPID key pair the server signs pushes with, made on first use when VAPID_* are not set: one row, shared by
-- every worker and app server (a push service only accepts the key a subscription was made with).
CREATE TABLE push_vapid_keys (
  id          integer PRIMARY KEY CHECK (id = 1),
  public_key  text NOT NULL,
  private_key text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Pushes are free and go to the store's own members: a cost class of their own, outside WhatsApp's daily caps.
ALTER TABLE outbox DROP CONSTRAINT outbox_cost_class_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_cost_class_check
  CHECK (cost_class IN ('utility', 'authentication', 'service', 'marketing', 'push'));

-- Every new order, from any path (checkout, the WhatsApp bot, the API), enqueues one push per subscription of a
-- current member, in the order's own transaction; the outbox worker sends them (src/notify/push.ts).
CREATE FUNCTION orders_enqueue_push() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
CREATE TRIGGER orders_enqueue_push AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_enqueue_push();

-- The dashboard's live orders list (Server-Sent Events) asks each second for the newest change of the stores
-- being watched: the latest order number and the latest updated_at, both answered from an index.
CREATE INDEX orders_store_updated_idx ON orders (store_id, updated_at);
