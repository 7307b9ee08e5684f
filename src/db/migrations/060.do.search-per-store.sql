-- Search within one store: a platform-wide trigram index hands over every matching product of every store
-- (thousands at 1M products) to find one store's twenty. A GIN index on (store_id, name trigrams) intersects
-- both inside the index, so the cost follows the store's size, not the platform's.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX products_store_name_trgm_idx ON products USING gin (store_id, name gin_trgm_ops) WHERE archived_at IS NULL;
DROP INDEX products_name_trgm_idx;
