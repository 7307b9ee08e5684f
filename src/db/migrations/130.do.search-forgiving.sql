-- Forgiving search (issue 13 item 3): a search matches the name, the merchant's search terms and the description,
-- by trigram word similarity ("aata" finds "Atta", "panner" finds "Paneer") and by plain substring (short words,
-- "5kg"), ranked best first.
--
-- One text per product holds all three, so ONE index answers the search: a GIN index on (store_id, trigrams of
-- that text), like migration 060 did for the name alone. The planner intersects the store's entries with the
-- entries of the query's trigrams inside the index (BitmapAnd within one GIN scan; `%>` and ILIKE '%…%' both use
-- gin_trgm_ops, the OR of the two becomes a BitmapOr of two scans of this index), so the cost follows the number
-- of candidate products of this store — not the store's size and never the platform's 1M products. Only the
-- candidates (a few dozen for a word) are ranked: word_similarity of the query against the name, the terms and the
-- description, computed on those rows only.
--
-- Matching runs on a spelling skeleton: lower case, every run of one repeated Latin letter as one letter. That
-- is how Hinglish spellings of one word differ most ("aata"/"atta" → "ata", "panner"/"paneer" → "paner",
-- "maggi"/"magi", "daal"/"dal", "doodh"/"dodh"), and it keeps "aata" from ranking "Tata" as high as "Atta".
-- Devanagari passes through unchanged (pg_trgm makes trigrams of it on both databases).
--
-- The functions are IMMUTABLE (array_to_string is only STABLE in general, but on text[] it does not depend on any
-- setting), which an expression index requires.
CREATE FUNCTION product_search_text(name text, search_terms text[], description text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT name || ' ' || array_to_string(search_terms, ' ') || ' ' || description $$;

CREATE FUNCTION search_skeleton(words text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT regexp_replace(lower(words), '([a-z])\1+', '\1', 'g') $$;

CREATE INDEX products_store_search_trgm_idx ON products
  USING gin (store_id, search_skeleton(product_search_text(name, search_terms, description)) gin_trgm_ops)
  WHERE archived_at IS NULL;
-- The name-only index of migration 060 is covered by the one above (every search goes through it now).
DROP INDEX products_store_name_trgm_idx;
