/**
 * The store: one SQLite file, its query families and the transaction helper. Every SQL
 * statement of the server lives in a file of this folder, prepared once when the store
 * opens (after the migrations): one file per family, each with its test file in
 * test/store/.
 */
import { AttemptQueries } from './attempts';
import { BatchQueries } from './batches';
import { openDatabase, type DB } from './db';
import { EventQueries } from './events';
import { JobQueries } from './jobs';
import { PageQueries } from './pages';
import { QueueQueries } from './queue';
import { SlotQueries } from './slots';
import { TokenQueries } from './tokens';
import { UsageQueries } from './usage';
import { WriteQueries } from './writes';

export class Store {
  readonly jobs: JobQueries;
  readonly attempts: AttemptQueries;
  readonly batches: BatchQueries;
  readonly slots: SlotQueries;
  readonly queue: QueueQueries;
  readonly pages: PageQueries;
  readonly events: EventQueries;
  readonly tokens: TokenQueries;
  readonly usage: UsageQueries;
  readonly writes: WriteQueries;

  constructor(readonly db: DB) {
    this.jobs = new JobQueries(db);
    this.attempts = new AttemptQueries(db);
    this.batches = new BatchQueries(db);
    this.slots = new SlotQueries(db);
    this.queue = new QueueQueries(db);
    this.pages = new PageQueries(db);
    this.events = new EventQueries(db);
    this.tokens = new TokenQueries(db);
    this.usage = new UsageQueries(db);
    this.writes = new WriteQueries(db);
  }

  static open(file: string): Store {
    return new Store(openDatabase(file));
  }

  /** Runs fn in one transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    this.db.close();
  }
}

export type { JobRow, BatchRow } from './rows';
