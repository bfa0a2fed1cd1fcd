/**
 * The app registry: app files (JSON or YAML) from the configured app dirs plus the built-in
 * demo apps. An invalid file is skipped with a warning naming the file and every problem,
 * so one bad app never keeps the server from starting; the registry keeps those problems
 * so GET /api/v1/apps, `bulkrun apps` and the app picker can say why an app is missing.
 */
import type { ValidateFunction } from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import type { Logger } from '../backends/base';
import type { AppDefinition, AppFileProblem } from '../protocol/records';
import { APP_FILE_SCHEMA, fileAjv, paramsAjv, type ErrorObject } from './schema';
import { escapeBraces, placeholders, renderCommand } from './template';
import { assetPath } from '../assets';
import { UNIT_FORMATS, unitProblem } from '../units';

/** kernel-ext/apps: the same path from src/apps (ts-jest) and dist/apps (compiled). */
export const BUILTIN_APPS_DIR = assetPath('apps');

/** Placeholder a command may use for the directory holding its app file (for bundled scripts). */
export const APP_DIR_PLACEHOLDER = '{$appDir}';

export interface ParamError {
  field: string;
  message: string;
}

export interface LoadOptions {
  /** Append the built-in demo apps dir (default true). */
  builtin?: boolean;
}

const APP_EXTENSIONS = new Set(['.json', '.yaml', '.yml']);
const validateAppFile = fileAjv.compile(APP_FILE_SCHEMA);

const stderrLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (o, m) =>
    process.stderr.write(`warning: ${m ?? ''} ${typeof o === 'string' ? o : JSON.stringify(o)}\n`),
  error: (o, m) =>
    process.stderr.write(`error: ${m ?? ''} ${typeof o === 'string' ? o : JSON.stringify(o)}\n`),
};

interface Entry {
  app: AppDefinition;
  file: string;
  validate: ValidateFunction;
}

export class AppRegistry {
  /** id → versions, newest first. */
  private byId = new Map<string, Entry[]>();
  private validators = new WeakMap<AppDefinition, ValidateFunction>();
  private fileProblems: AppFileProblem[] = [];

  static load(dirs: string[], log: Logger = stderrLogger, opts: LoadOptions = {}): AppRegistry {
    const reg = new AppRegistry();
    const all = [...dirs];
    if (opts.builtin !== false) all.push(BUILTIN_APPS_DIR);
    const seen = new Set<string>();
    for (const dir of all) {
      const abs = path.resolve(dir);
      let real: string;
      try {
        real = fs.realpathSync(abs);
      } catch {
        log.warn({ dir: abs }, `app dir ${abs} does not exist; skipped`);
        continue;
      }
      if (seen.has(real)) continue;
      seen.add(real);
      let names: string[];
      try {
        names = fs.readdirSync(real).sort();
      } catch (e) {
        log.warn({ dir: abs, err: String(e) }, `app dir ${abs} cannot be read; skipped`);
        continue;
      }
      for (const name of names) {
        if (!APP_EXTENSIONS.has(path.extname(name).toLowerCase())) continue;
        const file = path.join(abs, name);
        try {
          if (!fs.statSync(file).isFile()) continue;
        } catch {
          // A dangling symlink: loadFile reports that it cannot be read.
        }
        reg.loadFile(file, log);
      }
    }
    const count = [...reg.byId.values()].reduce((n, v) => n + v.length, 0);
    log.info({ apps: count, dirs: all }, 'apps loaded');
    return reg;
  }

  /**
   * Reads one app file (an app object, or an array of them); warns and skips what is
   * invalid, and records every problem of the file (see `problems()`).
   */
  loadFile(file: string, log: Logger = stderrLogger): void {
    const problems = this.readAppFile(file, log);
    if (problems.length) this.fileProblems.push({ file, problems });
  }

  private readAppFile(file: string, log: Logger): string[] {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      const problem = `cannot be read: ${(e as Error).message}`;
      log.warn({ file, err: (e as Error).message }, `invalid app file ${file}: ${problem}`);
      return [problem];
    }
    const parsed = parseAppFile(file, text);
    if ('problems' in parsed) {
      log.warn(
        { file, problems: parsed.problems },
        `invalid app file ${file}: cannot parse: ${parsed.problems.join('; ')}`
      );
      return parsed.problems;
    }
    const docs = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
    if (docs.length === 0) {
      log.warn({ file }, `app file ${file} holds an empty list`);
      return ['(top level): the list holds no app'];
    }
    const fileProblems: string[] = [];
    docs.forEach((doc, i) => {
      const where = docs.length > 1 ? `${file} [${i}]` : file;
      // In a file of several apps, each problem names the app's index.
      const prefix = docs.length > 1 ? `[${i}] ` : '';
      const problems = checkAppDocument(doc);
      let validate: ValidateFunction | undefined;
      if (problems.length === 0) {
        try {
          validate = paramsAjv.compile((doc as AppDefinition).parameters);
        } catch (e) {
          problems.push(`parameters: not a valid JSON Schema: ${(e as Error).message}`);
        }
      }
      if (problems.length || !validate) {
        log.warn({ file: where, problems }, `invalid app file ${where}: ${problems.join('; ')}`);
        fileProblems.push(...problems.map(p => prefix + p));
        return;
      }
      const app = withDefaults(doc as AppDefinition, path.dirname(file));
      const dup = this.add({ app, file: where, validate }, log);
      if (dup) fileProblems.push(prefix + dup);
    });
    return fileProblems;
  }

  /** Returns why the entry was not added, or null. */
  private add(entry: Entry, log: Logger): string | null {
    const { id, version } = entry.app;
    const versions = this.byId.get(id) ?? [];
    const dup = versions.find(e => e.app.version === version);
    if (dup) {
      log.warn(
        { app: id, version, kept: dup.file, ignored: entry.file },
        `app ${id} ${version} in ${entry.file} duplicates ${dup.file}; keeping the first`
      );
      return `app ${id} ${version} is already defined by ${dup.file}, which was loaded first; this one is ignored`;
    }
    versions.push(entry);
    versions.sort((a, b) => compareVersions(b.app.version, a.app.version));
    this.byId.set(id, versions);
    this.validators.set(entry.app, entry.validate);
    return null;
  }

  /** The files that could not be loaded (or only in part), in load order, each with every problem. */
  problems(): AppFileProblem[] {
    return this.fileProblems.map(p => ({ file: p.file, problems: [...p.problems] }));
  }

  /** Newest version of each app, sorted by id. */
  list(): AppDefinition[] {
    return [...this.byId.keys()].sort().map(id => this.byId.get(id)![0].app);
  }

  /** All versions of one app, newest first. */
  versions(id: string): AppDefinition[] {
    return (this.byId.get(id) ?? []).map(e => e.app);
  }

  get(id: string, version?: string): AppDefinition | undefined {
    const versions = this.byId.get(id);
    if (!versions) return undefined;
    if (version === undefined) return versions[0].app;
    return versions.find(e => e.app.version === version)?.app;
  }

  /** Every problem of one row of params; fills in schema defaults (mutating `params`). */
  validateParams(app: AppDefinition, params: Record<string, unknown>): ParamError[] {
    let validate = this.validators.get(app);
    if (!validate) {
      // An app object not from this registry (e.g. a copy): compile its schema now.
      validate = paramsAjv.compile(app.parameters);
      this.validators.set(app, validate);
    }
    const errors: ParamError[] = [];
    if (!validate(params)) {
      for (const e of validate.errors ?? []) errors.push(toParamError(app, e));
    }
    findNul(params, '', errors);
    const seen = new Set<string>();
    return errors.filter(e => {
      const k = `${e.field}\0${e.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  renderArgv(app: AppDefinition, params: Record<string, unknown>): string[] {
    return renderCommand(app.command, params);
  }
}

/** Problems of an app document beyond the file schema: placeholders must name parameters. */
export function checkAppDocument(doc: unknown): string[] {
  if (doc === null || doc === undefined) return ['(top level): the file holds no app (empty)'];
  if (!validateAppFile(doc)) {
    const errors = validateAppFile.errors ?? [];
    // An empty id or version fails its pattern too; "must not be empty" says it all.
    const empty = new Set(errors.filter(e => e.keyword === 'minLength').map(e => e.instancePath));
    const all = errors
      .filter(e => !(e.keyword === 'pattern' && empty.has(e.instancePath)))
      .map(e => describeFileError(e, doc));
    return [...new Set(all)];
  }
  const app = doc as AppDefinition;
  const problems: string[] = [];
  if (app.command[0].trim() === '') problems.push('command[0]: must name a program');
  const props = (app.parameters as { properties?: Record<string, unknown> }).properties;
  if (props) {
    for (const name of placeholders(app.command)) {
      if (name.startsWith('$')) continue;
      if (!(name in props)) {
        problems.push(`command: placeholder {${name}} is not a declared parameter`);
      }
    }
  }
  return problems;
}

/** JSON text of a value for a message, cut short. */
function shown(v: unknown): string {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}

function valueAt(doc: unknown, instancePath: string): unknown {
  let v: any = doc;
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    v = v === null || typeof v !== 'object' ? undefined : v[seg];
  }
  return v;
}

/** What a value of these fields must look like, in words instead of a regular expression. */
const PATTERN_HINTS: Record<string, string> = {
  id: 'is not a valid id (lowercase letters, digits, ".", "_" and "-", starting with a letter or digit)',
  version:
    'is not a valid version (letters, digits, ".", "_", "+" and "-", starting with a letter or digit)',
};

function describeFileError(e: ErrorObject, doc: unknown): string {
  const at = fieldPath(e.instancePath);
  const where = at || '(top level)';
  const p = e.params as Record<string, any>;
  const value = valueAt(doc, e.instancePath);
  switch (e.keyword) {
    case 'required':
      return `${at ? `${at}: ` : ''}missing required field "${p.missingProperty}"`;
    case 'additionalProperties':
      return at
        ? `${join(at, p.additionalProperty)}: unknown field`
        : `${p.additionalProperty}: unknown field (extensions take an "x-" prefix)`;
    case 'enum':
      return `${where}: must be one of ${(p.allowedValues as unknown[]).join(', ')}, not ${shown(value)}`;
    case 'const':
      return `${where}: must be ${shown(p.allowedValue)}, not ${shown(value)}`;
    case 'pattern': {
      const hint = PATTERN_HINTS[at] ?? `must match the pattern ${p.pattern}`;
      return `${where}: ${shown(value)} ${hint}`;
    }
    case 'format': {
      const unit = Object.hasOwn(UNIT_FORMATS, p.format) ? UNIT_FORMATS[p.format] : null;
      if (!unit) return `${where}: ${e.message}`;
      const why = unitProblem(unit.kind, value) ?? 'is invalid';
      return `${where}: ${shown(value)} is not a ${unit.noun} (${why})`;
    }
    case 'type': {
      const t = String(p.type);
      return `${where}: must be ${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}, not ${shown(value)}`;
    }
    case 'minLength':
    case 'minItems':
      if (p.limit === 1) return `${where}: must not be empty`;
      return `${where}: ${e.message}`;
    default:
      return `${where}: ${e.message}`;
  }
}

/**
 * Parses an app file. Syntax errors say where (line and column), so a user can find them
 * from the app picker or `bulkrun apps` without the server's log.
 */
function parseAppFile(file: string, raw: string): { value: unknown } | { problems: string[] } {
  // Editors on Windows may write a byte-order mark, which JSON.parse refuses.
  const text = raw.replace(/^\uFEFF/, '');
  if (file.toLowerCase().endsWith('.json')) {
    try {
      return { value: JSON.parse(text) };
    } catch (e) {
      return { problems: [jsonSyntaxProblem(text, (e as Error).message)] };
    }
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    return {
      problems: doc.errors.map(err => {
        // The message repeats the position and adds a code frame: keep its first sentence.
        const msg = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        const pos = err.linePos?.[0];
        return pos
          ? `YAML syntax error at line ${pos.line}, column ${pos.col}: ${msg}`
          : `YAML syntax error: ${msg}`;
      }),
    };
  }
  return { value: doc.toJS() };
}

function jsonSyntaxProblem(text: string, message: string): string {
  const m = /at position (\d+)/.exec(message);
  const end = /end of JSON input/.test(message);
  const pos = m ? Number(m[1]) : end ? text.length : jsonErrorOffset(text);
  let what = end
    ? 'unexpected end of the file'
    : message.replace(/ in JSON at position \d+.*$/, '').replace(/^./, c => c.toLowerCase());
  // "Unexpected token '}', ..." "title": }" is not valid JSON": the position says more.
  what = what.replace(/^(unexpected token '.*?'), .*$/s, '$1');
  const before = text.slice(0, pos).split('\n');
  const line = before.length;
  const col = before[before.length - 1].length + 1;
  return `JSON syntax error at line ${line}, column ${col}: ${what}`;
}

/**
 * Offset of the character JSON.parse stumbles on, for messages that name none (Node 20's
 * "Unexpected token"): the shortest prefix that fails before its own end. Shorter prefixes
 * only fail by ending early, so the search can halve.
 */
function jsonErrorOffset(text: string): number {
  const failsInside = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (e) {
      const msg = (e as Error).message;
      const at = /at position (\d+)/.exec(msg);
      return !/end of JSON input/.test(msg) && !(at && Number(at[1]) >= n);
    }
  };
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsInside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

/**
 * Fills in what an app file may leave out: the description (the title), and `{$appDir}`
 * in the command (the app file's directory, so apps can ship their scripts).
 */
function withDefaults(app: AppDefinition, dir: string): AppDefinition {
  let out = app;
  if (out.description === undefined) out = { ...out, description: out.title };
  if (!out.command.some(el => el.includes(APP_DIR_PLACEHOLDER))) return out;
  const abs = escapeBraces(path.resolve(dir));
  return { ...out, command: out.command.map(el => el.split(APP_DIR_PLACEHOLDER).join(abs)) };
}

/** `/a/0/b` → `a[0].b` */
function fieldPath(instancePath: string): string {
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out ? `.${seg}` : seg;
  }
  return out;
}

function join(base: string, name: string): string {
  return base ? `${base}.${name}` : name;
}

function toParamError(app: AppDefinition, e: ErrorObject): ParamError {
  const at = fieldPath(e.instancePath);
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'required':
      return { field: join(at, p.missingProperty), message: 'is required' };
    case 'dependencies':
    case 'dependentRequired':
      return {
        field: join(at, p.missingProperty),
        message: `is required when ${p.property} is set`,
      };
    case 'additionalProperties': {
      const known = Object.keys((app.parameters as any).properties ?? {});
      const hint = known.length && known.length <= 20 ? ` (known: ${known.join(', ')})` : '';
      return {
        field: join(at, p.additionalProperty),
        message: `is not a parameter of ${app.id}${hint}`,
      };
    }
    case 'enum':
      return {
        field: at,
        message: `must be one of: ${(p.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}`,
      };
    case 'format':
      if (p.format === 'path') {
        return { field: at, message: "must be a path without '..' segments or NUL bytes" };
      }
      return { field: at, message: `must be a valid ${p.format}` };
    case 'type':
      return { field: at, message: `must be ${/^[aeiou]/.test(p.type) ? 'an' : 'a'} ${p.type}` };
    default:
      return { field: at, message: e.message ?? `fails ${e.keyword}` };
  }
}

function findNul(v: unknown, at: string, out: ParamError[]): void {
  if (typeof v === 'string') {
    if (v.includes('\0')) out.push({ field: at, message: 'must not contain NUL bytes' });
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => findNul(x, `${at}[${i}]`, out));
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) findNul(x, join(at, k), out);
  }
}

/** Dotted numeric comparison ("1.10.0" > "1.9.2"); non-numeric parts compare as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    if (x === '') return -1;
    if (y === '') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
