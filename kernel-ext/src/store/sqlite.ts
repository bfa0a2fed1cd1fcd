/**
 * The SQLite driver: Node's built-in `node:sqlite` (nothing to compile at install time),
 * behind the small synchronous API the store uses: prepare → run / get / all / iterate,
 * `pluck()` for one-column reads, and nested transactions. Calls are synchronous, so a
 * state change is one transaction that no other callback can interleave with.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';

/** Bind parameters: positional values, or one object of named ones (`@name` in SQL). */
type Params = any[];

const MIN_NODE = [22, 13];

function loadSqlite(): typeof import('node:sqlite') {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const mod =
    major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])
      ? process.getBuiltinModule?.('node:sqlite')
      : undefined;
  if (!mod) {
    throw new Error(
      `The Bulkrun server needs Node ${MIN_NODE.join('.')} or newer for its built-in SQLite ` +
        `(this is Node ${process.versions.node} at ${process.execPath}). ` +
        'The jupyterlab-bulkrun package brings one: run the server with `bulkrun serve`.'
    );
  }
  return mod;
}

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/**
 * `@name` parameters, rewritten to `?` at prepare time: node:sqlite binds an object of
 * named values 2-3× slower than positional ones (14-27 µs against 7 µs a row of 22
 * columns here), and inserting 10,000 rows is the hot path of POST /batches.
 */
function positional(sql: string): { sql: string; names: string[] | null } {
  if (!sql.includes('@')) return { sql, names: null };
  const names: string[] = [];
  // Quoted strings and identifiers are copied as they are; @name outside them becomes ?.
  const out = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|@([A-Za-z_][A-Za-z0-9_]*)/g, (m, name) => {
    if (!name) return m;
    names.push(name);
    return '?';
  });
  return names.length ? { sql: out, names } : { sql, names: null };
}

/** A prepared statement. `pluck()` makes get/all/iterate return the first column only. */
export class Statement {
  private plucked = false;

  constructor(
    private readonly stmt: StatementSync,
    /** The `@name` of each `?`, in order, when the SQL named its parameters. */
    private readonly names: string[] | null = null
  ) {}

  /** One object of named values → the positional values of the rewritten SQL. */
  private bind(params: Params): SQLInputValue[] {
    if (!this.names) return params as SQLInputValue[];
    const values = params[0] as Record<string, SQLInputValue> | undefined;
    if (params.length !== 1 || values === null || typeof values !== 'object')
      throw new TypeError('This statement takes one object of named parameters');
    return this.names.map(n => {
      const v = values[n];
      if (v === undefined) throw new RangeError(`Missing named parameter "${n}"`);
      return v;
    });
  }

  pluck(on = true): this {
    this.plucked = on;
    this.stmt.setReturnArrays(on);
    return this;
  }

  run(...params: Params): RunResult {
    const r = this.stmt.run(...this.bind(params));
    return { changes: Number(r.changes), lastInsertRowid: r.lastInsertRowid };
  }

  get(...params: Params): unknown {
    const row = this.stmt.get(...this.bind(params));
    return this.plucked && row !== undefined ? (row as unknown as unknown[])[0] : row;
  }

  all(...params: Params): unknown[] {
    const rows = this.stmt.all(...this.bind(params));
    return this.plucked ? rows.map(r => (r as unknown as unknown[])[0]) : rows;
  }

  *iterate(...params: Params): IterableIterator<unknown> {
    for (const row of this.stmt.iterate(...this.bind(params)))
      yield this.plucked ? (row as unknown as unknown[])[0] : row;
  }
}

export interface OpenOptions {
  readonly?: boolean;
}

/** One database connection. */
export class Database {
  private readonly db: DatabaseSync;
  /** Open transaction levels: 0 outside, 1 in BEGIN, n > 1 in savepoints. */
  private depth = 0;

  constructor(file: string, opts: OpenOptions = {}) {
    const { DatabaseSync } = loadSqlite();
    this.db = new DatabaseSync(file, { readOnly: !!opts.readonly });
  }

  prepare(sql: string): Statement {
    const p = positional(sql);
    return new Statement(this.db.prepare(p.sql), p.names);
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  /** `PRAGMA <text>`; answers the first column of its first row (e.g. the journal mode). */
  pragma(text: string): unknown {
    return this.prepare(`PRAGMA ${text}`).pluck().get();
  }

  /**
   * Wraps fn in a transaction: BEGIN … COMMIT, or a savepoint when already inside one, so
   * nested calls join the outer transaction and roll back only their own part on throw.
   */
  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T {
    return (...args: A): T => {
      const level = this.depth;
      const name = `tx${level}`;
      this.db.exec(level === 0 ? 'BEGIN' : `SAVEPOINT ${name}`);
      this.depth++;
      try {
        const result = fn(...args);
        if (result instanceof Promise) throw new TypeError('A transaction cannot be async');
        this.db.exec(level === 0 ? 'COMMIT' : `RELEASE ${name}`);
        return result;
      } catch (err) {
        // SQLite may already have rolled back (a full disk, say); then there is nothing to undo.
        if (this.db.isTransaction) {
          if (level === 0) this.db.exec('ROLLBACK');
          else this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
        }
        throw err;
      } finally {
        this.depth--;
      }
    };
  }

  get inTransaction(): boolean {
    return this.db.isTransaction;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
