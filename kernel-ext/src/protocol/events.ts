/**
 * The WebSocket protocol (docs/ARCHITECTURE.md "Data path"; the message types below are the whole protocol). One file holds
 * every message shape so server and frontend agree on them.
 */
import type { BatchCounts, JobRecord, JobStatus } from './records';

/**
 * REST answers that a live view pairs with this stream (a batch, its jobs) carry the seq
 * of the newest event they reflect in this header; events after it apply on top.
 */
export const SEQ_HEADER = 'bulkrun-seq';

// ---- client → server
export interface SubscribeMessage {
  type: 'subscribe';
  batchIds?: string[];
  jobIds?: string[];
  /** Replay every persisted event with seq > since before going live. */
  since?: number;
}
export interface LogsMessage {
  type: 'logs';
  jobId: string;
  stream: 'stdout' | 'stderr';
  follow: boolean;
  offset?: number;
}
export interface PingMessage {
  type: 'ping';
}
export type ClientMessage = SubscribeMessage | LogsMessage | PingMessage;

// ---- server → client
export interface HelloEvent {
  type: 'hello';
  seq: number;
}
/** A job changed: the changed fields plus `id` and `status`. */
export interface JobEvent {
  type: 'job';
  seq: number;
  job: Partial<JobRecord> & { id: string; status: JobStatus };
  /** Extension: why it changed (reaper actions, retries), for the UI to show. */
  reason?: string;
}
export interface BatchEvent {
  type: 'batch';
  seq: number;
  batch: {
    id: string;
    status: JobStatus;
    counts: BatchCounts;
    total?: number;
    fanInJobId?: string | null;
  };
}
export interface LogEvent {
  type: 'log';
  jobId: string;
  stream: 'stdout' | 'stderr';
  offset: number;
  data: string;
}
export interface ResetEvent {
  type: 'reset';
}
export interface ErrorEvent {
  type: 'error';
  code: string;
  message: string;
}
export interface PongEvent {
  type: 'pong';
}
export type ServerMessage =
  | HelloEvent
  | JobEvent
  | BatchEvent
  | LogEvent
  | ResetEvent
  | ErrorEvent
  | PongEvent;

/** The persisted, sequenced events (job and batch); logs and control frames are not persisted. */
export type SequencedEvent = JobEvent | BatchEvent;
