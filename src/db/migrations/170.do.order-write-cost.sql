-- What one placed order costs inside PostgreSQL (issue 12; figures in docs/write-path.md, measured with
-- bench/order-cost.ts): cut what the order's statement pays for and does not need.

-- A btree is read both ways: the unique constraint's index orders_store_id_number_key (store_id, number) answers
-- every "newest first" read this one did — the orders list's keyset (store_id, number DESC), the live list's newest
-- number — with a backward scan. One index fewer to write per order.
DROP INDEX orders_store_number_idx;
