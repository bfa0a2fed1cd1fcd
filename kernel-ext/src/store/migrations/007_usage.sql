-- What a finished job used (docs/SEMANTICS.md "Usage"): JSON of JobUsage, null while
-- unknown. The partial index serves the per-app history (store/usage.ts): measured jobs
-- and failed ones of one app, newest first. New rows have neither, so submitting a big
-- batch writes nothing into it.
ALTER TABLE jobs ADD COLUMN usage TEXT;
CREATE INDEX jobs_usage_history ON jobs(owner, app, finished_at)
  WHERE usage IS NOT NULL OR error_code IS NOT NULL;
