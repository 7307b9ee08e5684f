-- Products the merchant wants first come first (issue 13 item 4): `pinned` products lead the list, then products
-- with a merchant-set `position` (lower first), then the rest, newest first.
--
-- The whole order is one integer, `list_rank` (higher first), kept by the database, so a page of the list is one
-- keyset step on (store_id, list_rank DESC, id DESC) — `(list_rank, id) < (cursor)` is a range of the index below,
-- however deep the page, as the id-only order was before:
--   pinned with a position p   2000002 + (1000000 − p)   (position 0..1000000, lower first)
--   pinned without             2000001
--   position p                 1000000 − p
--   neither                    −1                         (then newest first by id, UUIDv7)
ALTER TABLE products
  ADD COLUMN pinned boolean NOT NULL DEFAULT false,
  ADD COLUMN position integer CHECK (position BETWEEN 0 AND 1000000),
  ADD COLUMN list_rank integer NOT NULL GENERATED ALWAYS AS (
    CASE WHEN pinned THEN 2000002 ELSE 0 END + COALESCE(1000000 - position, -1)
  ) STORED;

-- The list indexes of migration 001, in the new order (they still answer lookups by store or category alone).
DROP INDEX products_store_id_idx;
DROP INDEX products_storefront_idx;
DROP INDEX products_category_idx;
CREATE INDEX products_store_id_idx ON products (store_id, list_rank DESC, id DESC) WHERE archived_at IS NULL;
CREATE INDEX products_storefront_idx ON products (store_id, list_rank DESC, id DESC)
  WHERE archived_at IS NULL AND is_active;
CREATE INDEX products_category_idx ON products (category_id, list_rank DESC, id DESC) WHERE archived_at IS NULL;
