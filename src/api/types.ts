/**
 * The server's public records and events, as types, from their one definition in
 * kernel-ext/src/protocol (its declarations come with the server build, which `make`
 * runs first). The few runtime values the views need are written here and typed by it.
 */
import type * as Protocol from 'bulkrun-server/dist/protocol';

export type {
  BatchCounts,
  BatchEvent,
  BatchRecord,
  BatchSpec,
  ClientMessage,
  FanInPolicy,
  HealthReport,
  JobError,
  JobEvent,
  JobRecord,
  JobRole,
  JobStatus,
  LogChunk,
  LogEvent,
  PathCheckResult,
  Resources,
  RetryResult,
  RowError,
  ServerMessage,
} from 'bulkrun-server/dist/protocol';

export const JOB_STATUSES: readonly Protocol.JobStatus[] = [
  'created',
  'queued',
  'running',
  'completed',
  'error',
  'terminated',
];

export function isTerminal(s: Protocol.JobStatus | string | undefined | null): boolean {
  return s === 'completed' || s === 'error' || s === 'terminated';
}

/** An app as the views read it: its parameters are the JSON Schema the grid renders. */
export interface AppDefinition extends Omit<Protocol.AppDefinition, 'parameters'> {
  parameters: JSONSchema;
}

/** The subset of JSON Schema the parameter grid understands. */
export interface JSONSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JSONSchema>;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
  format?: string;
  items?: JSONSchema;
  [extra: string]: unknown;
}
