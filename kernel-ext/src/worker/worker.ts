/**
 * `bulkrun worker`: takes tasks from the broker, at most `concurrency` at a time
 * (prefetch), and runs each one the server lets it claim (backends/rabbitmq.ts has the
 * rules). Its promises (docs/SEMANTICS.md "Worker pool"):
 * - a task is acked only after the server recorded its exit; until then the broker keeps
 *   it, so a worker that dies loses nothing;
 * - while the broker is away, running tasks go on; their ends are reported once it is
 *   back (a delivery of the old connection is not acked: the broker already took it back,
 *   and the server skips it at its next claim);
 * - with `exitWhenIdle`, it exits 0 after that long connected with nothing to do, so a
 *   pool can scale to zero; SIGTERM stops taking tasks, lets running ones end, exits 0.
 */
import { randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import pino from 'pino';
import type { Logger } from '../backends/base';
import { AmqpLink } from '../backends/amqp-link';
import { installWrapper } from '../backends/install';
import {
  assertTopology,
  type CancelControl,
  type ClaimReply,
  decode,
  encode,
  type ExitEvent,
  type HeartbeatEvent,
  names,
  type Names,
  type TaskMessage,
  type WorkerEvent,
} from '../backends/rabbitmq-protocol';
import { TaskRun, type TaskLimits } from './task';

export interface WorkerOptions {
  amqp: string;
  queue: string;
  concurrency: number;
  exitWhenIdleSeconds: number | null;
  workRoot: string;
  labels: Record<string, string>;
  heartbeatSeconds: number;
  keepWorkDirs: boolean;
  limits: TaskLimits;
  log: Logger;
}

interface Running {
  run: TaskRun;
  /** The delivery to ack: the newest one, if the broker delivered it again to us. */
  msg: ConsumeMessage;
  ch: ConfirmChannel;
}

/** The worker's log: JSON lines on stderr, as the server's. */
export function workerLog(level: string): Logger {
  return pino({ level, base: { name: 'bulkrun-worker' } }, pino.destination(2));
}

const CLAIM_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 30_000;

export class Worker {
  readonly id: string;
  private readonly n: Names;
  private link: AmqpLink;
  private running = new Map<string, Running>();
  /** Deliveries being claimed (they hold a prefetch slot, not yet a process). */
  private claiming = 0;
  private claims = new Map<string, Promise<ClaimReply | null>>();
  private replyQueue: string | null = null;
  /**
   * The channel of the current connection, set before its consumers start: deliveries can
   * arrive while setup still runs, before the link reports the channel as up.
   */
  private current: ConfirmChannel | null = null;
  private consumerTag: string | null = null;
  private pending = new Map<string, { resolve(v: unknown): void; reject(e: Error): void }>();
  private wrapper: string;
  private lastBusy = Date.now();
  private draining = false;
  private timers: NodeJS.Timeout[] = [];
  private finished!: (code: number) => void;
  readonly exited: Promise<number>;

  constructor(private readonly o: WorkerOptions) {
    this.id = `${os
      .hostname()
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .slice(0, 60)}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.n = names(o.queue);
    this.exited = new Promise(r => (this.finished = r));
    fs.mkdirSync(o.workRoot, { recursive: true });
    this.wrapper = installWrapper(path.join(o.workRoot, '.bulkrun'));
    this.link = new AmqpLink({
      url: o.amqp,
      log: o.log,
      name: `bulkrun-worker ${this.id}`,
      setup: ch => this.setup(ch),
      onUp: () => {
        this.lastBusy = Date.now();
        this.heartbeat();
      },
      onDown: why => {
        this.current = null;
        this.replyQueue = null;
        this.consumerTag = null;
        for (const p of this.pending.values())
          p.reject(new Error(`broker connection lost: ${why}`));
        this.pending.clear();
      },
    });
  }

  async start(): Promise<void> {
    await this.link.start();
    this.timers.push(setInterval(() => this.heartbeat(), this.o.heartbeatSeconds * 1000));
    this.timers.push(setInterval(() => this.checkIdle(), 500));
    this.o.log.info(
      {
        worker: this.id,
        queue: this.n.tasks,
        concurrency: this.o.concurrency,
        workRoot: this.o.workRoot,
      },
      'worker started'
    );
  }

  private async setup(ch: ConfirmChannel): Promise<void> {
    this.current = ch;
    // A request to a server whose queue no longer exists comes back (mandatory).
    ch.on('return', (m: ConsumeMessage) => this.onReturned(m));
    await assertTopology(ch, this.n);
    await ch.prefetch(this.o.concurrency);
    const replies = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    await ch.consume(replies.queue, m => m && this.onReply(m), { noAck: true });
    const control = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    await ch.bindQueue(control.queue, this.n.control, '');
    await ch.consume(control.queue, m => m && this.onControl(m), { noAck: true });
    this.replyQueue = replies.queue;
    if (!this.draining) {
      const c = await ch.consume(this.n.tasks, m => m && void this.onTask(ch, m), { noAck: false });
      this.consumerTag = c.consumerTag;
    }
  }

  // ------------------------------------------------------------------ requests

  private onReply(m: ConsumeMessage): void {
    const id = m.properties.correlationId as string | undefined;
    const p = id ? this.pending.get(id) : undefined;
    if (!p) return;
    this.pending.delete(id!);
    try {
      p.resolve(JSON.parse(m.content.toString('utf8')));
    } catch (e) {
      p.reject(e as Error);
    }
  }

  /** The server a request went to has no queue any more (gone for good): its tasks are void. */
  private onReturned(m: ConsumeMessage): void {
    const id = m.properties.correlationId as string | undefined;
    const p = id ? this.pending.get(id) : undefined;
    if (!p) return;
    this.pending.delete(id!);
    this.o.log.warn(
      { queue: m.fields.routingKey },
      "the task's server has no events queue: dropping it"
    );
    p.resolve({ type: 'claim-reply', action: 'skip', reason: 'its server is gone' });
  }

  /** Sends an event to the task's server and waits for its answer (claims and exits). */
  private async request<T>(to: string, ev: WorkerEvent, timeoutMs: number): Promise<T> {
    const ch = this.link.channel;
    const replyTo = this.replyQueue;
    if (!ch || !replyTo) throw new Error('not connected to the broker');
    const correlationId = randomUUID();
    const answer = new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new Error(`no answer from the server in ${timeoutMs / 1000} s`));
      }, timeoutMs);
      t.unref?.();
      this.pending.set(correlationId, {
        resolve: v => {
          clearTimeout(t);
          resolve(v as T);
        },
        reject: e => {
          clearTimeout(t);
          reject(e);
        },
      });
    });
    answer.catch(() => undefined);
    // Neither persistent nor confirmed: the server's answer is the confirmation, and a
    // request lost with a broker restart is sent again (the caller retries until answered).
    // A persisted message would wait for the broker's disk sync on every task.
    ch.publish('', to, encode(ev), {
      replyTo,
      correlationId,
      mandatory: true,
      // A request nobody answered in time is void: the worker asks again.
      expiration: String(timeoutMs),
    });
    return answer;
  }

  /**
   * Fire and forget: previews to a task's server (`to`), heartbeats to every server
   * (`to` null); the exit event repeats what matters.
   */
  private send(to: string | null, ev: WorkerEvent, ttlMs?: number): void {
    const ch = this.link.channel;
    if (!ch) return;
    try {
      const opts = ttlMs ? { expiration: String(ttlMs) } : {};
      if (to) ch.publish('', to, encode(ev), opts);
      else ch.publish(this.n.heartbeats, '', encode(ev), opts);
    } catch {
      // The channel closed under us; the link reconnects.
    }
  }

  // ------------------------------------------------------------------ tasks

  private async onTask(ch: ConfirmChannel, m: ConsumeMessage): Promise<void> {
    this.lastBusy = Date.now();
    const task = decode<TaskMessage>(m.content, ['task']);
    if (!task || !task.events.startsWith(this.n.eventsPrefix)) {
      this.o.log.error({ bytes: m.content.length }, 'unreadable task: dead-lettered');
      safely(() => ch.nack(m, false, false));
      return;
    }
    // The same job delivered again while its first delivery is being claimed (a duplicate
    // message, or a redelivery after a reconnect): the first claim's outcome decides.
    const earlier = this.claims.get(task.jobId);
    if (earlier) await earlier.catch(() => null);
    const mine = this.running.get(task.jobId);
    if (mine) {
      // The broker gave it back to us after a reconnect: the one running now answers for it.
      mine.msg = m;
      mine.ch = ch;
      return;
    }
    this.claiming++;
    let reply: ClaimReply | null = null;
    const claim = this.claim(ch, task, m.fields.redelivered);
    this.claims.set(task.jobId, claim);
    try {
      reply = await claim;
    } finally {
      this.claiming--;
      if (this.claims.get(task.jobId) === claim) this.claims.delete(task.jobId);
    }
    if (!reply) return; // the connection that delivered it is gone; the broker has it back
    if (reply.action !== 'run') {
      this.o.log.debug({ jobId: task.jobId, reason: reply.reason }, 'task skipped');
      safely(() => ch.ack(m));
      return;
    }
    this.run(ch, m, task);
  }

  private async claim(
    ch: ConfirmChannel,
    task: TaskMessage,
    redelivered: boolean
  ): Promise<ClaimReply | null> {
    const row = task.batchId && task.index !== null ? `${task.batchId}#${task.index}` : task.jobId;
    for (;;) {
      if (this.current !== ch) return null;
      try {
        const r = await this.request<ClaimReply>(
          task.events,
          { type: 'claim', jobId: task.jobId, worker: this.id, row, redelivered },
          CLAIM_TIMEOUT_MS
        );
        if (r && (r.action === 'run' || r.action === 'skip')) return r;
        // `wait` (another worker was granted it and has not started it): keep the
        // delivery and ask again; the server answers run or skip within its worker timeout.
        if (r?.action === 'wait')
          this.o.log.debug({ jobId: task.jobId, reason: r.reason }, 'claim: asked to wait');
      } catch (e) {
        // The server may be restarting: the delivery stays with us (no requeue, which the
        // broker would count toward the delivery limit) and we ask again.
        this.o.log.warn(
          { jobId: task.jobId, err: (e as Error).message },
          'claim not answered; asking again'
        );
      }
      await sleep(1000);
    }
  }

  private run(ch: ConfirmChannel, m: ConsumeMessage, task: TaskMessage): void {
    const run = new TaskRun(
      task,
      this.o.workRoot,
      this.wrapper,
      this.o.limits,
      {
        started: record =>
          this.send(task.events, { type: 'started', jobId: task.jobId, worker: this.id, record }),
        log: (stream, offset, data) =>
          this.send(task.events, {
            type: 'log',
            jobId: task.jobId,
            worker: this.id,
            stream,
            offset,
            data: data.toString('base64'),
          }),
      },
      { BULKRUN_WORKER_ID: this.id, BULKRUN_WORKER_PID: String(process.pid) }
    );
    const entry: Running = { run, msg: m, ch };
    this.running.set(task.jobId, entry);
    this.o.log.info({ jobId: task.jobId }, 'task started');
    void run.done.then(async ev => {
      if (this.aborted) return;
      await this.report(task.events, { ...ev, worker: this.id });
      this.running.delete(task.jobId);
      this.lastBusy = Date.now();
      // Acked only on the channel it came from; a dead channel's delivery is back in the queue.
      if (this.current === entry.ch) safely(() => entry.ch.ack(entry.msg));
      if (!this.o.keepWorkDirs) fs.rmSync(run.dir, { recursive: true, force: true });
      this.o.log.info({ jobId: task.jobId, failure: ev.failure }, 'task ended');
      this.maybeFinish();
    });
  }

  /** Sends the exit until the server says it recorded it, across reconnects. */
  private async report(to: string, ev: ExitEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.request(to, ev, EXIT_TIMEOUT_MS);
        return;
      } catch (e) {
        if (attempt % 10 === 0)
          this.o.log.warn(
            { jobId: ev.jobId, err: (e as Error).message },
            'exit not recorded yet; retrying'
          );
      }
      await sleep(Math.min(5000, 500 * (attempt + 1)));
    }
  }

  private onControl(m: ConsumeMessage): void {
    const c = decode<CancelControl>(m.content, ['cancel']);
    if (!c) return;
    for (const id of c.jobIds) {
      const r = this.running.get(String(id));
      if (r) {
        this.o.log.info({ jobId: id }, 'cancelled by the server');
        r.run.kill();
      }
    }
  }

  private heartbeat(): void {
    const hb: HeartbeatEvent = {
      type: 'heartbeat',
      worker: this.id,
      host: os.hostname(),
      pid: process.pid,
      concurrency: this.o.concurrency,
      labels: this.o.labels,
      jobs: [...this.running.values()].map(r => ({ id: r.run.jobId, events: r.run.msg.events })),
      everySeconds: this.o.heartbeatSeconds,
    };
    this.send(null, hb, this.o.heartbeatSeconds * 3000);
  }

  // ------------------------------------------------------------------ stopping

  private checkIdle(): void {
    const idle = this.o.exitWhenIdleSeconds;
    if (idle === null || this.draining || !this.link.up) return;
    if (this.running.size || this.claiming) return;
    if (Date.now() - this.lastBusy >= idle * 1000) {
      this.o.log.info({ idleSeconds: idle }, 'idle: exiting');
      void this.stop(0);
    }
  }

  /** Stops taking tasks; resolves `exited` once the running ones are reported. */
  async stop(code = 0): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.exitCode = code;
    const ch = this.link.channel;
    if (ch && this.consumerTag) await ch.cancel(this.consumerTag).catch(() => undefined);
    this.maybeFinish();
  }

  private exitCode = 0;
  private aborted = false;

  private maybeFinish(): void {
    if (!this.draining || this.running.size || this.claiming) return;
    this.send(null, { type: 'bye', worker: this.id });
    for (const t of this.timers) clearInterval(t);
    void (async () => {
      // Tasks prefetched but never claimed go back to the queue when the channel closes.
      await sleep(100);
      await this.link.close();
      this.finished(this.exitCode);
    })();
  }

  /** Immediate stop (a second signal): the jobs are killed, their tasks run elsewhere. */
  async abort(): Promise<void> {
    this.aborted = true;
    for (const r of this.running.values()) r.run.kill(0);
    for (const t of this.timers) clearInterval(t);
    await this.link.close();
    this.finished(1);
  }
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    // The channel closed: the broker requeues the delivery by itself.
  }
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
