-- Attempts whose retry lifecycle is still open (retry_complete = 0: store/attempts.ts
-- open, the reaper's repair). Few at any time, so the reaper's pass reads only them,
-- never the whole jobs table.
CREATE INDEX jobs_retry_open ON jobs (created_at) WHERE retry_complete = 0;
