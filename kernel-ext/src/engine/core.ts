/**
 * The engine's parts and what they depend on. Only the composition root (engine.ts)
 * builds these; a part gets the core it reads and the effects it asks of the other
 * parts, never the Engine itself, so parts import no part that imports them.
 */
import type { AppRegistry } from '../apps/registry';
import type { Backend, Logger, SubmitOutcome } from '../backends/base';
import type { Store } from '../store';
import type { JobRow } from '../store/rows';
import type { EngineConfig } from './config';
import type { Lifecycle } from './lifecycle';
import type { Storage } from './storage';

/** What every part reads: the store, the one lifecycle that changes states, and the setup. */
export interface Core {
  readonly store: Store;
  /** Every state change goes through it, in a transaction (lifecycle.ts). */
  readonly life: Lifecycle;
  readonly apps: AppRegistry;
  readonly backends: ReadonlyMap<string, Backend>;
  /** Shared by reference: the server fills in publicUrl after the engine is built. */
  readonly config: EngineConfig;
  readonly log: Logger;
  /** The data dir's free space; background writes that fail for it wait there (storage.ts). */
  readonly storage: Storage;
}

/** What a part asks of another part; the composition root routes each to its owner. */
export interface Effects {
  /** A dispatch pass soon (Dispatcher); many calls in one tick collapse into one pass. */
  kick(): void;
  /** Records what the schedulers answered to submissions (Dispatcher), in one commit. */
  recordOutcomes(outcomes: SubmitOutcome[]): void;
  /** Retries a transient failure by itself, within the batch's maxRetries (retry.ts; inside a commit). */
  autoRetry(row: JobRow): void;
  /** Tells the schedulers to stop these jobs, best effort (Tracker). */
  cancelAtBackend(rows: JobRow[]): Promise<void>;
  /** Carries a priority change to the schedulers for jobs they hold queued, best effort (Tracker). */
  reprioritize(rows: JobRow[]): Promise<void>;
  /** A backend failed a call: nothing goes to it until a poll reaches it again (Tracker). */
  markUnavailable(backend: string, detail: string): void;
  /** Whether a backend is known to be unreachable now (Tracker's cached health). */
  isDown(backend: string): boolean;
}

/** What the request-level rules (cancel.ts, retry.ts) and the reaper are given; the Engine is one. */
export interface Parts {
  readonly core: Core;
  readonly effects: Effects;
}
