/**
 * Nested fan-out (docs/SEMANTICS.md "Nested fan-out") on one backend: rows that fan out
 * to any depth under a slot limit without deadlock, outputs flowing up in row order,
 * retry and cancel at each level, the depth limit.
 */
import { startTestServer, tempDir, type TestServer, until, waitBatch } from '../helpers/server';

export interface NestedSize {
  rows: number;
  /** Children per row and grandchildren per child. */
  n: number;
}

export function defineNestedSuite(
  backend: string,
  config: Record<string, unknown> = {},
  size: NestedSize = { rows: 10, n: 10 },
  timeoutMs = 300000
): void {
  jest.setTimeout(timeoutMs);
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { ...config, slots: { [backend]: { '*': 10 } } } });
  });
  afterAll(async () => {
    await s?.close();
  });

  const jobsOf = async (id: string, query = '') =>
    (await s.req('GET', `/api/v1/batches/${id}/jobs${query}`)).body.jobs as any[];

  it(`${size.rows} rows × ${size.n} children × ${size.n} grandchildren finish under 10 slots, outputs in row order`, async () => {
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-nest',
      params: Array.from({ length: size.rows }, () => ({ levels: 2, n: size.n })),
      fanIn: { app: 't-merge' },
    });
    expect(post.status).toBe(202);
    const top = await waitBatch(
      s,
      post.body.batch.id,
      ['completed', 'error', 'terminated'],
      timeoutMs - 10000
    );
    expect({ status: top.status, counts: top.counts }).toEqual({
      status: 'completed',
      counts: { created: 0, queued: 0, running: 0, completed: size.rows, error: 0, terminated: 0 },
    });
    // The top fan-in read every row's sub-batch result, and each of those its rows', in order.
    const fanIn = (await s.req('GET', `/api/v1/jobs/${top.fanInJobId}`)).body;
    const leaves = Array.from({ length: size.n }, (_, i) => ({ leaf: i }));
    const level1 = { count: size.n, inputs: leaves };
    const level2 = { count: size.n, inputs: Array.from({ length: size.n }, () => level1) };
    expect(fanIn.output).toEqual({
      count: size.rows,
      inputs: Array.from({ length: size.rows }, () => level2),
    });
    // Each row shows its sub-batch; ?parent= pages a sub-batch anywhere below.
    const rows = await jobsOf(top.id);
    expect(rows[0].children).toEqual({
      total: size.n,
      counts: { created: 0, queued: 0, running: 0, completed: size.n, error: 0, terminated: 0 },
      fanInJobId: expect.any(String),
    });
    const children = (await jobsOf(top.id, `?parent=${rows[0].id}`)).filter(j => j.role === 'task');
    expect(children).toHaveLength(size.n);
    const grand = (await jobsOf(top.id, `?parent=${children[0].id}`)).filter(
      j => j.role === 'task'
    );
    expect(grand.map(g => g.output)).toEqual(leaves);
    expect(grand[0].children ?? null).toBeNull();
    // No slot is held by anything: fanned-out rows gave theirs back.
    const held = s.server.engine.store.db
      .prepare('SELECT COUNT(*) FROM jobs WHERE holds_slot = 1')
      .pluck()
      .get();
    expect(held).toBe(0);
  });

  it('a failed leaf fails its row and the batch; retrying the row fans out afresh; ?leaves=true retries only the leaf', async () => {
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-nest',
      params: [
        { levels: 1, n: 3, failLeaf: 1 },
        { levels: 1, n: 3 },
      ],
      maxRetries: 0,
    });
    const b = await waitBatch(s, post.body.batch.id, ['completed', 'error', 'terminated']);
    expect(b.status).toBe('error');
    const [bad, good] = await jobsOf(b.id);
    expect(bad).toMatchObject({
      status: 'error',
      error: { code: 'sub_batch_failed', message: '1 of 3 rows of its sub-batch failed' },
    });
    expect(good.status).toBe('completed');
    expect(good.output).toEqual({ count: 3, inputs: [{ leaf: 0 }, { leaf: 1 }, { leaf: 2 }] });
    // The top batch parent keeps the seed's rule.
    const parent = await s.req('POST', `/api/v1/jobs/${b.id}/retry`);
    expect(parent.status).toBe(409);
    expect(parent.body.error.message).toBe(
      'Cannot retry batch job parents. Must retry individual jobs'
    );
    // A completed row cannot be retried, at any level.
    const done = await s.req('POST', `/api/v1/jobs/${good.id}/retry`);
    expect(done.status).toBe(409);
    // Only the failed leaf: the row and the batch run again and complete.
    const leaves = await s.req('POST', `/api/v1/jobs/${bad.id}/retry?leaves=true`);
    expect(leaves.status).toBe(202);
    expect(leaves.body.results).toHaveLength(1);
    expect(leaves.body.results[0].retryId).toEqual(expect.any(String));
    const again = await waitBatch(s, b.id, ['completed', 'error'], 60000);
    expect(again.status).toBe('completed');
    const [fixed] = await jobsOf(b.id);
    expect(fixed.id).toBe(bad.id); // the same attempt: only its leaf ran again
    expect(fixed.output).toEqual({ count: 3, inputs: [{ leaf: 0 }, { leaf: 1 }, { leaf: 2 }] });

    // The whole row: a new attempt that fans out afresh (its leaf 1 fails again on attempt 1 there).
    const b2 = await s.req('POST', '/api/v1/batches', {
      app: 't-nest',
      params: [{ levels: 1, n: 2, failLeaf: 1 }],
      maxRetries: 0,
    });
    const e2 = await waitBatch(s, b2.body.batch.id, ['error']);
    const [row] = await jobsOf(e2.id);
    const whole = await s.req('POST', `/api/v1/jobs/${row.id}/retry`);
    expect(whole.status).toBe(202);
    expect(whole.body.job).toMatchObject({ retryParent: row.id, attempt: 2 });
    const twice = await s.req('POST', `/api/v1/jobs/${row.id}/retry`);
    expect(twice.status).toBe(409); // one retry in flight
    const e3 = await waitBatch(s, e2.id, ['completed', 'error']);
    const [row2] = await jobsOf(e2.id);
    expect(row2.id).toBe(whole.body.job.id);
    expect(row2.children.total).toBe(2);
    expect(e3.status).toBe('error'); // its fresh sub-batch's leaf 1 is on attempt 1 again
  });

  it('cancel goes down the tree: every level ends batch_abort, nothing keeps running', async () => {
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-nest',
      params: [
        { levels: 2, n: 2, sleep: 30 },
        { levels: 2, n: 2, sleep: 30 },
      ],
    });
    const id = post.body.batch.id;
    // Wait until leaves run, two levels down: 2 rows and their 4 children have fanned out.
    const { store } = s.server.engine;
    await until(
      async () => {
        const subs = store.jobs.subBatches(id);
        if (subs.length < 6) return false;
        const deep = subs.filter(b => store.jobs.ancestors(b).length === 2);
        return deep.some(b => store.jobs.byBatch(b).some(j => j.status === 'running'));
      },
      60000,
      'leaves running'
    );
    const c = await s.req('POST', `/api/v1/batches/${id}/cancel`);
    expect(c.status).toBe(200);
    const b = await waitBatch(s, id, ['terminated']);
    expect(b.status).toBe('terminated');
    const tree = [id, ...s.server.engine.store.jobs.subBatches(id)];
    for (const sub of tree.slice(1)) {
      const jobs = await jobsOf(sub);
      expect(jobs.every(j => j.status === 'terminated' || j.status === 'completed')).toBe(true);
    }
    const open = s.server.engine.store.db
      .prepare(
        `SELECT COUNT(*) FROM jobs WHERE status IN ('created','queued','running')
          AND (id IN (SELECT value FROM json_each(?)) OR batch_id IN (SELECT value FROM json_each(?)))`
      )
      .pluck()
      .get(JSON.stringify(tree), JSON.stringify(tree));
    expect(open).toBe(0);
  });

  it('cancel of a batch whose row fanned out and still runs: the row ends at once and stays ended', async () => {
    // t-gate runs until its gate file appears: the row's own process outlives its fan-out.
    const gates = tempDir('bulkrun-gates-');
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-gate',
      params: [{ dir: gates }],
    });
    const id = post.body.batch.id;
    const { store } = s.server.engine;
    const rowId = store.jobs.rowRoots(id)[0];
    await until(
      async () => store.jobs.get(rowId)?.status === 'running' && !!store.jobs.get(rowId)?.job_token,
      60000,
      'the row running'
    );
    const fan = await s.req(
      'POST',
      `/api/v1/jobs/${rowId}/fanout`,
      { app: 't-gate', params: [{ dir: gates }, { dir: gates }] },
      `job.${store.jobs.get(rowId)!.job_token}`
    );
    expect(fan.status).toBe(202);
    const c = await s.req('POST', `/api/v1/batches/${id}/cancel`);
    expect(c.body.batch.status).toBe('terminated');
    // At once, and still after the row's process has been stopped and its exit reported.
    const settled = () => ({
      row: store.jobs.get(rowId)!.status,
      cancelled: store.batches.get(id)!.cancelled !== null,
      live: [rowId, ...store.jobs.subBatches(id)].flatMap(b =>
        store.jobs.byBatch(b).filter(j => !['completed', 'error', 'terminated'].includes(j.status))
      ).length,
    });
    expect(settled()).toEqual({ row: 'terminated', cancelled: true, live: 0 });
    await new Promise(r => setTimeout(r, 1500));
    expect(settled()).toEqual({ row: 'terminated', cancelled: true, live: 0 });
  });

  it('a row whose own process fails after fanning out ends in its error, and everything below it stops', async () => {
    // Level 2 fans out and then fails: its sub-batch, and theirs, end batch_abort.
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-nest',
      params: [{ levels: 2, n: 2, sleep: 30 }],
      maxRetries: 0,
    });
    const id = post.body.batch.id;
    const { store } = s.server.engine;
    await until(async () => store.jobs.subBatches(id).length >= 3, 60000, 'two levels fanned out');
    const [row] = await jobsOf(id);
    // The row's own process exits 0 once it fanned out. Wait for that exit to be recorded
    // (a Slurm poll can take it later), so the failed exit below is the last word on it.
    await until(
      async () => store.jobs.get(row.id)?.submit_state === 'exited',
      60000,
      "the row's own exit recorded"
    );
    // The row's process is done; a failed exit reported by its backend is what remains.
    s.server.engine.tracker.apply([
      {
        jobId: row.id,
        status: 'error',
        exitCode: 1,
        error: { code: 'job_crashed', message: 'exited 1' },
      },
    ]);
    const b = await waitBatch(s, id, ['error', 'terminated']);
    expect(b.status).toBe('error');
    const [after] = await jobsOf(id);
    expect(after).toMatchObject({ status: 'error', error: { code: 'job_crashed' } });
    for (const sub of store.jobs.subBatches(id))
      expect(
        store.jobs.byBatch(sub).every(j => j.status === 'terminated' || j.status === 'completed')
      ).toBe(true);
  });

  it('priority reaches every level; the depth limit is a clear 409', async () => {
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-nest',
      params: [{ levels: 5, n: 1 }],
      maxRetries: 0,
    });
    const b = await waitBatch(s, post.body.batch.id, ['completed', 'error', 'terminated'], 60000);
    expect(b.status).toBe('error');
    // Depth 4 (the default): the job at the fourth level of batches cannot fan out again.
    const deepest = s.server.engine.store.db
      .prepare(
        "SELECT id FROM jobs WHERE app = 't-nest' AND exit_code = 1 AND batch_id IS NOT NULL ORDER BY created_at DESC LIMIT 1"
      )
      .pluck()
      .get() as string;
    // `bulkrun fanout` in the job printed the server's refusal (a 409) on stderr.
    const log = (await s.req('GET', `/api/v1/jobs/${deepest}/logs?stream=stderr`)).body.data;
    expect(log).toContain('is at fan-out depth 4; the limit is 4 levels of batches');
    expect(s.server.engine.store.jobs.ancestors(deepest)).toHaveLength(4);

    const slow = await s.req('POST', '/api/v1/batches', {
      app: 't-nest',
      params: [{ levels: 1, n: 2, sleep: 30 }],
    });
    const sid = slow.body.batch.id;
    const row = await until(
      async () => {
        const [r] = await jobsOf(sid);
        return r.children ? r : null;
      },
      30000,
      'row fanned out'
    );
    const pr = await s.req('PATCH', `/api/v1/jobs/${sid}`, { priority: 9 });
    expect(pr.status).toBe(200);
    const kids = await jobsOf(row.id);
    expect(kids.map(k => k.priority)).toEqual([9, 9]);
    await s.req('POST', `/api/v1/batches/${sid}/cancel`);
  });
}
