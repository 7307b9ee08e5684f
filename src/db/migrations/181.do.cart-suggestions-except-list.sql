-- A cart created with its lines (POST /storefront/{slug}/carts with `lines`, issue 12: a checkout flow of two requests
-- instead of five) answers those lines in the statement that writes them. That statement's snapshot shows none of
-- them, so the variants a suggestion must leave out are a list, not one: `cart_line_suggestions_except` is the rule
-- (unchanged: up to 3 in-stock variants of other active products of the line's category, nearest price first, none
-- of them in the cart), and the old one-variant signature now calls it, so a server still running the previous
-- release answers the same during a rolling deploy.
CREATE FUNCTION cart_line_suggestions_except(p_store_id uuid, p_cart_id uuid, p_also uuid[], p_category_id uuid,
                                             p_product_id uuid, p_price bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT coalesce(json_agg(json_build_object('variant_id', sg.variant_id, 'product_slug', sg.product_slug,
                      'name', sg.name, 'variant_name', sg.variant_name, 'price', sg.price)
                    ORDER BY abs(sg.price - p_price), sg.price, sg.variant_id), '[]'::json)
      FROM (SELECT sv.id AS variant_id, sp.slug AS product_slug, sp.name, sv.name AS variant_name, sv.price
              FROM products sp CROSS JOIN LATERAL (
                     SELECT sv.id, sv.name, sv.price FROM variants sv
                      WHERE sv.product_id = sp.id AND sv.archived_at IS NULL
                        AND (sv.stock IS NULL OR sv.stock > 0)
                        AND sv.id <> ALL(ARRAY(SELECT cl.variant_id FROM cart_lines cl
                                                WHERE cl.cart_id = p_cart_id AND cl.store_id = p_store_id))
                        AND sv.id <> ALL(coalesce(p_also, '{}'::uuid[]))
                     OFFSET 0) sv
             WHERE sp.category_id = p_category_id AND sp.store_id = p_store_id AND sp.id <> p_product_id
               AND sp.archived_at IS NULL AND sp.is_active
             ORDER BY abs(sv.price - p_price), sv.price, sv.id
             LIMIT 3) sg);
END $$;

CREATE OR REPLACE FUNCTION cart_line_suggestions(p_store_id uuid, p_cart_id uuid, p_also uuid, p_category_id uuid,
                                                 p_product_id uuid, p_price bigint) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT cart_line_suggestions_except(p_store_id, p_cart_id, CASE WHEN p_also IS NULL THEN '{}'::uuid[]
                                                                  ELSE ARRAY[p_also] END,
                                      p_category_id, p_product_id, p_price)
$$;
