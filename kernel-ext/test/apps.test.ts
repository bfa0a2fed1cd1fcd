/** App registry: loading app files, parameter validation and argv templating. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Logger } from '../src/backends/base';
import { AppRegistry, BUILTIN_APPS_DIR, compareVersions } from '../src/apps/registry';
import { parseElement, renderCommand } from '../src/apps/template';
import { problemsReport } from '../src/cli/commands/apps';
import type { AppDefinition } from '../src/protocol/records';
import { startServer } from '../src/server';

function memLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (o, m) =>
      void warnings.push(`${m ?? ''} ${typeof o === 'string' ? o : JSON.stringify(o)}`),
    error: (o, m) =>
      void warnings.push(`${m ?? ''} ${typeof o === 'string' ? o : JSON.stringify(o)}`),
  };
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-apps-'));
}

const base = {
  version: '1.0.0',
  title: 'T',
  description: 'd',
  parameters: {
    type: 'object',
    properties: { x: { type: 'string' } },
    additionalProperties: false,
  },
};

describe('loading', () => {
  test('JSON and YAML files load; built-in demo apps are included', () => {
    const dir = tmp();
    fs.writeFileSync(
      path.join(dir, 'a.json'),
      JSON.stringify({ ...base, id: 'app-a', command: ['echo', '{x}'] })
    );
    fs.writeFileSync(
      path.join(dir, 'b.yaml'),
      'id: app-b\nversion: "2.0"\ntitle: B\ndescription: b\ncommand: [echo, "{x}"]\n' +
        'parameters:\n  type: object\n  properties:\n    x: {type: string}\n'
    );
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an app');
    const log = memLog();
    const reg = AppRegistry.load([dir], log);
    expect(log.warnings).toEqual([]);
    const ids = reg.list().map(a => a.id);
    expect(ids).toEqual([...ids].sort());
    for (const id of [
      'app-a',
      'app-b',
      'demo-echo',
      'demo-fail',
      'demo-sleep',
      'demo-merge',
      'demo-fanout',
      'demo-wordcount',
    ]) {
      expect(ids).toContain(id);
    }
    expect(reg.get('app-b')!.version).toBe('2.0');
  });

  test('invalid files are skipped with a warning naming the file and every problem', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"id": ');
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'id: [unclosed\n');
    fs.writeFileSync(
      path.join(dir, 'bad-fields.json'),
      JSON.stringify({
        id: 'Bad Id',
        version: '1',
        title: '',
        command: [],
        parameters: { type: 'array' },
        colour: 1,
      })
    );
    fs.writeFileSync(
      path.join(dir, 'bad-container.json'),
      JSON.stringify({
        ...base,
        id: 'c',
        command: ['x'],
        container: { image: 'i', runtime: 'lxc' },
      })
    );
    fs.writeFileSync(
      path.join(dir, 'typo.json'),
      JSON.stringify({ ...base, id: 'typo', command: ['echo', '{y}'] })
    );
    fs.writeFileSync(
      path.join(dir, 'bad-schema.json'),
      JSON.stringify({
        ...base,
        id: 'bs',
        command: ['x'],
        parameters: { type: 'object', properties: { x: { type: 'strnig' } } },
      })
    );
    fs.writeFileSync(
      path.join(dir, 'good.json'),
      JSON.stringify({ ...base, id: 'good', command: ['echo'] })
    );
    const log = memLog();
    const reg = AppRegistry.load([dir], log, { builtin: false });
    expect(reg.list().map(a => a.id)).toEqual(['good']);
    const w = log.warnings.join('\n');
    expect(w).toMatch(/broken\.json: cannot parse/);
    expect(w).toMatch(/broken\.yaml: cannot parse/);
    expect(w).toMatch(/bad-fields\.json/);
    expect(w).toMatch(/colour: unknown field/);
    expect(w).toMatch(/id: "Bad Id" is not a valid id/);
    expect(w).toMatch(/title: must not be empty/);
    expect(w).toMatch(/command: must not be empty/);
    expect(w).toMatch(/parameters\.type: must be "object", not "array"/);
    expect(w).toMatch(
      /bad-container\.json: container\.runtime: must be one of apptainer, singularity.*, not "lxc"/
    );
    expect(w).toMatch(/typo\.json: command: placeholder \{y\} is not a declared parameter/);
    expect(w).toMatch(/bad-schema\.json: parameters: not a valid JSON Schema/);
    // description is optional: bad-fields.json lacks one and that is not a problem.
    expect(w).not.toMatch(/description/);
    // The registry keeps the same problems, one entry per file, in load order.
    const problems = reg.problems();
    expect(problems.map(p => path.basename(p.file))).toEqual([
      'bad-container.json',
      'bad-fields.json',
      'bad-schema.json',
      'broken.json',
      'broken.yaml',
      'typo.json',
    ]);
    expect(problems[1].problems).toEqual(
      expect.arrayContaining(['colour: unknown field (extensions take an "x-" prefix)'])
    );
    expect(problems[1].problems).toHaveLength(5);
  });

  test('every problem of every file that failed to load is kept, saying where', () => {
    const dir = tmp();
    const app = (id: string, extra = '') =>
      `id: ${id}\nversion: "1"\ntitle: Title ${id}\ncommand: [echo, "{x}"]\n` +
      'parameters:\n  type: object\n  properties:\n    x: {type: string}\n' +
      extra;
    fs.writeFileSync(path.join(dir, 'good.yaml'), app('good', 'description: A good app\n'));
    // The case that once made an app vanish: no description and a walltime no backend can read.
    fs.writeFileSync(
      path.join(dir, 'bad-walltime.yaml'),
      app('walltime', 'resources: {walltime: 10 minutes}\n')
    );
    fs.writeFileSync(
      path.join(dir, 'no-command.json'),
      JSON.stringify({ ...base, id: 'no-command', resources: { cpus: '4' } })
    );
    fs.writeFileSync(
      path.join(dir, 'broken.yaml'),
      'id: broken\nversion: "1"\ntitle: B\ncommand: [echo, "{x}"\nparameters:\n  type: object\n'
    );
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"id": "j",\n  "title": }');
    fs.writeFileSync(path.join(dir, 'no-description.yaml'), app('no-description'));
    const log = memLog();
    const reg = AppRegistry.load([dir], log, { builtin: false });

    expect(reg.list().map(a => a.id)).toEqual(['good', 'no-description']);
    expect(reg.get('good')!.description).toBe('A good app');
    expect(reg.get('no-description')!.description).toBe('Title no-description');
    expect(reg.problems()).toEqual([
      {
        file: path.join(dir, 'bad-walltime.yaml'),
        problems: [
          'resources.walltime: "10 minutes" is not a duration (use e.g. 90s, 10m, 1h30m, 1d, HH:MM:SS, MM:SS or D-HH:MM:SS; a bare number is minutes)',
        ],
      },
      {
        file: path.join(dir, 'broken.json'),
        problems: ["JSON syntax error at line 2, column 12: unexpected token '}'"],
      },
      {
        file: path.join(dir, 'broken.yaml'),
        problems: [
          'YAML syntax error at line 5, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
        ],
      },
      {
        file: path.join(dir, 'no-command.json'),
        problems: [
          'missing required field "command"',
          'resources.cpus: must be an integer, not "4"',
        ],
      },
    ]);
    // The server's log says the same.
    expect(log.warnings.join('\n')).toMatch(/no-command\.json: missing required field "command"/);
    // A copy is returned: callers cannot change the registry's list.
    reg.problems()[0].problems.push('x');
    expect(reg.problems()[0].problems).toHaveLength(1);
  });

  test('resources take the memory and duration forms of src/units.ts, and only those', () => {
    const dir = tmp();
    const app = (id: string, resources: string) =>
      `id: ${id}\nversion: "1"\ntitle: T\ncommand: [echo, "{x}"]\n` +
      `parameters:\n  type: object\n  properties:\n    x: {type: string}\nresources: ${resources}\n`;
    const good: Record<string, string> = {
      gib: '{memory: 8GiB, walltime: 1h30m, disk: 10GiB}',
      slurmish: '{memory: "2Gi", walltime: "2-12:00", disk: "1024"}',
      spaced: '{memory: 1.5 GB, walltime: "90", disk: 512m}',
    };
    const bad: Record<string, string> = {
      gigs: '{memory: 8 gigs}',
      zero: '{memory: 0G, walltime: "00:00:00"}',
      clock: '{walltime: "1:75"}',
      disk: '{disk: lots}',
    };
    for (const [id, r] of Object.entries({ ...good, ...bad })) {
      fs.writeFileSync(path.join(dir, `${id}.yaml`), app(id, r));
    }
    const reg = AppRegistry.load([dir], memLog(), { builtin: false });
    expect(reg.list().map(a => a.id)).toEqual(Object.keys(good).sort());
    expect(reg.get('gib')!.resources).toEqual({ memory: '8GiB', walltime: '1h30m', disk: '10GiB' });
    const byName = Object.fromEntries(reg.problems().map(p => [path.basename(p.file), p.problems]));
    expect(byName).toEqual({
      'gigs.yaml': [
        'resources.memory: "8 gigs" is not a memory size (use a number with a unit, e.g. 512M, 2G, 1.5GiB)',
      ],
      'zero.yaml': [
        'resources.memory: "0G" is not a memory size (it must be more than zero)',
        'resources.walltime: "00:00:00" is not a duration (it must be more than zero)',
      ],
      'clock.yaml': [
        'resources.walltime: "1:75" is not a duration (minutes and seconds must be below 60)',
      ],
      'disk.yaml': [
        'resources.disk: "lots" is not a disk size (use a number with a unit, e.g. 512M, 2G, 1.5GiB)',
      ],
    });
  });

  test('empty files, empty lists, unreadable files and apps in a list', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'empty.yaml'), '');
    fs.writeFileSync(path.join(dir, 'list.json'), '[]');
    fs.symlinkSync(path.join(dir, 'nowhere.json'), path.join(dir, 'dangling.json'));
    fs.writeFileSync(
      path.join(dir, 'two.json'),
      JSON.stringify([
        { ...base, id: 'one', command: ['x'] },
        { ...base, id: 'two', command: ['x'], version: '' },
      ])
    );
    const reg = AppRegistry.load([dir], memLog(), { builtin: false });
    expect(reg.list().map(a => a.id)).toEqual(['one']);
    const byName = Object.fromEntries(reg.problems().map(p => [path.basename(p.file), p.problems]));
    expect(byName).toEqual({
      'dangling.json': [expect.stringMatching(/^cannot be read: ENOENT/)],
      'empty.yaml': ['(top level): the file holds no app (empty)'],
      'list.json': ['(top level): the list holds no app'],
      'two.json': ['[1] version: must not be empty'],
    });
  });

  test('bulkrun apps: the problems section', () => {
    expect(problemsReport([])).toBe('');
    expect(
      problemsReport([
        { file: '/apps/a.yaml', problems: ['missing required field "command"'] },
        { file: '/apps/b.json', problems: ['p1', 'p2'] },
      ])
    ).toBe(
      '2 app files could not be loaded:\n' +
        '  /apps/a.yaml\n' +
        '    missing required field "command"\n' +
        '  /apps/b.json\n' +
        '    p1\n' +
        '    p2\n'
    );
    expect(problemsReport([{ file: '/a', problems: ['p'] }])).toMatch(
      /^1 app file could not be loaded:\n/
    );
  });

  test('GET /api/v1/apps answers the apps and the files that failed to load', async () => {
    const apps = tmp();
    fs.writeFileSync(
      path.join(apps, 'good.json'),
      JSON.stringify({ ...base, id: 'good', command: ['echo'] })
    );
    fs.writeFileSync(path.join(apps, 'bad.yaml'), 'id: [unclosed\n');
    const s = await startServer({
      port: 0,
      dataDir: tmp(),
      token: 'apps-tok',
      logLevel: 'silent',
      apps: [apps],
    });
    try {
      const get = async (p: string) => {
        const r = await fetch(s.url + p, { headers: { authorization: 'token apps-tok' } });
        return { status: r.status, body: (await r.json()) as any };
      };
      const r = await get('/api/v1/apps');
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(['apps', 'problems']);
      expect(r.body.apps.map((a: AppDefinition) => a.id)).toContain('good');
      expect(r.body.problems).toEqual([
        {
          file: path.join(apps, 'bad.yaml'),
          problems: [expect.stringMatching(/^YAML syntax error at line 2, column 1: /)],
        },
      ]);
      // One app is still the bare definition.
      const one = await get('/api/v1/apps/good');
      expect(one.body).toMatchObject({ id: 'good', description: 'd' });
      expect(one.body.problems).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  test('a missing dir warns; duplicate id+version keeps the first and warns', () => {
    const d1 = tmp();
    const d2 = tmp();
    fs.writeFileSync(
      path.join(d1, 'a.json'),
      JSON.stringify({ ...base, id: 'a', title: 'first', command: ['x'] })
    );
    fs.writeFileSync(
      path.join(d2, 'a.json'),
      JSON.stringify({ ...base, id: 'a', title: 'second', command: ['x'] })
    );
    fs.writeFileSync(
      path.join(d2, 'a2.json'),
      JSON.stringify({ ...base, id: 'a', version: '1.10.0', title: 'newer', command: ['x'] })
    );
    const log = memLog();
    const reg = AppRegistry.load([d1, d2, path.join(d1, 'nope')], log, { builtin: false });
    expect(reg.get('a', '1.0.0')!.title).toBe('first');
    expect(reg.get('a')!.title).toBe('newer');
    expect(reg.list()).toHaveLength(1);
    expect(reg.get('a', '3')).toBeUndefined();
    expect(reg.get('zzz')).toBeUndefined();
    expect(log.warnings.join('\n')).toMatch(
      /app a 1\.0\.0 in .*a\.json duplicates .*a\.json; keeping the first/
    );
    expect(log.warnings.join('\n')).toMatch(/does not exist/);
    // The ignored duplicate is a file that was not loaded, and says why.
    expect(reg.problems()).toEqual([
      {
        file: path.join(d2, 'a.json'),
        problems: [
          `app a 1.0.0 is already defined by ${path.join(d1, 'a.json')}, which was loaded first; this one is ignored`,
        ],
      },
    ]);
  });

  test('versions compare numerically', () => {
    expect(compareVersions('1.10.0', '1.9.2')).toBeGreaterThan(0);
    expect(compareVersions('2', '10')).toBeLessThan(0);
    expect(compareVersions('1.0', '1.0')).toBe(0);
  });

  test('{$appDir} resolves to the directory of the app file', () => {
    const reg = AppRegistry.load([], memLog());
    expect(reg.get('demo-echo')!.command[1]).toBe(path.join(BUILTIN_APPS_DIR, 'bin', 'echo.js'));
  });
});

describe('validateParams', () => {
  const reg = AppRegistry.load([], memLog());
  const echo = reg.get('demo-echo')!;

  test('applies defaults', () => {
    const p: Record<string, unknown> = {};
    expect(reg.validateParams(echo, p)).toEqual([]);
    expect(p).toEqual({ message: 'Hello from Bulkrun', repeat: 1, delay: 0 });
  });

  test('reports every problem, one per field', () => {
    const errs = reg.validateParams(echo, { message: 5, repeat: 'x', delay: -1, colour: 'red' });
    expect(errs).toEqual(
      expect.arrayContaining([
        { field: 'message', message: 'must be a string' },
        { field: 'repeat', message: 'must be an integer' },
        { field: 'delay', message: 'must be >= 0' },
        {
          field: 'colour',
          message: 'is not a parameter of demo-echo (known: message, repeat, delay)',
        },
      ])
    );
    expect(errs).toHaveLength(4);
  });

  test('required, enum, NUL bytes and path parameters', () => {
    const wc = reg.get('demo-wordcount')!;
    expect(reg.validateParams(wc, {})).toEqual([{ field: 'input', message: 'is required' }]);
    const bad = "must be a path without '..' segments or NUL bytes";
    expect(reg.validateParams(wc, { input: '../etc/passwd' })).toEqual([
      { field: 'input', message: bad },
    ]);
    expect(reg.validateParams(wc, { input: '/data/../etc/passwd' })).toEqual([
      { field: 'input', message: bad },
    ]);
    expect(reg.validateParams(wc, { input: 'a\\..\\b' })).toEqual([
      { field: 'input', message: bad },
    ]);
    expect(reg.validateParams(wc, { input: '/data/x..y/file..txt' })).toEqual([]);
    expect(reg.validateParams(wc, { input: 'a\0b' })).toEqual(
      expect.arrayContaining([{ field: 'input', message: 'must not contain NUL bytes' }])
    );
    const app: AppDefinition = {
      id: 'e',
      version: '1',
      title: 't',
      description: '',
      command: ['x'],
      parameters: {
        type: 'object',
        properties: {
          mode: { enum: ['fast', 'slow'] },
          tags: { type: 'array', items: { type: 'string' } },
        },
      },
    };
    expect(reg.validateParams(app, { mode: 'medium', tags: ['a', 3] })).toEqual([
      { field: 'mode', message: 'must be one of: "fast", "slow"' },
      { field: 'tags[1]', message: 'must be a string' },
    ]);
  });
});

describe('renderArgv', () => {
  const reg = AppRegistry.load([], memLog(), { builtin: false });
  const app: AppDefinition = {
    id: 't',
    version: '1',
    title: 't',
    description: '',
    command: [
      'prog',
      '{value}',
      '--v={value}',
      '{files}',
      '--opt={opt}',
      '{opt}',
      '{{literal}}',
      '{n}{flag}',
    ],
    parameters: { type: 'object' },
  };

  const nasty = [
    'plain',
    'two words',
    'it\'s "quoted"',
    'line1\nline2\r\n',
    'a; rm -rf / && echo pwned | cat',
    '$(touch /tmp/x) `id` ${HOME} $HOME',
    '*.txt ? [a-z] ~ > out < in 2>&1',
    'ünïcödé 日本語 🚀',
    '{value} {{ }}',
    '-n',
    '',
    '\\ back\\slash',
  ];

  test.each(nasty)('value %j reaches argv unchanged', v => {
    const argv = reg.renderArgv(app, { value: v, files: [], n: 1, flag: true });
    expect(argv).toEqual(['prog', v, `--v=${v}`, '{literal}', '1true']);
  });

  test('arrays expand, missing optional elements drop, numbers and booleans stringify', () => {
    expect(
      reg.renderArgv(app, { value: 'v', files: ['a b', 'c'], opt: 0, n: 2.5, flag: false })
    ).toEqual(['prog', 'v', '--v=v', 'a b', 'c', '--opt=0', '0', '{literal}', '2.5false']);
    expect(renderCommand(['x', '--list={xs}'], { xs: ['a', 'b'] })).toEqual(['x', '--list=a,b']);
    expect(renderCommand(['x', '{o}'], { o: { a: 1 } })).toEqual(['x', '{"a":1}']);
    expect(renderCommand(['x', '{o}'], { o: null })).toEqual(['x']);
  });

  test('braces that do not form a placeholder stay literal', () => {
    expect(parseElement('JSON.stringify({a:1});()=>{}')).toEqual([
      { text: 'JSON.stringify({a:1});()=>{}' },
    ]);
    expect(renderCommand(['{ x }', '{', '}', '{1x}', '{{x}}', '{{{x}}}'], { x: 'X' })).toEqual([
      '{ x }',
      '{',
      '}',
      '{1x}',
      '{x}',
      '{X}',
    ]);
  });

  test('a real process receives the values byte for byte', () => {
    const script = 'process.stdout.write(JSON.stringify(process.argv.slice(1)))';
    const a: AppDefinition = {
      ...app,
      command: ['node', '-e', script, '--', '{value}', 'pre-{value}'],
    };
    const values = nasty.filter(v => v !== '');
    for (const v of values) {
      const argv = reg.renderArgv(a, { value: v });
      const out = execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
      expect(JSON.parse(out)).toEqual([v, `pre-${v}`]);
    }
  });

  test('NUL bytes are refused', () => {
    expect(() => renderCommand(['x', '{v}'], { v: 'a\0b' })).toThrow(/NUL/);
  });
});

describe('demo apps run', () => {
  const reg = AppRegistry.load([], memLog());

  function run(id: string, params: Record<string, unknown>, env: Record<string, string> = {}) {
    const app = reg.get(id)!;
    expect(reg.validateParams(app, params)).toEqual([]);
    const dir = tmp();
    const output = path.join(dir, 'output.json');
    const argv = reg.renderArgv(app, params);
    let status = 0;
    let stdout = '';
    try {
      stdout = execFileSync(argv[0], argv.slice(1), {
        encoding: 'utf8',
        env: { ...process.env, BULKRUN_OUTPUT: output, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e: any) {
      status = e.status;
      stdout = e.stdout;
    }
    const out = fs.existsSync(output) ? JSON.parse(fs.readFileSync(output, 'utf8')) : null;
    return { status, stdout, out };
  }

  test('demo-echo', () => {
    const r = run('demo-echo', { message: 'hi; $(id)\n"x"', repeat: 2 });
    expect(r.status).toBe(0);
    expect(r.stdout.split('hi; $(id)\n"x"').length).toBe(3);
    expect(r.out.message).toBe('hi; $(id)\n"x"');
  });

  test('demo-fail', () => {
    expect(run('demo-fail', {}).status).toBe(1);
    expect(run('demo-fail', { exitCode: 7 }).status).toBe(7);
    expect(run('demo-fail', { fail: false }).status).toBe(0);
  });

  test('demo-sleep', () => {
    const r = run('demo-sleep', { seconds: 0.1 });
    expect(r.status).toBe(0);
    expect(r.out).toEqual({ slept: 0.1 });
  });

  test('demo-merge', () => {
    const dir = tmp();
    const inputs = path.join(dir, 'inputs.json');
    fs.writeFileSync(inputs, JSON.stringify([{ message: 'a' }, null, { message: 'c' }]));
    const r = run('demo-merge', {}, { BULKRUN_FANIN_INPUTS: inputs });
    expect(r.status).toBe(0);
    expect(r.out).toMatchObject({ rows: 3, withOutput: 2, missing: [1], messages: ['a', 'c'] });
  });

  test('demo-wordcount', () => {
    const f = path.join(tmp(), 'text file.txt');
    fs.writeFileSync(f, 'one two\nthree\n');
    const r = run('demo-wordcount', { input: f });
    expect(r.status).toBe(0);
    expect(r.out).toEqual({ file: f, lines: 2, words: 3, bytes: 14 });
    expect(run('demo-wordcount', { input: path.join(tmp(), 'missing') }).status).toBe(2);
  });
});
