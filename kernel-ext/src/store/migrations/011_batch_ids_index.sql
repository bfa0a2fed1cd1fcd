-- jobs_batch (batch_id, role, idx) with attempt and id added, role descending: a batch
-- record's childJobIds (store/jobs.ts idsOfBatch) are read from the index alone, in its
-- order. Every seek on (batch_id, role, idx) is served as before. Before, 200,000 ids cost
-- a table lookup each and a sort, about 150 ms in one go (docs/BENCHMARKS.md "Under load").
CREATE INDEX jobs_batch_ids ON jobs (batch_id, role DESC, idx, attempt, id);
DROP INDEX jobs_batch;
