/** REST client for every endpoint of /bulkrun/api/v1 (server/routes.ts in kernel-ext). */
import { ServerConnection } from '@jupyterlab/services';
import type { AppFileProblem, AppUsage } from 'bulkrun-server/dist/protocol';
import { BulkrunError, requestAPI, requestSnapshot } from './request';
import type {
  AppDefinition,
  BatchRecord,
  BatchSpec,
  HealthReport,
  JobRecord,
  JobStatus,
  LogChunk,
  PathCheckResult,
  Resources,
  RetryResult,
} from './types';

/** GET apps: the apps, and the app files the server could not load with every reason. */
export interface AppList {
  apps: AppDefinition[];
  problems: AppFileProblem[];
}

export interface Page {
  limit?: number;
  cursor?: string;
  status?: JobStatus | string;
}

export class BulkrunClient {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  private req<T>(path: string, options?: Parameters<typeof requestAPI>[2]): Promise<T> {
    return requestAPI<T>(this.serverSettings, path, options);
  }

  health(): Promise<HealthReport> {
    return this.req('health');
  }

  async apps(): Promise<AppDefinition[]> {
    return (await this.appList()).apps;
  }

  async appList(): Promise<AppList> {
    const r = await this.req<Partial<AppList> | AppDefinition[]>('apps');
    // Older servers answer a bare list, or {apps} without problems.
    return Array.isArray(r)
      ? { apps: r, problems: [] }
      : { apps: r.apps ?? [], problems: r.problems ?? [] };
  }

  app(id: string): Promise<AppDefinition> {
    return this.req(`apps/${encodeURIComponent(id)}`);
  }

  /**
   * The app's measured history and a resource suggestion (docs/SEMANTICS.md "Usage and
   * suggestions"); null from a server without the route (404, 501): no hint then.
   */
  async appUsage(id: string): Promise<AppUsage | null> {
    try {
      return await this.req<AppUsage>(`apps/${encodeURIComponent(id)}/usage`);
    } catch (e) {
      if (e instanceof BulkrunError && (e.status === 404 || e.status === 501)) {
        return null;
      }
      throw e;
    }
  }

  createBatch(spec: BatchSpec): Promise<{ batch: BatchRecord; jobIds: string[] }> {
    return this.req('batches', { method: 'POST', body: spec });
  }

  /** Edit and rerun: the job's row again with edited params (docs/SEMANTICS.md). */
  async rerunJob(
    id: string,
    params: Record<string, unknown>,
    baseDir?: string
  ): Promise<JobRecord> {
    const r = await this.req<{ job: JobRecord }>(`jobs/${encodeURIComponent(id)}/rerun`, {
      method: 'POST',
      body: { params, baseDir },
    });
    return r.job;
  }

  /** Whether paths exist on the server's filesystem, resolved against baseDir. */
  async checkPaths(paths: string[], baseDir?: string): Promise<PathCheckResult[]> {
    const r = await this.req<{ results: PathCheckResult[] }>('paths/check', {
      method: 'POST',
      body: { paths, baseDir },
    });
    return r.results;
  }

  async listBatches(page: Page & { singles?: boolean } = {}): Promise<{
    batches: (BatchRecord | JobRecord)[];
    nextCursor: string | null;
    seq: number | null;
  }> {
    const r = await requestSnapshot<{
      batches: (BatchRecord | JobRecord)[];
      nextCursor: string | null;
    }>(this.serverSettings, 'batches', {
      query: { ...page, singles: page.singles ? 'true' : undefined },
    });
    return { ...r.data, seq: r.seq };
  }

  async getBatch(id: string): Promise<BatchRecord> {
    return (await this.batchRecordSnapshot(id)).batch;
  }

  /** One page of a batch's jobs, with the seq of the newest event it reflects. */
  async batchJobs(
    id: string,
    page: Page & { attempts?: 'latest' | 'all' } = {}
  ): Promise<{ jobs: JobRecord[]; nextCursor: string | null; seq: number | null }> {
    const r = await requestSnapshot<{ jobs: JobRecord[]; nextCursor: string | null }>(
      this.serverSettings,
      `batches/${encodeURIComponent(id)}/jobs`,
      { query: { ...page } }
    );
    return { ...r.data, seq: r.seq };
  }

  /** Every page of a batch's jobs. */
  async allBatchJobs(
    id: string,
    attempts: 'latest' | 'all' = 'latest',
    pageSize = 5000
  ): Promise<JobRecord[]> {
    return (await this.batchSnapshot(id, attempts, pageSize)).jobs;
  }

  /** A batch's parent record with its event seq (see `requestSnapshot`). */
  async batchRecordSnapshot(id: string): Promise<{ batch: BatchRecord; seq: number | null }> {
    const r = await requestSnapshot<BatchRecord>(
      this.serverSettings,
      `batches/${encodeURIComponent(id)}`
    );
    return { batch: r.data, seq: r.seq };
  }

  /**
   * Every page of a batch's jobs, with the seq of the oldest page: every event after it
   * may be newer than some page.
   */
  async batchSnapshot(
    id: string,
    attempts: 'latest' | 'all' = 'latest',
    pageSize = 5000
  ): Promise<{ jobs: JobRecord[]; seq: number | null }> {
    const jobs: JobRecord[] = [];
    let seq: number | null = null;
    let cursor: string | undefined;
    for (let first = true; ; first = false) {
      const r = await this.batchJobs(id, { attempts, cursor, limit: pageSize });
      if (first) {
        seq = r.seq;
      }
      jobs.push(...r.jobs);
      if (!r.nextCursor) {
        return { jobs, seq };
      }
      cursor = r.nextCursor;
    }
  }

  cancelBatch(id: string): Promise<{ batch: BatchRecord }> {
    return this.req(`batches/${encodeURIComponent(id)}/cancel`, { method: 'POST', body: {} });
  }

  retryBatch(id: string, statuses?: JobStatus[]): Promise<{ results: RetryResult[] }> {
    return this.req(`batches/${encodeURIComponent(id)}/retry`, {
      method: 'POST',
      body: statuses ? { statuses } : {},
    });
  }

  createJob(spec: {
    app: string;
    params: Record<string, unknown>;
    resources?: Resources;
    backend?: string;
    priority?: number;
  }): Promise<{ job: JobRecord }> {
    return this.req('jobs', { method: 'POST', body: spec });
  }

  getJob(id: string): Promise<JobRecord | BatchRecord> {
    return this.req(`jobs/${encodeURIComponent(id)}`);
  }

  cancelJob(id: string): Promise<{ job: JobRecord }> {
    return this.req(`jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST', body: {} });
  }

  retryJob(id: string): Promise<{ job: JobRecord }> {
    return this.req(`jobs/${encodeURIComponent(id)}/retry`, { method: 'POST', body: {} });
  }

  retryJobs(jobIds: string[]): Promise<{ results: RetryResult[] }> {
    return this.req('jobs/retry', { method: 'POST', body: { jobIds } });
  }

  setPriority(id: string, priority: number): Promise<{ job: JobRecord }> {
    return this.req(`jobs/${encodeURIComponent(id)}`, { method: 'PATCH', body: { priority } });
  }

  logs(
    id: string,
    query: { stream?: 'stdout' | 'stderr'; offset?: number; limit?: number } = {}
  ): Promise<LogChunk> {
    return this.req(`jobs/${encodeURIComponent(id)}/logs`, { query });
  }
}
