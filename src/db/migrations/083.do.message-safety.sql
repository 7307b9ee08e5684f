-- The platform's number must not message strangers (issue 10, item 5).
-- A store's WhatsApp number receives platform messages only once verified: a code sent to it, or it is the
-- owner's own signed-in phone. Until then the store's messages go to the owner's phone.
ALTER TABLE stores ADD COLUMN whatsapp_verified_at timestamptz;
UPDATE stores s SET whatsapp_verified_at = now()
 WHERE s.whatsapp IS NOT NULL
   AND EXISTS (SELECT 1 FROM store_members sm JOIN merchants m ON m.id = sm.merchant_id
                WHERE sm.store_id = s.id AND sm.role = 'owner' AND m.phone = s.whatsapp);

-- The code sent to a store's number to verify it: one live code per store, salted and keyed like sign-in codes.
CREATE TABLE store_whatsapp_codes (
  store_id   uuid PRIMARY KEY REFERENCES stores(id) ON DELETE CASCADE,
  phone      text NOT NULL,
  salt       text NOT NULL,
  code_hash  text NOT NULL,
  attempts   integer NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Every send is recorded with its cost class (WhatsApp's pricing categories), who it is for (the store's own number
-- or a customer) and the store it is about; daily caps count these. 'skipped': not sent, a daily cap was reached.
ALTER TABLE outbox ADD COLUMN cost_class text NOT NULL DEFAULT 'utility'
  CHECK (cost_class IN ('utility', 'authentication', 'service', 'marketing'));
ALTER TABLE outbox ADD COLUMN audience text NOT NULL DEFAULT 'customer' CHECK (audience IN ('store', 'customer'));
ALTER TABLE outbox ADD COLUMN store_id uuid;
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed', 'skipped'));
CREATE INDEX outbox_recipient_sent_idx ON outbox (recipient, sent_at) WHERE status = 'sent';
CREATE INDEX outbox_store_sent_idx ON outbox (store_id, sent_at) WHERE status = 'sent';
