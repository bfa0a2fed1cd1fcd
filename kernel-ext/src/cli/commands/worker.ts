/** `bulkrun worker`: runs rows of the `rabbitmq` backend on this machine (worker/worker.ts). */
import * as os from 'os';
import * as path from 'path';
import type { Command } from 'commander';
import { UsageError } from '../client';
import { intOption } from '../context';

interface WorkerFlags {
  amqp?: string;
  queue: string;
  concurrency: number;
  exitWhenIdle?: number;
  workRoot?: string;
  labels?: string;
  heartbeat: number;
  keepWorkDirs?: boolean;
  logLevel: string;
}

/** `k=v,k2=v2` → an object; every problem is listed at once. */
export function parseLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  const bad: string[] = [];
  for (const part of text
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9_./-]+)=(.*)$/.exec(part);
    if (m) out[m[1]] = m[2];
    else bad.push(part);
  }
  if (bad.length) throw new UsageError(`--labels: not k=v: ${bad.join(', ')}`);
  return out;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Run rows of the rabbitmq backend on this machine, taking tasks from the broker')
    .option(
      '--amqp <url>',
      'broker URL, amqp[s]://user:pass@host:port/vhost (default $BULKRUN_AMQP_URL)'
    )
    .option(
      '--queue <name>',
      "prefix of the broker's queues, as the server's backends.rabbitmq.queue",
      'bulkrun'
    )
    .option('--concurrency <n>', 'tasks run at once (the prefetch)', intOption, 1)
    .option(
      '--exit-when-idle <seconds>',
      'exit 0 after this long with nothing to do (scale to zero)',
      intOption
    )
    .option('--work-root <dir>', "tasks' work dirs (default <tmp>/bulkrun-worker)")
    .option('--labels <k=v,...>', 'labels shown with this worker on the server')
    .option(
      '--heartbeat <seconds>',
      'seconds between heartbeats; the server waits workerTimeoutSeconds',
      intOption,
      5
    )
    .option('--keep-work-dirs', "keep each task's work dir after it ended (default: removed)")
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .addHelpText(
      'after',
      '\nSIGTERM: stop taking tasks, let running ones end, exit 0. A second signal kills them\n' +
        '(their rows run again elsewhere as node_failure retries).'
    )
    .action(async (flags: WorkerFlags) => {
      const url = flags.amqp ?? process.env.BULKRUN_AMQP_URL;
      const problems: string[] = [];
      if (!url) problems.push('--amqp (or $BULKRUN_AMQP_URL) is required');
      else if (!/^amqps?:\/\//.test(url))
        problems.push(`--amqp '${url}' is not an amqp:// or amqps:// URL`);
      if (flags.concurrency < 1) problems.push('--concurrency must be at least 1');
      if (flags.exitWhenIdle !== undefined && flags.exitWhenIdle < 0)
        problems.push('--exit-when-idle must be ≥ 0');
      if (flags.heartbeat < 1) problems.push('--heartbeat must be at least 1');
      if (!/^[A-Za-z0-9_.-]{1,200}$/.test(flags.queue))
        problems.push(`--queue '${flags.queue}': letters, digits, _ . - only`);
      let labels: Record<string, string> = {};
      try {
        labels = parseLabels(flags.labels);
      } catch (e) {
        problems.push((e as Error).message);
      }
      if (problems.length) throw new UsageError(problems.join('; '));
      // Loaded here so the client commands start fast and never load the worker's modules.
      const { Worker, workerLog } =
        require('../../worker/worker') as typeof import('../../worker/worker');
      const log = workerLog(flags.logLevel);
      const worker = new Worker({
        amqp: url!,
        queue: flags.queue,
        concurrency: flags.concurrency,
        exitWhenIdleSeconds: flags.exitWhenIdle ?? null,
        workRoot: path.resolve(flags.workRoot ?? path.join(os.tmpdir(), 'bulkrun-worker')),
        labels,
        heartbeatSeconds: flags.heartbeat,
        keepWorkDirs: !!flags.keepWorkDirs,
        limits: { logMaxBytes: 8 * 1024 * 1024, outputMaxBytes: 16 * 1024 * 1024 },
        log,
      });
      let signals = 0;
      const onSignal = (sig: string) => {
        signals++;
        log.info(
          { signal: sig },
          signals === 1 ? 'stopping: running tasks finish first' : 'stopping now'
        );
        void (signals === 1 ? worker.stop(0) : worker.abort());
      };
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));
      await worker.start();
      process.stderr.write(`bulkrun worker ${worker.id}: waiting for tasks\n`);
      const code = await worker.exited;
      process.exitCode = code;
      // amqplib's sockets are closed; nothing else should keep the process alive.
      setTimeout(() => process.exit(code), 200).unref();
    });
}
