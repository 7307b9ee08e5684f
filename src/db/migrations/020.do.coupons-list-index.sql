-- Merchant coupon list: keyset pagination newest first (ids are UUIDv7) over live coupons of one store.
CREATE INDEX coupons_store_id_idx ON coupons (store_id, id DESC) WHERE deleted_at IS NULL;
