-- Retention jobs that scan a lot (orphaned upload files against every product) run once a day, not hourly: the
-- last run of each is remembered here (issue 10, item 10).
CREATE TABLE retention_runs (
  job    text PRIMARY KEY,
  ran_at timestamptz NOT NULL
);
