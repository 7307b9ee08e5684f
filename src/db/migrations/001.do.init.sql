-- dukaan schema. Money is bigint minor units; quantities are integers that never go below zero.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE merchants (
  id          uuid PRIMARY KEY,
  phone       text NOT NULL UNIQUE,
  name        text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- One-time sign-in codes, stored hashed. Also the ledger the per-phone and per-IP send limits count.
CREATE TABLE otp_codes (
  id          uuid PRIMARY KEY,
  phone       text NOT NULL,
  client_ip   text NOT NULL,
  code_hash   text NOT NULL,
  attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  expires_at  timestamptz NOT NULL,
  consumed_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX otp_codes_phone_idx ON otp_codes (phone, created_at DESC);
CREATE INDEX otp_codes_ip_idx ON otp_codes (client_ip, created_at DESC);

CREATE TABLE sessions (
  id          uuid PRIMARY KEY,
  token_hash  text NOT NULL UNIQUE,
  merchant_id uuid NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_merchant_idx ON sessions (merchant_id);

-- Fixed-window counters shared by every worker and server (general per-IP limit when configured).
CREATE TABLE rate_limit_counters (
  key          text NOT NULL,
  window_start timestamptz NOT NULL,
  count        integer NOT NULL,
  PRIMARY KEY (key, window_start)
);

CREATE TABLE stores (
  id                uuid PRIMARY KEY,
  slug              text NOT NULL UNIQUE,
  name              text NOT NULL,
  currency          text NOT NULL DEFAULT 'INR' CHECK (currency ~ '^[A-Z]{3}$'),
  whatsapp          text,
  is_open           boolean NOT NULL DEFAULT true,
  delivery_fee      bigint NOT NULL DEFAULT 0 CHECK (delivery_fee >= 0),
  free_above        bigint CHECK (free_above >= 0),
  min_order         bigint CHECK (min_order >= 0),
  pickup            boolean NOT NULL DEFAULT false,
  cod               boolean NOT NULL DEFAULT true,
  upi_vpa           text,
  next_order_number integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Who may act for a store. 'owner' today; 'staff' roles later.
CREATE TABLE store_members (
  store_id    uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
  merchant_id uuid NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('owner', 'staff')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, merchant_id)
);
CREATE INDEX store_members_merchant_idx ON store_members (merchant_id);

CREATE TABLE categories (
  id         uuid PRIMARY KEY,
  store_id   uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
  name       text NOT NULL,
  slug       text NOT NULL,
  position   integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (store_id, slug)
);
CREATE INDEX categories_store_position_idx ON categories (store_id, position, id);

CREATE TABLE products (
  id          uuid PRIMARY KEY,
  store_id    uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
  category_id uuid REFERENCES categories(id) ON DELETE SET NULL,
  slug        text NOT NULL,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  unit        text,
  images      jsonb NOT NULL DEFAULT '[]',
  is_active   boolean NOT NULL DEFAULT true,
  archived_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (store_id, slug)
);
-- ids are UUIDv7 (time-ordered): keyset pagination walks (store_id, id DESC), newest first.
CREATE INDEX products_store_id_idx ON products (store_id, id DESC) WHERE archived_at IS NULL;
CREATE INDEX products_storefront_idx ON products (store_id, id DESC) WHERE archived_at IS NULL AND is_active;
CREATE INDEX products_category_idx ON products (category_id, id DESC) WHERE archived_at IS NULL;
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);

CREATE TABLE variants (
  id          uuid PRIMARY KEY,
  product_id  uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  store_id    uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
  name        text NOT NULL,
  price       bigint NOT NULL CHECK (price >= 0),
  mrp         bigint CHECK (mrp >= 0),
  stock       integer CHECK (stock >= 0), -- NULL: not tracked
  sku         text,
  position    integer NOT NULL DEFAULT 0,
  archived_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX variants_product_idx ON variants (product_id, position, id);
CREATE INDEX variants_store_idx ON variants (store_id);

CREATE TABLE coupons (
  id           uuid PRIMARY KEY,
  store_id     uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
  code         text NOT NULL,
  type         text NOT NULL CHECK (type IN ('percent', 'flat')),
  value        bigint NOT NULL CHECK (value >= 0),
  min_order    bigint CHECK (min_order >= 0),
  max_discount bigint CHECK (max_discount >= 0),
  usage_limit  integer CHECK (usage_limit >= 0),
  used_count   integer NOT NULL DEFAULT 0 CHECK (used_count >= 0),
  expires_at   timestamptz,
  is_active    boolean NOT NULL DEFAULT true,
  deleted_at   timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (usage_limit IS NULL OR used_count <= usage_limit)
);
CREATE UNIQUE INDEX coupons_store_code_idx ON coupons (store_id, lower(code)) WHERE deleted_at IS NULL;

CREATE TABLE carts (
  id          uuid PRIMARY KEY, -- UUIDv4: the cart id is the customer's only credential
  store_id    uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
  fulfillment text NOT NULL DEFAULT 'delivery' CHECK (fulfillment IN ('delivery', 'pickup')),
  coupon_code text,
  order_id    uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cart_lines (
  cart_id    uuid NOT NULL REFERENCES carts(id) ON DELETE CASCADE,
  variant_id uuid NOT NULL REFERENCES variants(id),
  quantity   integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
  added_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (cart_id, variant_id)
);

CREATE TABLE orders (
  id              uuid PRIMARY KEY,
  store_id        uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
  number          integer NOT NULL,
  status          text NOT NULL CHECK (status IN ('placed', 'accepted', 'shipped', 'delivered', 'rejected', 'cancelled')),
  payment_status  text NOT NULL DEFAULT 'pending' CHECK (payment_status IN ('pending', 'proof_submitted', 'paid', 'refunded')),
  payment_method  text NOT NULL,
  fulfillment     text NOT NULL CHECK (fulfillment IN ('delivery', 'pickup')),
  subtotal        bigint NOT NULL CHECK (subtotal >= 0),
  discount        bigint NOT NULL CHECK (discount >= 0),
  delivery_fee    bigint NOT NULL CHECK (delivery_fee >= 0),
  total           bigint NOT NULL CHECK (total >= 0),
  amount_paid     bigint NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
  coupon_id       uuid REFERENCES coupons(id),
  coupon_code     text,
  customer        jsonb NOT NULL,
  note            text,
  tracking_token  uuid NOT NULL UNIQUE, -- UUIDv4
  cart_id         uuid UNIQUE REFERENCES carts(id),
  checkout_key    text, -- Idempotency-Key of the checkout that created it, so a retry finds it again
  seen_at         timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (store_id, number)
);
CREATE INDEX orders_store_number_idx ON orders (store_id, number DESC);
CREATE INDEX orders_store_status_number_idx ON orders (store_id, status, number DESC);

CREATE TABLE order_lines (
  order_id     uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  variant_id   uuid NOT NULL REFERENCES variants(id),
  product_id   uuid NOT NULL REFERENCES products(id),
  name         text NOT NULL,
  variant_name text NOT NULL,
  unit_price   bigint NOT NULL CHECK (unit_price >= 0),
  quantity     integer NOT NULL CHECK (quantity > 0),
  line_total   bigint NOT NULL CHECK (line_total >= 0),
  position     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (order_id, variant_id)
);

CREATE TABLE order_history (
  id       uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  status   text NOT NULL,
  note     text,
  actor    text NOT NULL CHECK (actor IN ('customer', 'merchant', 'system')),
  at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX order_history_order_idx ON order_history (order_id, at, id);

CREATE TABLE payment_proofs (
  id           uuid PRIMARY KEY,
  order_id     uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  file_name    text NOT NULL, -- random name under DATA_DIR/uploads/proofs
  content_type text NOT NULL,
  size_bytes   integer NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_proofs_order_idx ON payment_proofs (order_id, created_at DESC);

-- Transactional outbox: written in the same transaction as the change it announces.
CREATE TABLE outbox (
  id              uuid PRIMARY KEY, -- also the idempotency id sent to the channel
  topic           text NOT NULL,
  recipient       text,
  payload         jsonb NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';

-- Idempotency-Key records: scope = method + path + caller. Kept at least 24 h.
CREATE TABLE idempotency_keys (
  scope           text NOT NULL,
  key             text NOT NULL,
  request_hash    text NOT NULL,
  state           text NOT NULL CHECK (state IN ('running', 'done')),
  response_status integer,
  response_body   text,
  response_type   text,
  locked_until    timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
