-- Two live variants of one product with the same name would be indistinguishable in a cart or an order.
-- Archived variants free their name.
CREATE UNIQUE INDEX variants_product_name_idx ON variants (product_id, lower(name)) WHERE archived_at IS NULL;
