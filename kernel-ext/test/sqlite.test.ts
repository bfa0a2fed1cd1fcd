/** The SQLite driver (src/store/sqlite.ts) against real database files. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Database } from '../src/store/sqlite';

let dir: string;
let db: Database;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-sqlite-'));
  db = new Database(path.join(dir, 'test.db'));
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)');
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('positional and named parameters; extra keys of a named object are ignored', () => {
  db.prepare('INSERT INTO t (name, n) VALUES (?, ?)').run('a', 1);
  const info = db
    .prepare('INSERT INTO t (name, n) VALUES (@name, @n)')
    .run({ name: 'b', n: 2, x: 9 });
  expect(info.changes).toBe(1);
  expect(Number(info.lastInsertRowid)).toBe(2);
  expect(db.prepare('SELECT name, n FROM t ORDER BY id').all()).toEqual([
    { name: 'a', n: 1 },
    { name: 'b', n: 2 },
  ]);
});

test('named parameters: repeated names, a missing one, an @ inside a string literal', () => {
  db.prepare("INSERT INTO t (name, n) VALUES ('me@host', @n)").run({ n: 1 });
  expect(db.prepare('SELECT name FROM t').pluck().get()).toBe('me@host');
  db.prepare('UPDATE t SET n = @n + 1, name = @name WHERE n = @n').run({ n: 1, name: 'b' });
  expect(db.prepare('SELECT name, n FROM t').get()).toEqual({ name: 'b', n: 2 });
  expect(() => db.prepare('UPDATE t SET name = @name WHERE n = @n').run({ n: 2 })).toThrow(
    'Missing named parameter "name"'
  );
});

test('pluck returns the first column from get, all and iterate', () => {
  db.prepare('INSERT INTO t (name, n) VALUES (?, ?), (?, ?)').run('a', 1, 'b', 2);
  expect(db.prepare('SELECT name FROM t WHERE n = ?').pluck().get(2)).toBe('b');
  expect(db.prepare('SELECT name FROM t WHERE n = ?').pluck().get(3)).toBeUndefined();
  expect(db.prepare('SELECT n FROM t ORDER BY n').pluck().all()).toEqual([1, 2]);
  expect([...db.prepare('SELECT name FROM t ORDER BY n').pluck().iterate()]).toEqual(['a', 'b']);
  expect(db.pragma('journal_mode')).toBe('delete');
});

test('a transaction commits as a whole or not at all', () => {
  const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
  db.transaction(() => {
    insert.run('a');
    insert.run('b');
  })();
  expect(() =>
    db.transaction(() => {
      insert.run('c');
      throw new Error('boom');
    })()
  ).toThrow('boom');
  expect(db.prepare('SELECT name FROM t ORDER BY id').pluck().all()).toEqual(['a', 'b']);
  expect(db.inTransaction).toBe(false);
});

test('a nested transaction joins the outer one; its failure undoes only its own part', () => {
  const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
  db.transaction(() => {
    insert.run('outer');
    expect(() =>
      db.transaction(() => {
        insert.run('inner');
        throw new Error('inner fails');
      })()
    ).toThrow('inner fails');
    db.transaction(() => insert.run('inner ok'))();
  })();
  expect(db.prepare('SELECT name FROM t ORDER BY id').pluck().all()).toEqual(['outer', 'inner ok']);
});

test('a failed outer transaction undoes a committed nested one', () => {
  const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
  expect(() =>
    db.transaction(() => {
      db.transaction(() => insert.run('nested'))();
      throw new Error('outer fails');
    })()
  ).toThrow('outer fails');
  expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(0);
});

test('an async function is refused as a transaction and leaves nothing written', () => {
  const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
  expect(() =>
    db.transaction(() => {
      insert.run('x');
      return Promise.resolve();
    })()
  ).toThrow('cannot be async');
  expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(0);
});

test('a read-only connection reads and refuses writes', () => {
  db.prepare('INSERT INTO t (name) VALUES (?)').run('a');
  const ro = new Database(path.join(dir, 'test.db'), { readonly: true });
  expect(ro.prepare('SELECT name FROM t').pluck().get()).toBe('a');
  expect(() => ro.prepare('INSERT INTO t (name) VALUES (?)').run('b')).toThrow(/readonly/);
  ro.close();
});
