-- Orders placed before migration 030 have no frozen bill rules; the order service carried a fallback that read the
-- coupon and the store as they are now. Freeze those orders' rules once, from the same sources, so every order has
-- its rules and the fallback goes.
UPDATE orders o
   SET bill_rules = jsonb_build_object(
         'coupon', (SELECT jsonb_build_object('type', c.type, 'value', c.value,
                                              'minOrder', c.min_order, 'maxDiscount', c.max_discount)
                      FROM coupons c WHERE c.id = o.coupon_id),
         'deliveryFee', s.delivery_fee,
         'freeAbove', s.free_above,
         'minOrder', s.min_order)
  FROM stores s
 WHERE s.id = o.store_id AND o.bill_rules IS NULL;

ALTER TABLE orders ALTER COLUMN bill_rules SET NOT NULL;
