-- What the outbox worker costs per round of 20 messages (issue 12; figures in docs/write-path.md): each of its reads
-- gets an index shaped exactly like it, so its cost no longer grows with the pending backlog or the day's sends.

-- The claim takes the due rows in (next_attempt_at, id) order: with next_attempt_at alone, the planner sorted every
-- due row (3,000 in a backlog) to hand out 20. With id in the key the LIMIT stops after 20 index entries.
DROP INDEX outbox_due_idx;
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE status = 'pending';

-- The daily caps count the sends of the last 24 hours of `utility`/`marketing` messages, per store and per customer
-- number (src/notify/outbox.ts). These indexes hold exactly those rows, so a count reads no heap row to filter
-- out codes, answers and pushes (index-only where the visibility map allows), and they are smaller. The indexes
-- they replace served only those counts.
DROP INDEX outbox_store_sent_idx;
DROP INDEX outbox_recipient_sent_idx;
CREATE INDEX outbox_store_capped_idx ON outbox (store_id, sent_at)
  WHERE status = 'sent' AND cost_class IN ('utility', 'marketing');
CREATE INDEX outbox_recipient_capped_idx ON outbox (recipient, sent_at)
  WHERE status = 'sent' AND audience = 'customer' AND cost_class IN ('utility', 'marketing');
