/**
 * The OpenAPI document (src/server/openapi.ts): valid OpenAPI 3.1, one operation per route
 * the server registers, served as docs/openapi.json holds it, and real answers of a real
 * server match it.
 */
import { spawnSync } from 'child_process';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import Fastify from 'fastify';
import * as fs from 'fs';
import * as path from 'path';
import { withUnitFormats } from '../src/apps/schema';
import { VERSION } from '../src/server';
import { API_ROUTES } from '../src/server/api-schema';
import { buildOpenApi, openApiPath } from '../src/server/openapi';
import { LoopLagMonitor } from '../src/server/loop-lag';
import { registerRoutes } from '../src/server/routes';
import { startTestServer, tempDir, waitBatch, type TestServer } from './helpers/server';

const ROOT = path.join(__dirname, '..', '..');
const doc = buildOpenApi(VERSION) as any;

// The whole document as one schema, so a response schema's $refs resolve in it.
const ajv = withUnitFormats(addFormats(new Ajv2020({ strict: false, allErrors: true })));
ajv.addSchema({ ...doc, $id: 'openapi.json' });

const pointer = (...parts: string[]) =>
  parts.map(p => '/' + encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('');

/** Checks an answer against what the document says `method url` answers with its status. */
function expectConforms(method: string, url: string, res: { status: number; body: unknown }) {
  const op = doc.paths[openApiPath(url)]?.[method.toLowerCase()];
  expect(op).toBeDefined();
  const documented = op.responses[String(res.status)];
  if (!documented) throw new Error(`${method} ${url}: ${res.status} is not documented`);
  const at = documented.$ref
    ? pointer('components', 'responses', documented.$ref.split('/').pop())
    : pointer('paths', openApiPath(url), method.toLowerCase(), 'responses', String(res.status));
  const validate = ajv.compile({
    $ref: `openapi.json#${at}${pointer('content', 'application/json', 'schema')}`,
  });
  if (!validate(res.body)) {
    throw new Error(
      `${method} ${url} ${res.status} does not match the document: ` +
        `${JSON.stringify(validate.errors, null, 1)}\n${JSON.stringify(res.body)}`
    );
  }
}

describe('the OpenAPI document', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  test('is valid OpenAPI 3.1', () => {
    const file = path.join(tempDir(), 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js', {
      paths: [ROOT],
    });
    const r = spawnSync(process.execPath, [cli, file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/"valid": true/);
    expect(doc.openapi).toBe('3.1.0');
  });

  test('has one operation per route the server registers, and no other', async () => {
    const app = Fastify();
    const registered: string[] = [];
    app.addHook('onRoute', r => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') registered.push(`${m} ${r.url}`);
    });
    registerRoutes(app, s.server.engine, VERSION, new LoopLagMonitor());
    await app.ready();
    await app.close();
    const described = API_ROUTES.map(r => `${r.method} ${r.url}`);
    expect([...registered].sort()).toEqual([...described].sort());
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops as object).map(m => `${m.toUpperCase()} ${p}`)
    );
    expect(operations.sort()).toEqual(described.map(d => openApiPath(d)).sort());
  });

  test('is served at /api/v1/openapi.json behind the token, as docs/openapi.json holds it', async () => {
    const r = await s.req('GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(JSON.parse(JSON.stringify(doc)));
    expect((await s.req('GET', '/api/v1/openapi.json', undefined, 'wrong')).status).toBe(401);
    const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'openapi.json'), 'utf8'));
    expect(committed).toEqual(r.body);
  });

  test('tells an answer that does not match it', () => {
    expect(() => expectConforms('GET', '/api/v1/health', { status: 200, body: { ok: 1 } })).toThrow(
      /does not match/
    );
    expect(() => expectConforms('GET', '/api/v1/health', { status: 418, body: {} })).toThrow(
      /418 is not documented/
    );
  });

  test('describes what a real server answers', async () => {
    const call = async (method: string, url: string, p: string, body?: unknown) => {
      const res = await s.req(method, p, body);
      expectConforms(method, url, res);
      return res;
    };
    await call('GET', '/api/v1/health', '/api/v1/health');
    await call('GET', '/api/v1/apps', '/api/v1/apps');
    await call('GET', '/api/v1/apps/:id', '/api/v1/apps/t-echo');
    await call('GET', '/api/v1/apps/:id', '/api/v1/apps/nope');
    await call('GET', '/api/v1/apps/:id/usage', '/api/v1/apps/t-echo/usage');
    await call('POST', '/api/v1/paths/check', '/api/v1/paths/check', { paths: [ROOT, 'x'] });

    // A batch with a failed row and a fan-in, run to its end.
    const spec = {
      app: 't-echo',
      params: [{ msg: 'a' }, { msg: 'b', code: 3 }],
      fanIn: { app: 't-merge', when: 'all_finished' },
      idempotencyKey: 'openapi-test',
    };
    const created = await call('POST', '/api/v1/batches', '/api/v1/batches', spec);
    expect(created.status).toBe(202);
    const id = created.body.batch.id;
    await waitBatch(s, id, ['completed', 'error']);
    expect((await call('POST', '/api/v1/batches', '/api/v1/batches', spec)).status).toBe(200);
    await call('GET', '/api/v1/batches', '/api/v1/batches?singles=true&limit=1');
    await call('GET', '/api/v1/batches/:id', `/api/v1/batches/${id}`);
    const jobs = await call('GET', '/api/v1/batches/:id/jobs', `/api/v1/batches/${id}/jobs`);
    const failed = jobs.body.jobs.find((j: any) => j.status === 'error');
    expect(failed).toBeDefined();
    await call('GET', '/api/v1/jobs/:id', `/api/v1/jobs/${jobs.body.jobs[0].id}`);
    await call('GET', '/api/v1/jobs/:id/logs', `/api/v1/jobs/${jobs.body.jobs[0].id}/logs`);
    await call('GET', '/api/v1/apps/:id/usage', '/api/v1/apps/t-echo/usage');

    // Retries, and the 409 of a retry still in flight (with its details).
    const retried = await call('POST', '/api/v1/jobs/:id/retry', `/api/v1/jobs/${failed.id}/retry`);
    expect(retried.status).toBe(202);
    const again = await call('POST', '/api/v1/jobs/retry', '/api/v1/jobs/retry', {
      jobIds: [failed.id, 'zzzzzzzz'],
    });
    expect(again.body.results).toHaveLength(2);
    await call('POST', '/api/v1/batches/:id/retry', `/api/v1/batches/${id}/retry`, {});
    await call('PATCH', '/api/v1/jobs/:id', `/api/v1/jobs/${id}`, { priority: 5 });
    await call('GET', '/api/v1/batches/:id/jobs', `/api/v1/batches/${id}/jobs?attempts=all`);

    // A single job, cancelled; the errors of bad input.
    const job = await call('POST', '/api/v1/jobs', '/api/v1/jobs', {
      app: 't-echo',
      params: { msg: 'single' },
    });
    await call('POST', '/api/v1/jobs/:id/cancel', `/api/v1/jobs/${job.body.job.id}/cancel`);
    await call('POST', '/api/v1/batches/:id/cancel', `/api/v1/batches/${id}/cancel`);
    const invalid = await call('POST', '/api/v1/batches', '/api/v1/batches', {
      app: 't-echo',
      params: [],
    });
    expect(invalid.body.error.code).toBe('validation_failed');
    await call('POST', '/api/v1/jobs/:id/rerun', `/api/v1/jobs/${failed.id}/rerun`, {});
    await call('GET', '/api/v1/batches', '/api/v1/batches?limit=x');
    await call('GET', '/api/v1/jobs/:id', '/api/v1/jobs/zzzzzzzz');
    await call('GET', '/api/v1/jobs/:id', `/api/v1/jobs/${'a'.repeat(201)}`);
    await call('GET', '/api/v1/jobs/:id', '/api/v1/jobs/%zz');
    await call('POST', '/api/v1/jobs/:id/fanout', `/api/v1/jobs/${id}/fanout`, spec);
  });
});
