-- A cart line's replacement suggestions as a function (issue 12, the write path; figures in docs/write-path.md).
-- Every statement that answers a cart's lines (the cart read, the checkout's read, the line put, the locked read)
-- used to hold this query inline, in a CASE that runs it only for a line nothing of which can be bought. PostgreSQL
-- sets up every subquery of a plan on each execution, run or not: ~14 plan nodes and their expressions, index opens
-- included, for each cart statement, although almost no line needs them. Called as a function, the query is set up
-- only when a line does, from a plan plpgsql keeps per connection.
--
-- The rule (src/cart/cart.repo.ts, LINE_SUGGESTIONS_SQL, calls it): up to 3 in-stock variants of other active
-- products of the line's category, nearest price first, none of them in the cart. The cart's lines are read here
-- with the calling statement's snapshot (a STABLE function takes none of its own); `p_also` is one more variant to
-- leave out — the line put's own, which that snapshot cannot show yet — or null.
CREATE FUNCTION cart_line_suggestions(p_store_id uuid, p_cart_id uuid, p_also uuid, p_category_id uuid,
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
                        AND sv.id IS DISTINCT FROM p_also
                     OFFSET 0) sv
             WHERE sp.category_id = p_category_id AND sp.store_id = p_store_id AND sp.id <> p_product_id
               AND sp.archived_at IS NULL AND sp.is_active
             ORDER BY abs(sv.price - p_price), sv.price, sv.id
             LIMIT 3) sg);
END $$;
