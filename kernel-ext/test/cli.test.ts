/** CLI pure parts: spec parsing, CSV typing, server URLs, summaries and error formatting. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiRequestError, eventsSocket, parseServerUrl, UsageError } from '../src/cli/client';
import {
  childrenSummary,
  formatError,
  jobsTree,
  pickTreeRows,
  summaryLine,
  table,
} from '../src/cli/format';
import type { JobRecord } from '../src/protocol/records';
import { buildBatchBody, coerceCell, coerceRow, parseSpec, readSpecFile } from '../src/cli/spec';

const counts = (c: Partial<Record<string, number>>) => ({
  created: 0,
  queued: 0,
  running: 0,
  completed: 0,
  error: 0,
  terminated: 0,
  ...c,
});

describe('spec parsing', () => {
  test('JSON batch, JSON job, YAML batch and bare row arrays', () => {
    const b = parseSpec(
      '{"app":"demo-echo","params":[{"message":"a"}],"fanIn":{"app":"demo-merge"}}',
      'json'
    );
    expect(b).toEqual({
      kind: 'batch',
      body: { app: 'demo-echo', params: [{ message: 'a' }], fanIn: { app: 'demo-merge' } },
    });
    expect(parseSpec('{"app":"demo-echo","params":{"message":"a"}}', 'json').kind).toBe('job');
    const y = parseSpec(
      'app: demo-echo\nshared: {repeat: 2}\nparams:\n  - message: "a: b"\n  - message: c\n',
      'yaml'
    );
    expect(y).toEqual({
      kind: 'batch',
      body: {
        app: 'demo-echo',
        shared: { repeat: 2 },
        params: [{ message: 'a: b' }, { message: 'c' }],
      },
    });
    expect(parseSpec('[{"a":1},{"a":2}]', 'json')).toEqual({
      kind: 'rows',
      rows: [{ a: 1 }, { a: 2 }],
      fromCsv: false,
    });
  });

  test('bad specs are usage errors that say what is wrong', () => {
    expect(() => parseSpec('{"app":', 'json', 'x.json')).toThrow(/x\.json: invalid JSON/);
    expect(() => parseSpec('app: [', 'yaml', 'x.yaml')).toThrow(/x\.yaml: invalid YAML/);
    expect(() => parseSpec('{"app":"a"}', 'json', 'x.json')).toThrow(/has no "params"/);
    expect(() => parseSpec('{"app":"a","params":3}', 'json', 'x.json')).toThrow(
      /must be an array of rows/
    );
    expect(() => parseSpec('[1]', 'json', 'x.json')).toThrow(/row 0 is not an object/);
    expect(() => parseSpec('a,b\n1,2,3\n', 'csv', 'x.csv')).toThrow(/x\.csv: invalid CSV/);
    expect(() => readSpecFile('/nonexistent/spec.csv')).toThrow(UsageError);
    expect(() => readSpecFile('spec.txt')).toThrow(/unknown spec format '\.txt'/);
  });

  test('CSV: header, quoting, multi-line cells, BOM, line numbers', () => {
    const text =
      '\ufeffmessage, repeat\nplain,1\n"a, ""quoted"" $(x); `y`",2\n"two\nlines",3\n\nlast,\n';
    const s = parseSpec(text, 'csv');
    expect(s.kind).toBe('rows');
    if (s.kind !== 'rows') return;
    expect(s.rows).toEqual([
      { message: 'plain', repeat: '1' },
      { message: 'a, "quoted" $(x); `y`', repeat: '2' },
      { message: 'two\nlines', repeat: '3' },
      { message: 'last', repeat: '' },
    ]);
    expect(s.lines).toEqual([2, 3, 4, 7]);
    const t = parseSpec('a\tb\nx y\t2\n', 'tsv');
    expect(t.kind === 'rows' && t.rows).toEqual([{ a: 'x y', b: '2' }]);
  });

  test('CSV cells are typed by the app schema; empty cells are left out', () => {
    const schema = {
      type: 'object',
      properties: {
        message: { type: 'string' },
        repeat: { type: 'integer' },
        ratio: { type: 'number' },
        fail: { type: 'boolean' },
        files: { type: 'array' },
        opt: { type: ['string', 'null'] },
      },
    };
    expect(
      coerceRow(
        {
          message: '007',
          repeat: '3',
          ratio: '0.5',
          fail: 'yes',
          files: '["a","b"]',
          opt: 'x',
          other: '1',
        },
        schema
      )
    ).toEqual({
      message: '007',
      repeat: 3,
      ratio: 0.5,
      fail: true,
      files: ['a', 'b'],
      opt: 'x',
      other: '1',
    });
    expect(coerceRow({ message: '', repeat: '' }, schema)).toEqual({});
    // Cells that do not parse stay text, so the server names row and field.
    expect(coerceRow({ repeat: 'three', fail: 'maybe' }, schema)).toEqual({
      repeat: 'three',
      fail: 'maybe',
    });
    expect(coerceCell('one file.txt', 'array')).toEqual(['one file.txt']);
    expect(coerceCell(' 12 ', ['integer', 'null'])).toBe(12);
  });

  test('batch bodies: --app for rows, options override the spec, label defaults to the file', () => {
    const rows = parseSpec('message\na\n', 'csv');
    expect(() => buildBatchBody(rows, {}, 'r.csv')).toThrow(/--app/);
    expect(
      buildBatchBody(rows, { app: 'demo-echo', fanIn: 'demo-merge', maxParallel: 2 }, '/x/r.csv')
    ).toEqual({
      app: 'demo-echo',
      params: [{ message: 'a' }],
      fanIn: { app: 'demo-merge' },
      maxParallel: 2,
      label: 'r.csv',
    });
    const b = parseSpec(
      '{"app":"a","params":[],"label":"mine","fanIn":{"app":"m","when":"all_finished"}}',
      'json'
    );
    expect(buildBatchBody(b, { fanIn: 'm2', backend: 'slurm' }, 'b.json')).toEqual({
      app: 'a',
      params: [],
      label: 'mine',
      fanIn: { app: 'm2', when: 'all_finished' },
      backend: 'slurm',
    });
    const job = parseSpec('{"app":"a","params":{}}', 'json');
    expect(() => buildBatchBody(job, {}, 'j.json')).toThrow(/single-job spec/);
  });
});

describe('server URLs', () => {
  test('http, https with a prefix, unix sockets', () => {
    expect(parseServerUrl('http://127.0.0.1:8765')).toMatchObject({
      host: '127.0.0.1',
      port: 8765,
      prefix: '',
      secure: false,
    });
    expect(parseServerUrl('https://hub.example.org/user/x/bulkrun/')).toMatchObject({
      host: 'hub.example.org',
      port: undefined,
      prefix: '/user/x/bulkrun',
      secure: true,
    });
    expect(parseServerUrl('http://h:1/bulkrun/api/v1/')).toMatchObject({ prefix: '/bulkrun' });
    expect(parseServerUrl('http://[::1]:9000')).toMatchObject({ host: '::1', port: 9000 });
    expect(parseServerUrl('unix:/tmp/b.sock')).toMatchObject({
      socketPath: '/tmp/b.sock',
      prefix: '',
    });
    expect(parseServerUrl('unix:///tmp/b.sock')).toMatchObject({ socketPath: '/tmp/b.sock' });
    expect(() => parseServerUrl('ftp://x')).toThrow(UsageError);
    expect(() => parseServerUrl('not a url')).toThrow(/not a URL/);
    expect(() => parseServerUrl('unix:')).toThrow(/no socket path/);
  });

  test('event socket URLs carry the token in a header, not the URL', () => {
    expect(eventsSocket(parseServerUrl('http://h:1/p'), 't')).toEqual({
      url: 'ws://h:1/p/api/v1/events?format=json',
      headers: { authorization: 'token t' },
    });
    expect(eventsSocket(parseServerUrl('unix:/tmp/s.sock'), undefined).url).toBe(
      'ws+unix:///tmp/s.sock:/api/v1/events?format=json'
    );
    expect(eventsSocket(parseServerUrl('https://[::1]:9/'), 't').url).toBe(
      'wss://[::1]:9/api/v1/events?format=json'
    );
  });
});

describe('formatting', () => {
  test('summary line', () => {
    expect(
      summaryLine(counts({ created: 10, queued: 2, running: 3, completed: 80, error: 5 }), 2)
    ).toBe('12 queued, 3 running, 80 completed, 5 failed (2 retried)');
    expect(summaryLine(counts({ completed: 1, terminated: 4 }))).toBe(
      '0 queued, 0 running, 1 completed, 0 failed, 4 cancelled'
    );
  });

  test('tables align columns', () => {
    expect(
      table(
        ['a', 'bb'],
        [
          ['xxx', 'y'],
          ['z', ''],
        ]
      )
    ).toBe('a    bb\nxxx  y\nz');
  });

  test('validation errors list every row and field, with CSV line numbers', () => {
    const err = new ApiRequestError(
      400,
      'validation_failed',
      'Invalid request: row 0: repeat must be an integer',
      [
        { row: 0, field: 'repeat', message: 'must be an integer' },
        { row: 2, field: 'message', message: 'must be a string' },
        { row: null, field: 'fanIn.app', message: "unknown app 'x'" },
      ]
    );
    expect(formatError(err, { lines: [2, 3, 5] })).toBe(
      [
        'error: Invalid request: 3 problems [400 validation_failed]',
        '  row 0 (line 2), repeat: must be an integer',
        '  row 2 (line 5), message: must be a string',
        "  fanIn.app: unknown app 'x'",
      ].join('\n')
    );
    const many = new ApiRequestError(
      400,
      'validation_failed',
      'Invalid request',
      Array.from({ length: 60 }, (_, i) => ({ row: i, field: 'f', message: 'bad' }))
    );
    const lines = formatError(many).split('\n');
    expect(lines).toHaveLength(52);
    expect(lines[51]).toBe('  … and 10 more');
  });

  test('other errors: message and code; unreachable servers; plain errors', () => {
    expect(
      formatError(
        new ApiRequestError(
          409,
          'wrong_state',
          'Cannot retry batch job parents. Must retry individual jobs'
        )
      )
    ).toBe('error: Cannot retry batch job parents. Must retry individual jobs [409 wrong_state]');
    expect(
      formatError(new ApiRequestError(0, 'unreachable', 'Cannot reach the Bulkrun server'))
    ).toBe('error: Cannot reach the Bulkrun server');
    expect(formatError(new Error('boom'))).toBe('error: boom');
    expect(formatError(new ApiRequestError(404, 'not_found', 'Job x not found', { id: 'x' }))).toBe(
      'error: Job x not found [404 not_found]\n  {"id":"x"}'
    );
  });
});

describe('status --depth: the rows as a tree', () => {
  const job = (p: Partial<JobRecord>): JobRecord =>
    ({
      id: 'j',
      batchId: 'B',
      role: 'task',
      index: 0,
      status: 'completed',
      attempt: 1,
      startedAt: '2024-01-01T00:00:00.000Z',
      finishedAt: '2024-01-01T00:00:02.500Z',
      error: null,
      terminatedCode: null,
      exitCode: 0,
      children: null,
      ...p,
    }) as JobRecord;
  const kids = (total: number, c: Partial<Record<string, number>>) => ({
    total,
    counts: counts(c),
    fanInJobId: null,
  });

  test('a fanned-out row says how far its sub-batch is', () => {
    expect(childrenSummary(kids(10, { completed: 5, error: 2, running: 3 }))).toBe(
      'sub-batch 7/10 done: 0 queued, 3 running, 5 completed, 2 failed'
    );
  });

  test('sub-batch rows under their row, indented and numbered by path, with the fan-in', () => {
    const text = jobsTree({
      batchId: 'B',
      omitted: 0,
      rows: [
        {
          job: job({
            id: 'r0',
            status: 'running',
            finishedAt: null,
            startedAt: null,
            children: kids(2, { completed: 1, running: 1 }),
          }),
          sub: {
            batchId: 'r0',
            omitted: 0,
            rows: [
              { job: job({ id: 'c0', batchId: 'r0', index: 0 }) },
              {
                job: job({
                  id: 'c1',
                  batchId: 'r0',
                  index: 1,
                  status: 'running',
                  startedAt: null,
                  finishedAt: null,
                  children: kids(3, { queued: 3 }),
                }),
                sub: {
                  batchId: 'c1',
                  omitted: 3,
                  rows: [],
                },
              },
              { job: job({ id: 'cf', batchId: 'r0', role: 'fan_in', index: null }) },
            ],
          },
        },
        {
          job: job({
            id: 'r1',
            index: 1,
            status: 'error',
            error: { code: 'job_failed', message: 'exit code 3' } as JobRecord['error'],
          }),
        },
      ],
    });
    expect(text.split('\n')).toEqual([
      'row         job  status              attempt  runtime  detail',
      '0           r0   running             1        -        sub-batch 1/2 done: 0 queued, 1 running, 1 completed, 0 failed',
      '  0.0       c0   completed           1        2.5s',
      '  0.1       c1   running             1        -        sub-batch 0/3 done: 3 queued, 0 running, 0 completed, 0 failed',
      '    …                                                  3 more rows (bulkrun status c1 --jobs)',
      '  0.fan-in  cf   completed           1        2.5s',
      '1           r1   error (job_failed)  1        2.5s     exit code 3',
    ]);
  });

  test('small levels are shown whole; large ones keep fanned-out, failed and cancelled rows and the fan-in', () => {
    const rows = Array.from({ length: 6 }, (_, i) => job({ id: `r${i}`, index: i }));
    expect(pickTreeRows(rows, false, 6)).toEqual({ shown: rows, omitted: 0 });
    rows[1] = job({ id: 'r1', index: 1, children: kids(1, { running: 1 }) });
    rows[3] = job({ id: 'r3', index: 3, status: 'terminated' });
    rows[4] = job({ id: 'r4', index: 4, status: 'error' });
    rows[5] = job({ id: 'f', role: 'fan_in', index: null });
    const some = pickTreeRows(rows, false, 3);
    expect(some.shown.map(j => j.id)).toEqual(['r1', 'r3', 'r4']);
    expect(some.omitted).toBe(3);
    expect(pickTreeRows(rows, true, 3).shown).toHaveLength(6);
  });
});

test('readSpecFile picks the format from the extension', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-spec-'));
  fs.writeFileSync(path.join(dir, 'a.yml'), 'app: x\nparams: [{}]\n');
  fs.writeFileSync(path.join(dir, 'b.CSV'), 'k\nv\n');
  expect(readSpecFile(path.join(dir, 'a.yml')).kind).toBe('batch');
  expect(readSpecFile(path.join(dir, 'b.CSV')).kind).toBe('rows');
});
