/**
 * The app registry: app files (JSON or YAML) from the configured app dirs plus the built-in
 * demo apps. An invalid file is skipped with a warning naming the file and every problem,
 * so one bad app never keeps the server from starting.
 */
import type { ValidateFunction } from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import type { Logger } from '../backends/base';
import type { AppDefinition } from '../protocol/records';
import { APP_FILE_SCHEMA, fileAjv, paramsAjv, type ErrorObject } from './schema';
import { escapeBraces, placeholders, renderCommand } from './template';
import { assetPath } from '../assets';

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
        if (!fs.statSync(file).isFile()) continue;
        reg.loadFile(file, log);
      }
    }
    const count = [...reg.byId.values()].reduce((n, v) => n + v.length, 0);
    log.info({ apps: count, dirs: all }, 'apps loaded');
    return reg;
  }

  /** Reads one app file (an app object, or an array of them); warns and skips what is invalid. */
  loadFile(file: string, log: Logger = stderrLogger): void {
    let docs: unknown[];
    try {
      const text = fs.readFileSync(file, 'utf8');
      const parsed = file.endsWith('.json')
        ? JSON.parse(text)
        : YAML.parse(text, { prettyErrors: true });
      docs = Array.isArray(parsed) ? parsed : [parsed];
    } catch (e) {
      log.warn(
        { file, err: (e as Error).message },
        `invalid app file ${file}: cannot parse: ${(e as Error).message}`
      );
      return;
    }
    docs.forEach((doc, i) => {
      const where = docs.length > 1 ? `${file} [${i}]` : file;
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
        return;
      }
      const app = withAppDir(doc as AppDefinition, path.dirname(file));
      this.add({ app, file: where, validate }, log);
    });
  }

  private add(entry: Entry, log: Logger): void {
    const { id, version } = entry.app;
    const versions = this.byId.get(id) ?? [];
    const dup = versions.find(e => e.app.version === version);
    if (dup) {
      log.warn(
        { app: id, version, kept: dup.file, ignored: entry.file },
        `app ${id} ${version} in ${entry.file} duplicates ${dup.file}; keeping the first`
      );
      return;
    }
    versions.push(entry);
    versions.sort((a, b) => compareVersions(b.app.version, a.app.version));
    this.byId.set(id, versions);
    this.validators.set(entry.app, entry.validate);
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
  if (!validateAppFile(doc)) {
    return (validateAppFile.errors ?? []).map(e => describeFileError(e));
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

function describeFileError(e: ErrorObject): string {
  const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
  if (e.keyword === 'required')
    return `${at === '(top level)' ? '' : at + '.'}${(e.params as any).missingProperty}: is required`;
  if (e.keyword === 'additionalProperties') {
    return `${at === '(top level)' ? '' : at + '.'}${(e.params as any).additionalProperty}: unknown field`;
  }
  if (e.keyword === 'enum')
    return `${at}: must be one of ${(e.params as any).allowedValues.join(', ')}`;
  return `${at}: ${e.message}`;
}

/** `{$appDir}` in a command becomes the app file's directory, so apps can ship their scripts. */
function withAppDir(app: AppDefinition, dir: string): AppDefinition {
  if (!app.command.some(el => el.includes(APP_DIR_PLACEHOLDER))) return app;
  const abs = escapeBraces(path.resolve(dir));
  return { ...app, command: app.command.map(el => el.split(APP_DIR_PLACEHOLDER).join(abs)) };
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
