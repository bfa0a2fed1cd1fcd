-- A batch too big to write in its POST's transaction (engine/batch-writer.ts): every row's
-- id and params, whose rows are written to `jobs` a chunk per transaction after the 202.
-- Invariant: a batch has a row here exactly while some of its rows are missing from
-- `jobs`; those written are always rows 0..n-1, so a resumed write starts at the batch's
-- highest row index + 1 (the record itself is never updated: rewriting its megabytes per
-- chunk would cost more than the rows). The batch's counts (batches.n_created, total)
-- already include the missing rows. `ids` and `params` are JSON arrays by row index;
-- `template` holds the columns every row of the batch shares.
CREATE TABLE batch_writes (
  batch_id TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  template TEXT NOT NULL,
  ids TEXT NOT NULL,
  params TEXT NOT NULL
);
