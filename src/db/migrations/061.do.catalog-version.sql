-- Every change a shopper could see in a store's catalog bumps stores.catalog_version, so each process can keep
-- storefront reads in memory and know, from the one store row it reads anyway, whether they are still true.
-- The bump is a DEFERRED constraint trigger: it runs at commit, after the transaction's other row locks, so the
-- lock order stays "variants, then the store row" everywhere (checkout takes its order number last too) and
-- stock changes cannot deadlock against it.
ALTER TABLE stores ADD COLUMN catalog_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE stores SET catalog_version = catalog_version + 1 WHERE id = OLD.store_id;
  ELSE
    UPDATE stores SET catalog_version = catalog_version + 1 WHERE id = NEW.store_id;
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER products_catalog_version AFTER INSERT OR UPDATE OR DELETE ON products
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_catalog_version();
CREATE CONSTRAINT TRIGGER categories_catalog_version AFTER INSERT OR UPDATE OR DELETE ON categories
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_catalog_version();
CREATE CONSTRAINT TRIGGER variants_catalog_version_rows AFTER INSERT OR DELETE ON variants
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_catalog_version();
-- A stock change matters to shoppers only when it crosses zero (they see inStock, not the count).
CREATE CONSTRAINT TRIGGER variants_catalog_version AFTER UPDATE ON variants
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (ROW(OLD.name, OLD.price, OLD.mrp, OLD.stock IS NULL OR OLD.stock > 0, OLD.archived_at, OLD.position, OLD.product_id)
        IS DISTINCT FROM ROW(NEW.name, NEW.price, NEW.mrp, NEW.stock IS NULL OR NEW.stock > 0, NEW.archived_at, NEW.position, NEW.product_id))
  EXECUTE FUNCTION bump_catalog_version();
