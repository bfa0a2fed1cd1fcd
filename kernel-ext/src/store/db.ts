/**
 * SQLite store: one file per data dir, WAL mode, numbered migrations applied in order
 * inside a transaction each. The driver (./sqlite.ts, Node's built-in SQLite) is
 * synchronous, which keeps every state change a single atomic transaction without
 * interleaving.
 */
import * as fs from 'fs';
import * as path from 'path';
import { assetPath } from '../assets';
import { Database, type Statement } from './sqlite';

export type DB = Database;
/** A prepared statement taking any bind parameters. */
export type Stmt = Statement;

/**
 * Statements whose SQL text is built at run time (a patch's columns, a list's filters):
 * each distinct text is compiled once, since hot paths run them many times a second.
 * The texts come from code, never from input, so the cache stays small.
 */
export class StatementCache {
  private readonly stmts = new Map<string, Stmt>();

  constructor(private readonly db: DB) {}

  get(sql: string): Stmt {
    let stmt = this.stmts.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.stmts.set(sql, stmt);
    }
    return stmt;
  }
}

const MIGRATIONS_DIR = assetPath('migrations');

export function openDatabase(file: string): DB {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process crash (kill -9); only an OS crash may lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: DB): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, at INTEGER)'
  );
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      r => r.version
    )
  );
  const files = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter(f => /^\d+_.*\.sql$/.test(f))
    .sort();
  let applied = 0;
  for (const f of files) {
    const version = parseInt(f, 10);
    if (done.has(version)) continue;
    const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, f), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, name, at) VALUES (?, ?, ?)').run(
        version,
        f,
        Date.now()
      );
    })();
    applied++;
  }
  return applied;
}
