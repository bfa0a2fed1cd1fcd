-- A batch's rows in the scheduler, counted on every dispatch pass for batches with a
-- maxParallel: only those rows are indexed, so the count never reads the whole batch.
CREATE INDEX jobs_batch_in_use ON jobs (batch_id)
  WHERE role = 'task' AND (status IN ('queued', 'running') OR holds_slot = 1);
