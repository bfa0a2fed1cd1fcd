/**
 * How many rows one chunk of a big batch cancel or retry takes (cancel.ts, retry.ts): as
 * many as fill about CHUNK_TARGET_MS of the event loop, judged by the chunks before it.
 * Their time includes the commit and the fan-out of its events to every WebSocket
 * connection, which is the larger part with 50 clients watching: a fixed 500 rows held
 * the loop 40 ms with none and 200 ms with 50 (docs/BENCHMARKS.md "Under load"). 25 ms
 * leaves room in the same turn for a request, an exit and the frames they write: at 40,
 * such turns reached 100–160 ms.
 */
export const CHUNK_TARGET_MS = 25;

export class ChunkSizer {
  private size: number;

  constructor(
    first: number,
    private readonly min = 20,
    private readonly max = 2000,
    private readonly targetMs = CHUNK_TARGET_MS
  ) {
    this.size = Math.min(max, Math.max(min, first));
  }

  /** Rows for the next chunk. */
  get next(): number {
    return this.size;
  }

  /** A chunk of `rows` rows held the loop `ms` milliseconds. */
  took(rows: number, ms: number): void {
    if (rows <= 0) return;
    const ideal = (this.targetMs * rows) / Math.max(ms, 0.1);
    // Halfway to the ideal: one slow chunk (a garbage collection) does not swing it all.
    const size = Math.round((this.size + ideal) / 2);
    this.size = Math.min(this.max, Math.max(this.min, size));
  }
}

/** Chunked work waiting for its next turn, first come first served. */
const waiting: (() => void)[] = [];
let turnPending = false;

function nextTurn(): void {
  const go = waiting.shift();
  if (waiting.length) setImmediate(nextTurn);
  else turnPending = false;
  go?.();
}

/**
 * Waits for the next turn of chunked work (cancels, retries, batch writes, big answers):
 * one chunk per turn of the event loop, whoever asks, so two big operations at once do
 * not add up their chunks between two timer checks; timers, requests and frames go
 * between every two chunks. An immediate that setImmediate queues while immediates run
 * waits for the next turn, so each turn releases one chunk.
 */
export function yieldLoop(): Promise<void> {
  return new Promise<void>(r => {
    waiting.push(r);
    if (!turnPending) {
      turnPending = true;
      setImmediate(nextTurn);
    }
  });
}
