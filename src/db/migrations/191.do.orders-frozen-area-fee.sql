-- Orders placed before the line-edit fix froze the store's base delivery fee in bill_rules even when the checkout
-- charged the fee of the address's delivery area, so their next line edit billed the base fee. For an order never
-- edited, the fee it was charged IS the fee its PIN's area had at placement whenever that fee was above 0 (a 0 can
-- also mean free-above, which does not tell the area's fee): freeze that one. Edited orders (their charged fee was
-- already recomputed from the base), pickups and free deliveries keep their rules.
UPDATE orders o
   SET bill_rules = jsonb_set(o.bill_rules, '{deliveryFee}', to_jsonb(o.delivery_fee))
 WHERE o.fulfillment = 'delivery'
   AND o.delivery_fee > 0
   AND (o.bill_rules ->> 'deliveryFee')::bigint IS DISTINCT FROM o.delivery_fee
   AND NOT EXISTS (SELECT 1 FROM order_history h WHERE h.order_id = o.id AND h.status = 'edited');
