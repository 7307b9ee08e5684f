-- A refund beyond what the store owes back (a goodwill refund: ₹50 back on a paid ₹500 order for a damaged item)
-- is waived: the customer owes that much less for good, so giving money back never asks them to pay it again.
-- What the customer owes is total − amount_paid − amount_waived; amount_waived is written by the same UPDATE that
-- records the refund (orders/payment-status.ts, planRefund).
ALTER TABLE orders ADD COLUMN amount_waived bigint NOT NULL DEFAULT 0 CHECK (amount_waived >= 0);

-- Orders refunded before this rule was asked for the refund again. On an open order never edited, every payment
-- recorded exactly what was due (the total), so whatever the total exceeds what the store holds came from refunds
-- none of which was due: waive it, and a paid order that a refund sent back to pending is paid again. Edited orders
-- (a refund there may have been due) and closed ones (nothing is asked of them) keep their amounts.
UPDATE orders o
   SET amount_waived = LEAST(o.amount_refunded, o.total - o.amount_paid),
       payment_status = CASE WHEN o.payment_status = 'pending' AND o.amount_paid > 0 THEN 'paid'
                             ELSE o.payment_status END
 WHERE o.amount_refunded > 0
   AND o.total > o.amount_paid
   AND o.status NOT IN ('rejected', 'cancelled')
   AND NOT EXISTS (SELECT 1 FROM order_history h WHERE h.order_id = o.id AND h.status = 'edited');
