-- Ordering inside WhatsApp (issue 15).
-- A store may connect its own WhatsApp Business number (the Cloud API's phone_number_id) and turn the bot off.
ALTER TABLE stores
  ADD COLUMN whatsapp_phone_number_id text UNIQUE,
  ADD COLUMN whatsapp_bot boolean NOT NULL DEFAULT true;

-- The durable inbox: the webhook writes each message here and answers 200; the worker processes it afterwards.
-- message_id (the Cloud API's wamid) is unique, so a message Meta delivers twice is stored once. Claims work like
-- the outbox's: attempts bumped and next_attempt_at pushed past the work (a lease), so a crash mid-way leaves the
-- row to be taken again; `plan` keeps the cart changes decided on the first try, so a retry applies the same ones.
CREATE TABLE whatsapp_inbox (
  id              uuid PRIMARY KEY,
  message_id      text NOT NULL UNIQUE,
  phone_number_id text NOT NULL,
  sender          text NOT NULL,                -- the customer's number as the Cloud API sends it (digits)
  message         jsonb NOT NULL,               -- the message object of the webhook payload
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'skipped', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  plan            jsonb,
  last_error      text,
  received_at     timestamptz NOT NULL DEFAULT now(),
  processed_at    timestamptz
);
CREATE INDEX whatsapp_inbox_due_idx ON whatsapp_inbox (next_attempt_at, received_at) WHERE status = 'pending';
CREATE INDEX whatsapp_inbox_sender_idx ON whatsapp_inbox (sender, received_at);

-- One conversation per number it came to and customer: which store it is with, the language, and what the bot
-- is waiting for (a numbered choice, an address, a payment method).
CREATE TABLE whatsapp_chats (
  phone_number_id text NOT NULL,
  phone           text NOT NULL,
  store_id        uuid REFERENCES stores(id) ON DELETE SET NULL,
  lang            text NOT NULL DEFAULT 'en',
  state           jsonb NOT NULL DEFAULT '{}',
  last_inbound_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (phone_number_id, phone)
);

-- The cart of a store and phone: a storefront cart (same table, same bill), found again by the chat.
CREATE TABLE whatsapp_carts (
  store_id   uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
  phone      text NOT NULL,
  cart_id    uuid NOT NULL REFERENCES carts(id) ON DELETE CASCADE,
  last_order_id uuid REFERENCES orders(id) ON DELETE SET NULL,
  PRIMARY KEY (store_id, phone)
);

-- The customer's name and delivery address, asked once and remembered per phone.
CREATE TABLE whatsapp_customers (
  phone      text PRIMARY KEY,
  name       text NOT NULL,
  address    jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
