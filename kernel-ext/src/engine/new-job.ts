/** The bookkeeping columns every new job row starts with (a job, a batch row, a fan-in, a retry). */
import * as path from 'path';
import type { NewJob } from '../store/jobs';

/** A job's work dir: `<data dir>/jobs/<first two chars of the id>/<id>/`. */
export function jobDir(dataDir: string, id: string): string {
  return path.join(dataDir, 'jobs', id.slice(0, 2), id);
}

/** Fills in the defaults: a first attempt, the newest of its row, with its work dir. */
export function newJobRow(
  dataDir: string,
  j: Omit<
    NewJob,
    | 'attempt'
    | 'is_latest'
    | 'retry_complete'
    | 'work_dir'
    | 'job_token'
    | 'retry_parent'
    | 'parent_job_id'
    | 'origin'
  > &
    Partial<
      Pick<NewJob, 'attempt' | 'retry_parent' | 'retry_complete' | 'parent_job_id' | 'origin'>
    >
): NewJob {
  return {
    attempt: 1,
    is_latest: 1,
    retry_complete: 1,
    retry_parent: null,
    parent_job_id: null,
    origin: null,
    ...j,
    work_dir: jobDir(dataDir, j.id),
    // Minted when the job is claimed for a scheduler (store/slots.ts claim), not before.
    job_token: null,
  };
}
