/**
 * A job's own token (BULKRUN_TOKEN inside the job, possibly third-party code) reaches its
 * job and what it fanned out, and nothing else of its owner's: every read route, the
 * batch list and the WebSocket (docs/SEMANTICS.md "Permissions").
 */
import * as fs from 'fs';
import * as path from 'path';
import { startTestServer, tempDir, type TestServer, waitJob, WsClient } from './helpers/server';

jest.setTimeout(60_000);

describe('job tokens see their own job and sub-batch only', () => {
  let s: TestServer;
  let gates: string;
  beforeAll(async () => {
    s = await startTestServer();
    gates = tempDir();
  });
  afterAll(async () => {
    await s.close();
  });

  const release = (id: string) => fs.writeFileSync(path.join(gates, id), '0');

  it('REST: its job and sub-batch are readable; the owner’s other batches, jobs and logs are 404', async () => {
    const other = await s.req('POST', '/api/v1/batches', {
      app: 't-echo',
      params: [{ msg: 'secret' }],
    });
    const otherBatch = other.body.batch.id;
    const otherJob = other.body.jobIds[0];
    await waitJob(s, otherJob, ['completed']);
    const j = (await s.req('POST', '/api/v1/jobs', { app: 't-gate', params: { dir: gates } })).body
      .job;
    await waitJob(s, j.id, ['running']);
    const row = s.server.engine.store.jobs.get(j.id)!;
    const tok = `job.${row.job_token}`;

    // Its own job.
    expect((await s.req('GET', `/api/v1/jobs/${j.id}`, undefined, tok)).status).toBe(200);
    // Everything else of the same owner is invisible.
    for (const p of [
      `/api/v1/batches/${otherBatch}`,
      `/api/v1/batches/${otherBatch}/jobs`,
      `/api/v1/jobs/${otherJob}`,
      `/api/v1/jobs/${otherJob}/logs?stream=stdout`,
    ]) {
      const r = await s.req('GET', p, undefined, tok);
      expect({ p, status: r.status }).toEqual({ p, status: 404 });
    }
    const list = await s.req('GET', '/api/v1/batches?includeSingles=true', undefined, tok);
    expect(list.status).toBe(200);
    expect(list.body.batches.map((b: any) => b.id)).not.toContain(otherBatch);
    // Writes on others' records: refused (a job token only fans out its own job).
    expect((await s.req('POST', `/api/v1/batches/${otherBatch}/cancel`, {}, tok)).status).toBe(403);
    expect((await s.req('POST', `/api/v1/jobs/${otherJob}/retry`, {}, tok)).status).toBe(403);
    expect(
      (
        await s.req(
          'POST',
          `/api/v1/jobs/${otherJob}/fanout`,
          { app: 't-echo', params: [{ msg: 'x' }] },
          tok
        )
      ).status
    ).toBe(403);

    // What it fans out is its own: the sub-batch, its rows and their logs.
    const fan = await s.req(
      'POST',
      `/api/v1/jobs/${j.id}/fanout`,
      { app: 't-echo', params: [{ msg: 'mine' }] },
      tok
    );
    expect(fan.status).toBe(202);
    const child = fan.body.jobIds[0];
    await waitJob(s, child, ['completed']);
    expect((await s.req('GET', `/api/v1/batches/${j.id}`, undefined, tok)).status).toBe(200);
    expect((await s.req('GET', `/api/v1/batches/${j.id}/jobs`, undefined, tok)).status).toBe(200);
    expect((await s.req('GET', `/api/v1/jobs/${child}`, undefined, tok)).status).toBe(200);
    const logs = await s.req('GET', `/api/v1/jobs/${child}/logs?stream=stdout`, undefined, tok);
    expect(logs.status).toBe(200);
    const listed = await s.req('GET', '/api/v1/batches', undefined, tok);
    expect(listed.body.batches.map((b: any) => b.id)).toEqual([j.id]);
    // The owner's token still sees everything.
    expect((await s.req('GET', `/api/v1/batches/${otherBatch}`)).status).toBe(200);
    release(j.id);
    await waitJob(s, j.id, ['completed']);
    // A token dies with its job.
    expect((await s.req('GET', `/api/v1/jobs/${j.id}`, undefined, tok)).status).toBe(401);
  });

  it('WebSocket: a job token receives its own job’s events, not the owner’s other events', async () => {
    const j = (await s.req('POST', '/api/v1/jobs', { app: 't-gate', params: { dir: gates } })).body
      .job;
    await waitJob(s, j.id, ['running']);
    const tok = `job.${s.server.engine.store.jobs.get(j.id)!.job_token}`;
    const ws = new WsClient(s.url, tok);
    const owner = new WsClient(s.url, s.token);
    await Promise.all([ws.opened, owner.opened]);
    ws.send({ type: 'subscribe' });
    owner.send({ type: 'subscribe' });
    await sleepTicks();
    const other = await s.req('POST', '/api/v1/batches', {
      app: 't-echo',
      params: [{ msg: 'other' }],
    });
    const otherJob = other.body.jobIds[0];
    await waitJob(s, otherJob, ['completed']);
    release(j.id);
    await ws.waitFor(m => m.type === 'job' && m.job.id === j.id && m.job.status === 'completed');
    // The owner saw the other batch's events; the job token saw none of them.
    await owner.waitFor(
      m => m.type === 'job' && m.job.id === otherJob && m.job.status === 'completed'
    );
    const leaked = ws.messages.filter(
      m =>
        (m.type === 'job' && m.job.id !== j.id) ||
        (m.type === 'batch' && m.batch.id === other.body.batch.id)
    );
    expect(leaked).toEqual([]);
    // Another job's logs over the WebSocket: not found, as over REST.
    ws.send({ type: 'logs', jobId: otherJob, follow: false });
    const err = await ws.waitFor(m => m.type === 'error', 5000);
    expect(err.code).toBe('not_found');
    ws.close();
    owner.close();
  });
});

const sleepTicks = () => new Promise(r => setTimeout(r, 200));
