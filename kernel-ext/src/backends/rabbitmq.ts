/**
 * RabbitMQ backend: rows run on a pool of `bulkrun worker` processes anywhere (pods, cloud
 * machines, lab computers) that share nothing with the server but the broker. Each job
 * attempt is one persistent message in a quorum queue, published with confirms; the
 * server is the only one who decides what runs (docs/SEMANTICS.md "Worker pool"):
 *
 * - A worker claims each delivery before running it. The server answers `run` only for an
 *   active job no other worker holds; a job that finished, was cancelled or runs
 *   elsewhere is `skip` (the worker acks it). So a redelivered message never runs a
 *   recorded job again, and delivery stays at-least-once without double runs. A job
 *   granted to a worker that has not yet shown it runs it is `wait`: that `run` answer
 *   may have been lost with the worker's connection (a broker restart), and this
 *   redelivery is the task it lost; the hold lapses and the waiting worker runs it.
 * - Results (start, logs, `$BULKRUN_OUTPUT`, exit records) come back as events and are
 *   written into the job's work dir here, so every other part of the server reads them
 *   as from any backend. The worker acks its task only after the exit was recorded.
 * - A worker that holds a job and is silent for `workerTimeoutSeconds` while the broker
 *   link is up has died: the job ends `node_failure`, which the batch's automatic retries
 *   run again as a new attempt. A row whose workers died `deliveryLimit` times ends
 *   `dead_lettered`: a poison task stops there, and the other rows go on.
 * - While the broker is down nothing times out (silence is not counted), submissions
 *   wait (BackendUnavailable) and /health says why.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type {
  Backend,
  BackendContext,
  BackendHealth,
  StatusUpdate,
  SubmitOutcome,
  SubmitRequest,
  TrackedJob,
} from './base';
import { BackendUnavailable } from './base';
import { AmqpLink, publishConfirmed } from './amqp-link';
import { readExitUpdate } from './exit-record';
import {
  assertEventsQueue,
  assertTopology,
  type CancelControl,
  type ClaimReply,
  type ClaimRequest,
  type DeadEvent,
  decode,
  encode,
  type ExitEvent,
  type HeartbeatEvent,
  type LogEvent,
  names,
  type Names,
  redactUrl,
  type StartedEvent,
  type TaskMessage,
  type WorkerEvent,
} from './rabbitmq-protocol';
import { FILES } from './workdir';

export interface RabbitMQConfig {
  url?: string;
  /** Prefix of the broker objects (rabbitmq-protocol.ts); one per team or site. */
  queue?: string;
  /** Worker deaths while running one row before it ends `dead_lettered` (default 3). */
  deliveryLimit?: number;
  /** Silence after which a worker holding jobs is taken for dead (default 30). */
  workerTimeoutSeconds?: number;
  pollIntervalMs?: number;
  /** Per-user slot limit (default none: the pool's size is the limit). */
  slots?: number | null;
  /** Largest log kept per stream from a live preview (the exit carries the worker's cap). */
  logMaxBytes?: number;
  /** True only if the workers see this machine's paths (Backend.sharedFilesystem). */
  sharedFilesystem?: boolean;
}

interface Held {
  worker: string;
  since: number;
  /**
   * The worker showed it runs the job (a start, a log, or a heartbeat listing it). Until
   * then the `run` answer may have been lost with the worker's broker connection, and the
   * delivery gone back to the queue: an unconfirmed hold that the live worker's heartbeats
   * do not list is released, not a worker death.
   */
  confirmed: boolean;
}

interface Active {
  workDir: string;
  /** The row, for counting worker deaths across its attempts: `batch#index` or the job id. */
  row: string | null;
  held: Held | null;
  addedAt: number;
  /** An unconfirmed hold was released: when, and whose (a claim is awaited). */
  released: { worker: string; at: number } | null;
}

interface WorkerInfo {
  /** Last message of any kind from it. */
  lastSeen: number;
  /** Last heartbeat: when `jobs` was true. */
  beatAt: number;
  host: string;
  concurrency: number;
  labels: Record<string, string>;
  jobs: Set<string>;
  everySeconds: number;
}

/** The worker file in a job's work dir: who holds it, so a restarted server knows. */
const HOLDER_FILE = 'worker.json';
/** A job submitted this recently may not be in the store's list of active jobs yet. */
const FRESH_MS = 60_000;
/** Claims wait for the first poll after a start (the list of active jobs) at most this long. */
const READY_WAIT_FACTOR = 3;

export class RabbitMQBackend implements Backend {
  readonly name = 'rabbitmq';
  readonly pollIntervalMs: number;
  readonly defaultSlots: number | null;
  readonly nativeMaxParallel = false;
  /** The work dir here only receives results: no mkdir per row at submit. */
  readonly writesWorkDirs = true;
  readonly sharedFilesystem: boolean;
  private readonly url: string;
  private readonly n: Names;
  private readonly deliveryLimit: number;
  private readonly timeoutMs: number;
  private readonly logMaxBytes: number;
  private ctx!: BackendContext;
  private link!: AmqpLink;
  private active = new Map<string, Active>();
  private workers = new Map<string, WorkerInfo>();
  private deaths = new Map<string, number>();
  private deathsFile = '';
  /** This server's events queue (rabbitmq-protocol.ts), from its id kept in the state dir. */
  private events = '';
  private startedAt = 0;
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  /** Cancels not yet handed to the broker (it was down): sent when it is back. */
  private pendingCancels = new Set<string>();

  constructor(cfg: RabbitMQConfig = {}) {
    this.url = cfg.url ?? '';
    this.n = names(cfg.queue ?? 'bulkrun');
    this.deliveryLimit = Math.max(1, cfg.deliveryLimit ?? 3);
    this.timeoutMs = (cfg.workerTimeoutSeconds ?? 30) * 1000;
    this.pollIntervalMs = cfg.pollIntervalMs ?? 1000;
    this.defaultSlots = cfg.slots ?? null;
    this.logMaxBytes = cfg.logMaxBytes ?? 8 * 1024 * 1024;
    this.sharedFilesystem = cfg.sharedFilesystem ?? false;
  }

  async init(ctx: BackendContext): Promise<void> {
    this.ctx = ctx;
    this.startedAt = Date.now();
    fs.mkdirSync(ctx.stateDir, { recursive: true });
    this.deathsFile = path.join(ctx.stateDir, 'worker-deaths.json');
    try {
      const saved = JSON.parse(fs.readFileSync(this.deathsFile, 'utf8')) as Record<string, number>;
      for (const [k, v] of Object.entries(saved)) this.deaths.set(k, v);
    } catch {
      // None yet.
    }
    this.events = `${this.n.eventsPrefix}${serverId(ctx.stateDir)}`;
    setTimeout(() => this.markReady(), this.pollIntervalMs * READY_WAIT_FACTOR).unref?.();
    if (!this.url) return;
    this.link = new AmqpLink({
      url: this.url,
      log: ctx.log,
      name: `bulkrun-server ${process.pid}`,
      setup: ch => this.setup(ch),
      onUp: () => void this.flushCancels(),
    });
    await this.link.start();
  }

  private async setup(ch: ConfirmChannel): Promise<void> {
    await assertTopology(ch, this.n);
    await assertEventsQueue(ch, this.n, this.events.slice(this.n.eventsPrefix.length));
    // Events are applied one by one in arrival order; a batch of them per round trip.
    await ch.prefetch(200);
    await ch.consume(this.events, m => m && void this.onEvent(ch, m), { noAck: false });
    await ch.consume(this.n.dead, m => m && this.onDead(ch, m), { noAck: false });
  }

  async health(): Promise<BackendHealth> {
    const broker = redactUrl(this.url);
    if (!this.url)
      return { available: false, detail: 'no broker configured (backends.rabbitmq.url)' };
    if (!this.link?.up)
      return { available: false, detail: `broker ${broker} unreachable: ${this.link?.lastError}` };
    const live = [...this.workers.values()].filter(w => this.alive(w));
    const slots = live.reduce((s, w) => s + w.concurrency, 0);
    return {
      available: true,
      detail: `broker ${broker}; ${live.length} worker${live.length === 1 ? '' : 's'} (${slots} slots)`,
    };
  }

  private alive(w: WorkerInfo): boolean {
    return Date.now() - w.lastSeen < Math.max(this.timeoutMs, 3 * w.everySeconds * 1000);
  }

  private channel(): ConfirmChannel {
    const ch = this.link?.channel;
    if (!ch) {
      throw new BackendUnavailable(
        this.url
          ? `broker ${redactUrl(this.url)} unreachable: ${this.link?.lastError}`
          : 'no broker configured (backends.rabbitmq.url)'
      );
    }
    return ch;
  }

  async submit(req: SubmitRequest): Promise<SubmitOutcome[]> {
    const ch = this.channel();
    const now = Date.now();
    for (const it of req.items) {
      const files: Record<string, string> = {};
      if (it.role === 'fan_in') {
        try {
          files[FILES.faninInputs] = fs.readFileSync(
            path.join(it.workDir, FILES.faninInputs),
            'utf8'
          );
        } catch {
          // The dispatcher writes it for every fan-in; without it the app sees no inputs.
        }
      }
      const msg: TaskMessage = {
        type: 'task',
        jobId: it.jobId,
        batchId: it.batchId,
        index: it.index,
        events: this.events,
        workDir: it.workDir,
        job: it.job!,
        files,
      };
      const row = it.batchId && it.index !== null ? `${it.batchId}#${it.index}` : it.jobId;
      this.active.set(it.jobId, {
        workDir: it.workDir,
        row,
        held: null,
        addedAt: now,
        released: null,
      });
      const ok = ch.publish('', this.n.tasks, encode(msg), {
        persistent: true,
        messageId: it.jobId,
        contentType: 'application/json',
        priority: Math.max(0, Math.min(255, it.priority)),
      });
      // The socket's buffer is full: wait for it to drain rather than hold 10,000 in memory.
      // (A channel that closes meanwhile ends the wait: the confirms below then fail.)
      if (!ok)
        await new Promise<void>(r => {
          ch.once('drain', () => r());
          ch.once('close', () => r());
        });
    }
    try {
      await ch.waitForConfirms();
    } catch (e) {
      // Some were not persisted: all wait again (a duplicate message is skipped at claim).
      throw new BackendUnavailable(`the broker did not confirm the tasks: ${(e as Error).message}`);
    }
    return req.items.map(it => ({ jobId: it.jobId }));
  }

  async poll(active: TrackedJob[]): Promise<StatusUpdate[]> {
    const now = Date.now();
    const listed = new Set<string>();
    for (const j of active) {
      listed.add(j.jobId);
      if (this.active.has(j.jobId)) continue;
      // Known to the store but not here: this server restarted.
      const holder = readHolder(j.workDir);
      this.active.set(j.jobId, {
        workDir: j.workDir,
        row: holder?.row ?? null,
        held:
          j.status === 'running' && j.backendJobId
            ? {
                worker: j.backendJobId,
                since: now,
                confirmed: fs.existsSync(path.join(j.workDir, FILES.started)),
              }
            : null,
        addedAt: now,
        released: null,
      });
    }
    for (const [id, a] of this.active)
      if (!listed.has(id) && now - a.addedAt > FRESH_MS) this.active.delete(id);
    this.markReady();
    this.channel(); // throws while the broker is down: nothing is judged meanwhile
    const updates: StatusUpdate[] = [];
    const stop: string[] = [];
    // Silence counts only while this server is connected, and not before it started.
    const since = Math.max(this.link.upSince, this.startedAt);
    for (const [jobId, a] of this.active) {
      if (!a.held) {
        // Released and no worker claimed it again (no delivery left anywhere): lost.
        if (a.released && now - Math.max(a.released.at, since) > this.timeoutMs)
          updates.push(
            this.death(
              jobId,
              a,
              `worker ${a.released.worker} was granted it but never started it, and no worker took it again`
            )
          );
        continue;
      }
      const w = this.workers.get(a.held.worker);
      const heard = Math.max(w?.lastSeen ?? 0, a.held.since, since);
      const silent = now - heard > this.timeoutMs;
      const dropped =
        !silent &&
        !!w &&
        !w.jobs.has(jobId) &&
        w.beatAt - a.held.since > 2 * w.everySeconds * 1000 + 1000;
      if (dropped && !a.held.confirmed) {
        // The worker lives and never ran it: the grant was lost with its connection, the
        // delivery went back to the queue, and the worker that has it now (told to wait)
        // may run it. (A silent worker may have died running it: that stays a death, so
        // a row that kills its worker is counted toward deliveryLimit.)
        this.ctx.log.info({ jobId, worker: a.held.worker }, 'unconfirmed claim released');
        a.released = { worker: a.held.worker, at: now };
        a.held = null;
      } else if (silent) {
        updates.push(
          this.death(
            jobId,
            a,
            `worker ${a.held.worker} stopped answering while running it (no heartbeat for ${Math.round((now - heard) / 1000)} s)`
          )
        );
      } else if (dropped) {
        // The worker lives but no longer runs it (it lost the task without reporting an end).
        updates.push(this.death(jobId, a, `worker ${a.held.worker} no longer runs it`));
        stop.push(jobId);
      }
    }
    if (stop.length) void this.sendCancel(stop);
    return updates;
  }

  /** A worker died holding the job: `node_failure` (retried as a new attempt), or `dead_lettered`. */
  private death(jobId: string, a: Active, why: string): StatusUpdate {
    this.active.delete(jobId);
    const row = a.row ?? jobId;
    const n = (this.deaths.get(row) ?? 0) + 1;
    this.deaths.set(row, n);
    this.saveDeaths();
    this.ctx.log.warn({ jobId, row, deaths: n, why }, 'worker lost');
    if (n >= this.deliveryLimit) {
      return {
        jobId,
        status: 'error',
        error: {
          code: 'dead_lettered',
          message:
            `Dead-lettered: a worker stopped while running this row ${n} times (the limit, ` +
            `backends.rabbitmq.deliveryLimit); last: ${why}. It was not run again and the ` +
            `other rows go on. It may exhaust the worker's memory or end the worker itself: ` +
            `check its logs, then retry it by hand.`,
        },
      };
    }
    return {
      jobId,
      status: 'error',
      error: {
        code: 'node_failure',
        message: `${why} (worker loss ${n} of ${this.deliveryLimit} for this row)`,
      },
    };
  }

  private saveDeaths(): void {
    try {
      const tmp = `${this.deathsFile}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.deaths)));
      fs.renameSync(tmp, this.deathsFile);
    } catch (e) {
      this.ctx.log.warn({ err: (e as Error).message }, 'could not save worker deaths');
    }
  }

  async cancel(jobs: TrackedJob[]): Promise<void> {
    const running: string[] = [];
    for (const j of jobs) {
      const a = this.active.get(j.jobId);
      this.active.delete(j.jobId);
      // A queued one is skipped at its claim; only a held one needs its worker told.
      if (a?.held || j.status === 'running') running.push(j.jobId);
    }
    if (running.length) await this.sendCancel(running);
  }

  private async sendCancel(jobIds: string[]): Promise<void> {
    const ch = this.link?.channel;
    if (!ch) {
      for (const id of jobIds) this.pendingCancels.add(id);
      return;
    }
    const msg: CancelControl = { type: 'cancel', jobIds };
    try {
      await publishConfirmed(ch, this.n.control, '', encode(msg));
    } catch {
      for (const id of jobIds) this.pendingCancels.add(id);
    }
  }

  private async flushCancels(): Promise<void> {
    if (this.pendingCancels.size === 0) return;
    const ids = [...this.pendingCancels];
    this.pendingCancels.clear();
    await this.sendCancel(ids);
  }

  /** Jobs published but not recorded before a restart are published again: a duplicate is skipped at claim. */
  async findSubmitted(): Promise<Map<string, string>> {
    return new Map();
  }

  async close(): Promise<void> {
    await this.link?.close();
  }

  // ------------------------------------------------------------ events from workers

  private markReady(): void {
    if (this.ready) return;
    this.ready = true;
    for (const w of this.readyWaiters.splice(0)) w();
  }

  private async onEvent(ch: ConfirmChannel, m: ConsumeMessage): Promise<void> {
    const e = decode<WorkerEvent>(m.content, [
      'claim',
      'started',
      'log',
      'exit',
      'heartbeat',
      'bye',
      'dead',
    ]);
    if (!e) {
      this.ctx.log.warn({ bytes: m.content.length }, 'dropped a malformed worker event');
      ch.ack(m);
      return;
    }
    // Until the first poll after a start the list of active jobs is not known: a job's
    // events wait for it (a heartbeat need not).
    if (!this.ready && e.type !== 'heartbeat' && e.type !== 'bye')
      await new Promise<void>(r => this.readyWaiters.push(r));
    try {
      let reply: object | null = null;
      switch (e.type) {
        case 'claim':
          reply = this.onClaim(e);
          break;
        case 'started':
          this.onStarted(e);
          break;
        case 'log':
          this.onLog(e);
          break;
        case 'exit':
          this.onExit(e);
          reply = { type: 'exit-reply', recorded: true };
          break;
        case 'heartbeat':
          this.onHeartbeat(e);
          break;
        case 'bye':
          this.workers.delete(e.worker);
          break;
        case 'dead':
          this.onDeadTask(e);
          break;
      }
      if (reply && m.properties.replyTo) {
        ch.sendToQueue(m.properties.replyTo, encode(reply), {
          correlationId: m.properties.correlationId,
        });
      }
      ch.ack(m);
    } catch (err) {
      // Not recorded (the store refused): back to the queue, to be applied again.
      this.ctx.log.error(
        { err, type: e.type, jobId: (e as { jobId?: string }).jobId },
        'worker event failed'
      );
      setTimeout(() => {
        try {
          ch.nack(m, false, true);
        } catch {
          // The channel is gone; the broker requeues it by itself.
        }
      }, 1000).unref?.();
    }
  }

  private onClaim(e: ClaimRequest): ClaimReply {
    const a = this.active.get(e.jobId);
    this.seen(e.worker);
    if (!a)
      return {
        type: 'claim-reply',
        action: 'skip',
        reason: 'not active: finished, cancelled or unknown',
      };
    if (a.held && a.held.worker !== e.worker) {
      // Granted to a worker that may never have received the answer (its connection went
      // with a broker restart, and this delivery is the one it lost): ask again until that
      // worker shows it runs it (skip) or its hold lapses (run).
      if (!a.held.confirmed)
        return {
          type: 'claim-reply',
          action: 'wait',
          reason: `granted to worker ${a.held.worker}, not started yet`,
        };
      return { type: 'claim-reply', action: 'skip', reason: `held by worker ${a.held.worker}` };
    }
    if (a.held) return { type: 'claim-reply', action: 'run', reason: 'already yours' };
    a.held = { worker: e.worker, since: Date.now(), confirmed: false };
    a.released = null;
    if (typeof e.row === 'string') a.row = e.row;
    try {
      fs.mkdirSync(a.workDir, { recursive: true });
      fs.writeFileSync(
        path.join(a.workDir, HOLDER_FILE),
        JSON.stringify({ worker: e.worker, row: a.row, at: new Date().toISOString() })
      );
    } catch (err) {
      this.ctx.log.warn(
        { err: (err as Error).message, jobId: e.jobId },
        'could not write the holder file'
      );
    }
    this.ctx.emit([
      {
        jobId: e.jobId,
        status: 'running',
        backendJobId: e.worker,
        reason: `on worker ${e.worker}`,
      },
    ]);
    return { type: 'claim-reply', action: 'run', reason: 'claimed' };
  }

  /** The job if `worker` holds it; hearing from the worker about it confirms the hold. */
  private held(jobId: string, worker: string): Active | null {
    const a = this.active.get(jobId);
    if (!a || a.held?.worker !== worker) return null;
    a.held.confirmed = true;
    return a;
  }

  private onStarted(e: StartedEvent): void {
    this.seen(e.worker);
    const a = this.held(e.jobId, e.worker);
    if (!a || typeof e.record !== 'string') return;
    fs.writeFileSync(path.join(a.workDir, FILES.started), e.record);
    const micros = e.record.trim().split(/\s+/)[1];
    const at = micros ? new Date(Math.floor(Number(micros) / 1000)) : null;
    this.ctx.emit([
      {
        jobId: e.jobId,
        status: 'running',
        startedAt: at && !isNaN(at.getTime()) ? at.toISOString() : undefined,
      },
    ]);
  }

  private onLog(e: LogEvent): void {
    this.seen(e.worker);
    const a = this.held(e.jobId, e.worker);
    if (!a || (e.stream !== 'stdout' && e.stream !== 'stderr')) return;
    const offset = Number(e.offset);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.logMaxBytes) return;
    const data = Buffer.from(String(e.data), 'base64').subarray(0, this.logMaxBytes - offset);
    const file = path.join(a.workDir, e.stream === 'stdout' ? FILES.stdout : FILES.stderr);
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o644);
    try {
      fs.writeSync(fd, data, 0, data.length, offset);
    } finally {
      fs.closeSync(fd);
    }
  }

  private onExit(e: ExitEvent): void {
    this.seen(e.worker);
    const a = this.held(e.jobId, e.worker);
    // Not this worker's to report (cancelled meanwhile, or recorded already): nothing to do.
    if (!a) return;
    const dir = a.workDir;
    fs.mkdirSync(dir, { recursive: true });
    for (const s of ['stdout', 'stderr'] as const) {
      const log = e.logs?.[s];
      if (!log) continue;
      let data = Buffer.from(String(log.data), 'base64');
      if (log.truncated)
        data = Buffer.concat([data, Buffer.from("\n[bulkrun: log cut at the worker's limit]\n")]);
      fs.writeFileSync(path.join(dir, s === 'stdout' ? FILES.stdout : FILES.stderr), data);
    }
    const rec = e.records ?? { started: null, exit: null, usage: null };
    if (typeof rec.started === 'string')
      fs.writeFileSync(path.join(dir, FILES.started), rec.started);
    if (typeof rec.usage === 'string') fs.writeFileSync(path.join(dir, FILES.usage), rec.usage);
    let update: StatusUpdate | null = null;
    const outFile = path.join(dir, FILES.output);
    if (e.output !== null && e.output !== undefined) {
      const out = Buffer.from(String(e.output), 'base64');
      if (out.length < e.outputBytes) {
        update = {
          jobId: e.jobId,
          status: 'error',
          error: {
            code: 'invalid_output',
            message: `Output is ${e.outputBytes} bytes; the worker sends at most ${out.length}`,
          },
        };
      } else fs.writeFileSync(outFile, out);
    } else fs.rmSync(outFile, { force: true });
    if (typeof rec.exit === 'string') fs.writeFileSync(path.join(dir, FILES.exit), rec.exit);
    if (!update) update = readExitUpdate(e.jobId, dir);
    if (!update) {
      update = {
        jobId: e.jobId,
        status: 'error',
        error: e.failure
          ? { code: 'node_failure', message: `worker ${e.worker} could not run it: ${e.failure}` }
          : { code: 'lost', message: `worker ${e.worker} reported an end without an exit record` },
      };
    }
    this.active.delete(e.jobId);
    this.ctx.emit([update]);
  }

  private seen(worker: string): void {
    const w = this.workers.get(worker);
    if (w) w.lastSeen = Date.now();
  }

  private onHeartbeat(e: HeartbeatEvent): void {
    // Other servers' jobs on the same pool are theirs to judge.
    const jobs = new Set(
      e.jobs.filter(j => j && j.events === this.events && typeof j.id === 'string').map(j => j.id)
    );
    this.workers.set(e.worker, {
      lastSeen: Date.now(),
      beatAt: Date.now(),
      host: String(e.host ?? ''),
      concurrency: Number(e.concurrency) || 1,
      labels: e.labels && typeof e.labels === 'object' ? e.labels : {},
      jobs,
      everySeconds: Number(e.everySeconds) || 5,
    });
    if (!this.ready) return;
    // Running something this server no longer wants (a cancel lost while the broker was down).
    const stale = [...jobs].filter(j => !this.held(j, e.worker));
    if (stale.length) void this.sendCancel(stale);
  }

  /**
   * The shared dead-letter queue: a task of this server ends its row; another server's is
   * handed to that server's events queue (it may be down now, and reads it later).
   */
  private onDead(ch: ConfirmChannel, m: ConsumeMessage): void {
    const task = decode<TaskMessage>(m.content, ['task']);
    const deliveries = Number(m.properties.headers?.['x-delivery-count'] ?? 0) || 0;
    if (task && task.events === this.events) this.onDeadTask({ type: 'dead', task, deliveries });
    else if (task && task.events.startsWith(this.n.eventsPrefix)) {
      const ev: DeadEvent = { type: 'dead', task, deliveries };
      ch.sendToQueue(task.events, encode(ev), { persistent: true });
    } else
      this.ctx.log.warn({ bytes: m.content.length }, 'dropped an unreadable dead-lettered task');
    ch.ack(m);
  }

  private onDeadTask(e: DeadEvent): void {
    const a = this.active.get(e.task.jobId);
    if (!a) return;
    this.active.delete(e.task.jobId);
    this.ctx.emit([
      {
        jobId: e.task.jobId,
        status: 'error',
        error: {
          code: 'dead_lettered',
          message: `Dead-lettered by the broker: delivered ${e.deliveries || 'too many'} times and never claimed (a worker dies on receiving it, or cannot read it). The other rows go on.`,
        },
      },
    ]);
  }
}

/** This server's id on the broker: made once, kept in its state dir, so a restart reads its own queue. */
function serverId(stateDir: string): string {
  const file = path.join(stateDir, 'server-id');
  try {
    const id = fs.readFileSync(file, 'utf8').trim();
    if (/^[a-z0-9]{8,40}$/.test(id)) return id;
  } catch {
    // First start.
  }
  const id = randomBytes(8).toString('hex');
  fs.writeFileSync(file, `${id}\n`);
  return id;
}

function readHolder(workDir: string): { worker: string; row: string | null } | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(workDir, HOLDER_FILE), 'utf8'));
  } catch {
    return null;
  }
}

export function createRabbitMQBackend(cfg: Record<string, unknown>): Backend {
  return new RabbitMQBackend(cfg as RabbitMQConfig);
}
