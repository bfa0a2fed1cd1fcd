/** App registry: loading app files, parameter validation and argv templating. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Logger } from '../src/backends/base';
import { AppRegistry, BUILTIN_APPS_DIR, compareVersions } from '../src/apps/registry';
import { parseElement, renderCommand } from '../src/apps/template';
import type { AppDefinition } from '../src/protocol/records';

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
    expect(w).toMatch(/description: is required/);
    expect(w).toMatch(/colour: unknown field/);
    expect(w).toMatch(/id: must match pattern/);
    expect(w).toMatch(/title: must NOT have fewer than 1 characters/);
    expect(w).toMatch(/command: must NOT have fewer than 1 items/);
    expect(w).toMatch(/parameters\.type: must be equal to constant/);
    expect(w).toMatch(
      /bad-container\.json: container\.runtime: must be one of apptainer, singularity/
    );
    expect(w).toMatch(/typo\.json: command: placeholder \{y\} is not a declared parameter/);
    expect(w).toMatch(/bad-schema\.json: parameters: not a valid JSON Schema/);
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
