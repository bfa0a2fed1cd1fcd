/**
 * What the server and `bulkrun worker` say to each other through RabbitMQ: the broker
 * objects both declare (with the same arguments, so either may start first) and the
 * messages, as typed JSON. The rules of who may run a task are in rabbitmq.ts; the
 * worker's side is worker/worker.ts. docs/SEMANTICS.md "Worker pool" states the guarantees.
 *
 *   <queue>.tasks        quorum queue shared by every server and worker of the pool: one
 *                        persistent message per job attempt; a message returned
 *                        BROKER_DELIVERY_LIMIT times goes to <queue>.dlx → <queue>.dead
 *   <queue>.events.<id>  one durable queue per server (its id is kept in its data dir):
 *                        claims, starts, logs and exits of the jobs it published, which
 *                        name it; several users' servers can share one pool this way
 *   <queue>.heartbeats   fanout exchange bound to every server's events queue
 *   <queue>.control      fanout exchange, one exclusive queue per worker: cancels
 */
import type { Channel } from 'amqplib';

/**
 * Deliveries of one message the broker allows before dead-lettering it. Workers return a
 * message only when they die holding it (or cannot parse it), and the server decides a
 * row's fate after `deliveryLimit` worker deaths (rabbitmq.ts), so this is the backstop
 * for a message no worker can even claim. Fixed: a queue's arguments cannot change.
 */
export const BROKER_DELIVERY_LIMIT = 10;

export interface Names {
  tasks: string;
  heartbeats: string;
  control: string;
  dlx: string;
  dead: string;
  /** Prefix of the servers' own events queues. */
  eventsPrefix: string;
}

export function names(queue: string): Names {
  return {
    tasks: `${queue}.tasks`,
    heartbeats: `${queue}.heartbeats`,
    control: `${queue}.control`,
    dlx: `${queue}.dlx`,
    dead: `${queue}.dead`,
    eventsPrefix: `${queue}.events.`,
  };
}

/** An events queue left by a server that is gone for good disappears after a week unused. */
const EVENTS_QUEUE_EXPIRES_MS = 7 * 24 * 3600 * 1000;

/** Declares a server's own events queue, bound to the heartbeats; returns its name. */
export async function assertEventsQueue(ch: Channel, n: Names, serverId: string): Promise<string> {
  const q = `${n.eventsPrefix}${serverId}`;
  // Classic: heartbeats and claims carry a per-message TTL, so a backlog never goes stale.
  await ch.assertQueue(q, {
    durable: true,
    arguments: { 'x-queue-type': 'classic', 'x-expires': EVENTS_QUEUE_EXPIRES_MS },
  });
  await ch.bindQueue(q, n.heartbeats, '');
  return q;
}

/** Declares every shared object; idempotent, same arguments on every side. */
export async function assertTopology(ch: Channel, n: Names): Promise<void> {
  await ch.assertExchange(n.dlx, 'direct', { durable: true });
  await ch.assertQueue(n.dead, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(n.dead, n.dlx, n.dead);
  await ch.assertQueue(n.tasks, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': BROKER_DELIVERY_LIMIT,
      'x-dead-letter-exchange': n.dlx,
      'x-dead-letter-routing-key': n.dead,
    },
  });
  await ch.assertExchange(n.heartbeats, 'fanout', { durable: true });
  await ch.assertExchange(n.control, 'fanout', { durable: true });
}

/** One job attempt to run: published by the server, consumed by one worker. */
export interface TaskMessage {
  type: 'task';
  jobId: string;
  batchId: string | null;
  index: number | null;
  /** The events queue of the server that published it: where its claim and results go. */
  events: string;
  /** The server's work dir for this job: the worker replaces it by its own in `job`. */
  workDir: string;
  /** The job file (workdir.ts `jobFileText`): environment and argv, NUL-separated. */
  job: string;
  /** Small files the job reads from its work dir (a fan-in's inputs), by name. */
  files: Record<string, string>;
}

export interface ClaimRequest {
  type: 'claim';
  jobId: string;
  worker: string;
  /** The row (`batch#index`, or the job id), for counting worker deaths across attempts. */
  row: string;
  redelivered: boolean;
}

/**
 * run: this worker runs it. skip: ack and drop it (done, cancelled, or run elsewhere).
 * wait: keep the delivery and ask again (another worker was granted it but has not shown
 * that it runs it: the answer may have been lost with its broker connection).
 */
export interface ClaimReply {
  type: 'claim-reply';
  action: 'run' | 'skip' | 'wait';
  reason: string;
}

export interface StartedEvent {
  type: 'started';
  jobId: string;
  worker: string;
  /** The wrapper's `started` record line. */
  record: string;
}

/** A live preview of a log; the exit event carries the whole (capped) log again. */
export interface LogEvent {
  type: 'log';
  jobId: string;
  worker: string;
  stream: 'stdout' | 'stderr';
  offset: number;
  data: string; // base64
}

export interface ExitEvent {
  type: 'exit';
  jobId: string;
  worker: string;
  /** The wrapper's record lines: `started`, `exit`, and `usage` where GNU time ran. */
  records: { started: string | null; exit: string | null; usage: string | null };
  /** Whole logs from byte 0, base64, each cut at the worker's cap (`truncated` says so). */
  logs: Record<'stdout' | 'stderr', { data: string; truncated: boolean }>;
  /** `$BULKRUN_OUTPUT` as written (base64), or null; `outputBytes` is its real size. */
  output: string | null;
  outputBytes: number;
  /** Set when the worker could not run the wrapper at all. */
  failure?: string;
}

export interface ExitReply {
  type: 'exit-reply';
  recorded: true;
}

export interface HeartbeatEvent {
  type: 'heartbeat';
  worker: string;
  host: string;
  pid: number;
  concurrency: number;
  labels: Record<string, string>;
  /** Jobs this worker is running now, each with its server's events queue. */
  jobs: { id: string; events: string }[];
  /** Seconds between heartbeats, so the server can tell silence from slowness. */
  everySeconds: number;
}

export interface ByeEvent {
  type: 'bye';
  worker: string;
}

/** A dead-lettered task, handed by whichever server read it to the server that owns it. */
export interface DeadEvent {
  type: 'dead';
  task: TaskMessage;
  deliveries: number;
}

export type WorkerEvent =
  | ClaimRequest
  | StartedEvent
  | LogEvent
  | ExitEvent
  | HeartbeatEvent
  | ByeEvent
  | DeadEvent;

export interface CancelControl {
  type: 'cancel';
  jobIds: string[];
}

export function encode(m: object): Buffer {
  return Buffer.from(JSON.stringify(m), 'utf8');
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isId = (v: unknown): v is string => isStr(v) && /^[A-Za-z0-9_.:-]{1,200}$/.test(v);

/** Parses a message body; null for anything that is not a well-formed message of `want`. */
export function decode<T extends { type: string }>(body: Buffer, want: T['type'][]): T | null {
  let m: unknown;
  try {
    m = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!m || typeof m !== 'object') return null;
  const o = m as Record<string, unknown>;
  if (!isStr(o.type) || !want.includes(o.type)) return null;
  switch (o.type) {
    case 'task':
      return isId(o.jobId) &&
        isId(o.events) &&
        isStr(o.workDir) &&
        isStr(o.job) &&
        typeof o.files === 'object'
        ? (o as unknown as T)
        : null;
    case 'claim':
    case 'started':
    case 'log':
    case 'exit':
      return isId(o.jobId) && isId(o.worker) ? (o as unknown as T) : null;
    case 'heartbeat':
      return isId(o.worker) && Array.isArray(o.jobs) ? (o as unknown as T) : null;
    case 'bye':
      return isId(o.worker) ? (o as unknown as T) : null;
    case 'dead':
      return o.task && typeof o.task === 'object' && isId((o.task as { jobId?: unknown }).jobId)
        ? (o as unknown as T)
        : null;
    case 'cancel':
      return Array.isArray(o.jobIds) ? (o as unknown as T) : null;
    default:
      return o as unknown as T;
  }
}

/** The URL without its password, for logs and /health. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
