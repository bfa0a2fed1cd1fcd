/** src/store/db.ts: opening a data dir's database and its numbered migrations, on real files. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assetPath } from '../../src/assets';
import { migrate, openDatabase, StatementCache } from '../../src/store/db';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-store-db-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const migrationFiles = () =>
  fs
    .readdirSync(assetPath('migrations'))
    .filter(f => /^\d+_.*\.sql$/.test(f))
    .sort();

test('opens in WAL mode with foreign keys, creating the parent dir', () => {
  const db = openDatabase(path.join(dir, 'nested', 'a', 'bulkrun.db'));
  try {
    expect(db.pragma('journal_mode')).toBe('wal');
    expect(db.pragma('foreign_keys')).toBe(1);
    expect(db.pragma('busy_timeout')).toBe(5000);
  } finally {
    db.close();
  }
});

test('applies every migration once, in order, and records it', () => {
  const file = path.join(dir, 'bulkrun.db');
  const db = openDatabase(file);
  const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as {
    version: number;
    name: string;
  }[];
  expect(rows.map(r => r.name)).toEqual(migrationFiles());
  expect(rows.map(r => r.version)).toEqual(migrationFiles().map(f => parseInt(f, 10)));
  // Already applied: nothing more, on this connection or after a reopen.
  expect(migrate(db)).toBe(0);
  db.close();
  const again = openDatabase(file);
  try {
    expect(again.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(rows.length);
    // The schema the later migrations add is there.
    const cols = (again.prepare('PRAGMA table_info(jobs)').all() as { name: string }[]).map(
      c => c.name
    );
    expect(cols).toContain('params_edited');
    const idx = (
      again.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as {
        name: string;
      }[]
    ).map(r => r.name);
    expect(idx).toEqual(
      expect.arrayContaining(['jobs_waiting', 'jobs_slots', 'jobs_batch_in_use', 'jobs_token', 'jobs_batch_ids'])
    );
  } finally {
    again.close();
  }
});

test('a migration that fails leaves nothing of itself behind', () => {
  const db = openDatabase(path.join(dir, 'bulkrun.db'));
  try {
    // Simulate a half-known state: forget the last migration, break its statement's target.
    const last = migrationFiles()[migrationFiles().length - 1];
    db.prepare('DELETE FROM schema_migrations WHERE version = ?').run(parseInt(last, 10));
    // Re-running the last migration fails (its column or index exists) and is rolled back whole.
    expect(() => migrate(db)).toThrow();
    expect(
      db
        .prepare('SELECT COUNT(*) FROM schema_migrations WHERE version = ?')
        .pluck()
        .get(parseInt(last, 10))
    ).toBe(0);
    expect(db.inTransaction).toBe(false);
  } finally {
    db.close();
  }
});

test('StatementCache compiles each SQL text once', () => {
  const db = openDatabase(path.join(dir, 'bulkrun.db'));
  try {
    const cache = new StatementCache(db);
    const a = cache.get('SELECT 1');
    expect(cache.get('SELECT 1')).toBe(a);
    expect(cache.get('SELECT 2')).not.toBe(a);
    expect(a.pluck().get()).toBe(1);
  } finally {
    db.close();
  }
});
