-- Payment proofs (issue 10, items 8-9): the merchant is served a re-encoded, bounded WebP copy (view_file_name);
-- the original (file_name) is kept for disputes. At most 3 proofs per order, the newest replacing the oldest.
ALTER TABLE payment_proofs ADD COLUMN view_file_name text;
ALTER TABLE payment_proofs ADD COLUMN width integer;
ALTER TABLE payment_proofs ADD COLUMN height integer;
