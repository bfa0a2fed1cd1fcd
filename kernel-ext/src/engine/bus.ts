/** In-process fan-out of committed events to WebSocket subscribers. */
import type { SequencedEvent } from '../protocol/events';

export interface Published {
  owner: string;
  batchId: string | null;
  jobId: string | null;
  event: SequencedEvent;
}

export type Listener = (events: Published[]) => void;

export class EventBus {
  private listeners = new Set<Listener>();

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  publish(events: Published[]): void {
    if (events.length === 0) return;
    for (const l of this.listeners) {
      try {
        l(events);
      } catch {
        // A broken subscriber must not stop the others.
      }
    }
  }
}
