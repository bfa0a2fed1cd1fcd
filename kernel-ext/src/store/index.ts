/** The store: one SQLite file, its query families, and the transaction helper. */
import { BatchQueries } from './batches';
import { openDatabase, type DB } from './db';
import { EventQueries } from './events';
import { JobQueries } from './jobs';

export class Store {
  readonly jobs: JobQueries;
  readonly batches: BatchQueries;
  readonly events: EventQueries;

  constructor(readonly db: DB) {
    this.jobs = new JobQueries(db);
    this.batches = new BatchQueries(db);
    this.events = new EventQueries(db);
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
