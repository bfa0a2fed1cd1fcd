/**
 * Store tests run against a real SQLite file in a fresh temp dir, opened the way the
 * server opens it (Store.open: WAL, the real numbered migrations), never a mock.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Store } from '../../src/store';
import type { NewBatch } from '../../src/store/batches';
import type { NewJob } from '../../src/store/jobs';
import type { JobRow } from '../../src/store/rows';

export interface TempStore {
  store: Store;
  dir: string;
  file: string;
  /** Closes the store and removes its temp dir. */
  close(): void;
}

export function openTempStore(): TempStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-store-'));
  const file = path.join(dir, 'bulkrun.db');
  const store = Store.open(file);
  return {
    store,
    dir,
    file,
    close() {
      this.store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

let seq = 0;

/** A job row with test defaults: a `created` single job of alice's on `local`. */
export function newJob(p: Partial<NewJob> = {}): NewJob {
  const id = p.id ?? `job${String(++seq).padStart(6, '0')}`;
  return {
    id,
    batch_id: null,
    is_batch: 0,
    role: 'single',
    idx: null,
    owner: 'alice',
    app: 'echo',
    app_version: '1',
    params: '{}',
    resources: '{}',
    backend: 'local',
    status: 'created',
    priority: 0,
    created_at: 1000,
    retry_parent: null,
    attempt: 1,
    is_latest: 1,
    retry_complete: 1,
    work_dir: `/tmp/work/${id}`,
    job_token: null,
    parent_job_id: null,
    origin: null,
    ...p,
  };
}

/** Inserts a job and answers its stored row. */
export function insertJob(store: Store, p: Partial<NewJob> = {}): JobRow {
  const j = newJob(p);
  store.jobs.insert(j);
  return store.jobs.get(j.id)!;
}

/** A batch parent (a job row with is_batch = 1) and its batches row. */
export function insertBatch(
  store: Store,
  p: Partial<NewBatch> & { owner?: string; created_at?: number } = {}
): string {
  const { owner, created_at, ...b } = p;
  const parent = insertJob(store, {
    is_batch: 1,
    status: 'running',
    owner: owner ?? 'alice',
    created_at: created_at ?? 1000,
    ...(b.id ? { id: b.id } : {}),
  });
  store.batches.insert({
    id: parent.id,
    label: '',
    total: 0,
    fan_in: null,
    max_parallel: null,
    max_retries: 0,
    idempotency_key: null,
    n_created: 0,
    ...b,
  });
  return parent.id;
}

/** A batch row (role 'task') at index `idx`, counted in its batch as `created` like the engine does. */
export function insertRow(
  store: Store,
  batchId: string,
  idx: number,
  p: Partial<NewJob> = {}
): JobRow {
  const row = insertJob(store, { batch_id: batchId, role: 'task', idx, ...p });
  store.batches.shiftCount(batchId, null, row.status);
  return row;
}

/** A retry of `root`: the next attempt, now the row's newest. */
export function insertRetry(store: Store, root: JobRow, p: Partial<NewJob> = {}): JobRow {
  const latest = store.attempts.latest(root.id)!;
  store.jobs.update(latest.id, { is_latest: 0 });
  return insertJob(store, {
    batch_id: root.batch_id,
    role: root.role,
    idx: root.idx,
    owner: root.owner,
    backend: root.backend,
    retry_parent: root.id,
    attempt: latest.attempt + 1,
    ...p,
  });
}
