/**
 * The engine's behaviour suites on the HTCondor backend, through the fake condor_*
 * commands (HTCondor can't be installed here; see docs/HTCONDOR.md). The fakes run the
 * real wrapper and real processes, so outputs, exits and cancels are real.
 */
import { useFakeCondor } from './fakes/condor';
import { startTestServer, until, waitBatch } from './helpers/server';
import { defineEngineSuite } from './suites/engine-suite';
import { defineSemanticsSuite } from './suites/semantics-suite';

const fake = useFakeCondor();
afterAll(() => fake.restore());

const config = {
  defaultBackend: 'htcondor',
  backends: { htcondor: { pollIntervalMs: 250 } },
};

describe('engine on htcondor (fake schedd)', () => defineEngineSuite('htcondor', config, 180000));
describe('semantics on htcondor (fake schedd)', () =>
  defineSemanticsSuite('htcondor', config, 240000));

describe('priority on htcondor (fake schedd)', () => {
  it('a priority change reaches jobs already queued in the schedd (condor_prio)', async () => {
    const s = await startTestServer({ config });
    fake.pause(true);
    try {
      const post = await s.req('POST', '/api/v1/batches', {
        app: 't-echo',
        params: [{ msg: 'a' }, { msg: 'b' }],
      });
      const id = post.body.batch.id;
      await waitBatch(s, id, ['running'], 20000);
      await until(
        async () => (await s.req('GET', `/api/v1/batches/${id}`)).body.counts.queued === 2,
        20000,
        'rows queued in the schedd'
      );
      const r = await s.req('PATCH', `/api/v1/jobs/${id}`, { priority: 7 });
      expect(r.status).toBe(200);
      const calls = await until(
        async () => {
          const c = fake.calls().filter(x => x[0] === 'condor_prio');
          return c.length ? c : undefined;
        },
        10000,
        'condor_prio'
      );
      // Batch rows: no single-job boost; both rows in one call.
      expect(calls[0].slice(1, 3)).toEqual(['-p', '7']);
      expect(calls[0].slice(3)).toHaveLength(2);
      await s.req('POST', `/api/v1/batches/${id}/cancel`);
    } finally {
      fake.pause(false);
      await s.close();
    }
  });
});
