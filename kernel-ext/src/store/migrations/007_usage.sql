-- What a finished job used (docs/SEMANTICS.md "Usage"): JSON of JobUsage, null while
-- unknown. The partial index serves the per-app history (store/usage.ts), which reads
-- only measured jobs of one app, newest first.
ALTER TABLE jobs ADD COLUMN usage TEXT;
CREATE INDEX jobs_usage_history ON jobs(owner, app, finished_at) WHERE usage IS NOT NULL;
