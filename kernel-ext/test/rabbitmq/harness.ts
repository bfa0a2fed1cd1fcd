/**
 * Shared setup of the worker-pool tests: the real RabbitMQ from scripts/rabbitmq-up, real
 * `bulkrun worker` processes (the compiled CLI), and a server configured for them. Each
 * test file uses its own queue prefix, so leftovers of one never reach another.
 */
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { names } from '../../src/backends/rabbitmq-protocol';
import { KERNEL_EXT, tempDir } from '../helpers/server';

export const REPO = path.join(KERNEL_EXT, '..');
export const SKIP = process.env.BULKRUN_SKIP_RABBITMQ === '1';
export const describeRabbit = SKIP ? describe.skip : describe;

let url = '';

/** Starts the broker (idempotent) or fails loudly; returns its URL. */
export function rabbitUp(suite: string): string {
  if (SKIP) {
    console.warn(`BULKRUN_SKIP_RABBITMQ=1: SKIPPING the RabbitMQ suite "${suite}"`);
    return '';
  }
  url = brokerCommand('rabbitmq-up');
  return url;
}

/** Runs scripts/rabbitmq-up or -down; returns the last line it printed (the URL). */
export function brokerCommand(name: 'rabbitmq-up' | 'rabbitmq-down'): string {
  try {
    const out = execFileSync(path.join(REPO, 'scripts', name), { stdio: 'pipe', timeout: 300_000 });
    const lines = out.toString().trim().split('\n');
    return lines[lines.length - 1].trim();
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(
      `scripts/${name} failed (set BULKRUN_SKIP_RABBITMQ=1 to skip these tests)\n` +
        `${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? err.message}`
    );
  }
}

export function brokerUrl(): string {
  return url;
}

/** A queue prefix no other run used. */
export function uniqueQueue(name: string): string {
  return `t-${name}-${process.pid}-${Date.now().toString(36)}`;
}

/** The server's backend config for a pool on `queue`, with short timeouts for tests. */
export function rabbitConfig(
  queue: string,
  extra: Record<string, unknown> = {}
): Record<string, unknown> {
  return {
    defaultBackend: 'rabbitmq',
    backends: {
      rabbitmq: {
        url,
        queue,
        workerTimeoutSeconds: 4,
        pollIntervalMs: 300,
        deliveryLimit: 3,
        ...extra,
      },
    },
  };
}

/** Removes a test's shared queues and exchanges (the servers' own queues expire by themselves). */
export async function dropQueues(queues: string[]): Promise<void> {
  if (SKIP || !url) return;
  const amqp = await import('amqplib');
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createChannel();
    for (const q of queues) {
      const n = names(q);
      for (const name of [n.tasks, n.dead]) await ch.deleteQueue(name);
      for (const name of [n.heartbeats, n.control, n.dlx]) await ch.deleteExchange(name);
    }
  } finally {
    await conn.close();
  }
}

export interface WorkerProc {
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

const CLI = path.join(KERNEL_EXT, 'dist', 'cli', 'main.js');

/** A real `bulkrun worker` process. */
export function startWorker(queue: string, args: string[] = []): WorkerProc {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'worker',
      '--amqp',
      url,
      '--queue',
      queue,
      '--heartbeat',
      '1',
      '--work-root',
      tempDir('bulkrun-worker-'),
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, BULKRUN_URL: '' } }
  );
  let log = '';
  // Also on disk, to read after a failed run: <tmp>/bulkrun-worker-logs/<pid>.log.
  const dir = path.join(os.tmpdir(), 'bulkrun-worker-logs');
  fs.mkdirSync(dir, { recursive: true });
  const file = fs.createWriteStream(path.join(dir, `${child.pid}.log`));
  child.stderr!.on('data', d => {
    log = (log + d).slice(-20000);
    file.write(d);
  });
  const exited = new Promise<number | null>(r => child.on('exit', code => r(code)));
  return { child, log: () => log, exited };
}

export async function stopWorkers(ws: WorkerProc[]): Promise<void> {
  for (const w of ws) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await Promise.all(ws.map(w => w.exited)); // SIGKILL: every one exits
}
