-- A line's replacement suggestions include the other in-stock variants of its own product (the 2 L oil for a sold-out
-- 1 L): 180 and 181 took only other products of the category (`sp.id <> p_product_id`) and so left out the nearest
-- replacement there is. The rule now: up to 3 in-stock variants of the line's own product and of the other products
-- of its category, active products only, nearest price first, none of them in the cart. The line's own variant is
-- always in the cart (its lines, or `p_also` for the variants the calling statement writes), so it is never
-- suggested. A product without a category still draws on no other product (`category_id = NULL` holds for none):
-- its line is offered its own product's other variants only, where it used to be offered nothing.
--
-- Still probed by index: the line's product by its key and the category's products by products_category_idx (a
-- BitmapOr of the two), then each one's variants by product_id. Same signature as 181's; `cart_line_suggestions`
-- (the one-variant signature, 181) calls this function and so follows it.
CREATE OR REPLACE FUNCTION cart_line_suggestions_except(p_store_id uuid, p_cart_id uuid, p_also uuid[],
                                                        p_category_id uuid, p_product_id uuid, p_price bigint)
RETURNS json
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
             WHERE (sp.id = p_product_id OR sp.category_id = p_category_id) AND sp.store_id = p_store_id
               AND sp.archived_at IS NULL AND sp.is_active
             ORDER BY abs(sv.price - p_price), sv.price, sv.id
             LIMIT 3) sg);
END $$;
