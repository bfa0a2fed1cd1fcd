-- Nested fan-out (docs/SEMANTICS.md): the rows of a batch that fanned out, for walking a
-- batch's tree (store/jobs.ts subBatches: cancel and priority go down it). Only rows that
-- fanned out are in it, so big batches cost nothing here.
CREATE INDEX jobs_sub_batches ON jobs (batch_id) WHERE is_batch = 1 AND batch_id IS NOT NULL;
