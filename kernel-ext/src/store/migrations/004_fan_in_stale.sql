-- A row was retried after the fan-in had started: the fan-in runs again over the rows'
-- newest outputs once they settle (engine/batch-status.ts).
ALTER TABLE batches ADD COLUMN fan_in_stale INTEGER NOT NULL DEFAULT 0;
