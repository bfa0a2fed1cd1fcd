
-- Who is waiting, per owner and backend, and their next jobs in pick order.
CREATE INDEX jobs_waiting ON jobs (
  owner, backend,
  (CASE role WHEN 'single' THEN 0 WHEN 'fan_in' THEN 1 ELSE 2 END),
  priority DESC, created_at, idx
) WHERE status = 'created' AND is_batch = 0 AND submit_state IS NULL;

-- Slots in use per owner and backend: only the few jobs holding one are indexed.
CREATE INDEX jobs_slots ON jobs (owner, backend) WHERE holds_slot = 1;
