-- Jobs and batch parents share one id space (a batch parent is a job row with is_batch = 1).
CREATE TABLE jobs (
  id              TEXT PRIMARY KEY,
  batch_id        TEXT,
  is_batch        INTEGER NOT NULL DEFAULT 0,
  role            TEXT NOT NULL,
  idx             INTEGER,
  owner           TEXT NOT NULL,
  app             TEXT NOT NULL,
  app_version     TEXT NOT NULL,
  params          TEXT NOT NULL,
  resources       TEXT NOT NULL,
  backend         TEXT NOT NULL,
  backend_job_id  TEXT,
  status          TEXT NOT NULL,
  priority        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  queued_at       INTEGER,
  started_at      INTEGER,
  finished_at     INTEGER,
  exit_code       INTEGER,
  error_code      TEXT,
  error_message   TEXT,
  terminated_code TEXT,
  retry_parent    TEXT,
  attempt         INTEGER NOT NULL DEFAULT 1,
  -- 1 while this job is the newest attempt of its row (the row's effective state).
  is_latest       INTEGER NOT NULL DEFAULT 1,
  -- 0 = retry links not all written yet (the seed's retry_toggle); the reaper repairs these.
  retry_complete  INTEGER NOT NULL DEFAULT 1,
  output          TEXT,
  work_dir        TEXT NOT NULL,
  -- Submission bookkeeping: intent recorded before the scheduler call, id after.
  submit_group    TEXT,
  submit_state    TEXT,
  -- 1 while a live process/scheduler job holds one of the owner's slots.
  holds_slot      INTEGER NOT NULL DEFAULT 0,
  job_token       TEXT,
  parent_job_id   TEXT,
  origin          TEXT,
  last_seen       TEXT
);
CREATE INDEX jobs_batch ON jobs (batch_id, role, idx);
CREATE INDEX jobs_status ON jobs (status) WHERE status IN ('created', 'queued', 'running');
CREATE INDEX jobs_retry_parent ON jobs (retry_parent) WHERE retry_parent IS NOT NULL;
CREATE INDEX jobs_owner_created ON jobs (owner, is_batch, created_at);
CREATE INDEX jobs_token ON jobs (job_token) WHERE job_token IS NOT NULL;

CREATE TABLE batches (
  id              TEXT PRIMARY KEY REFERENCES jobs (id),
  label           TEXT NOT NULL DEFAULT '',
  total           INTEGER NOT NULL DEFAULT 0,
  fan_in          TEXT,
  fan_in_job_id   TEXT,
  max_parallel    INTEGER,
  max_retries     INTEGER NOT NULL DEFAULT 0,
  idempotency_key TEXT,
  cancelled       TEXT,
  -- Counts over effective row states, kept in the same transaction as every row change.
  n_created       INTEGER NOT NULL DEFAULT 0,
  n_queued        INTEGER NOT NULL DEFAULT 0,
  n_running       INTEGER NOT NULL DEFAULT 0,
  n_completed     INTEGER NOT NULL DEFAULT 0,
  n_error         INTEGER NOT NULL DEFAULT 0,
  n_terminated    INTEGER NOT NULL DEFAULT 0,
  auto_retries    INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX batches_idem ON batches (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The persisted event log behind the WebSocket's `seq` and `since` replay.
CREATE TABLE events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,
  owner      TEXT NOT NULL,
  batch_id   TEXT,
  job_id     TEXT,
  body       TEXT NOT NULL
);
CREATE INDEX events_batch ON events (batch_id, seq);
