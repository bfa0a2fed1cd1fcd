/**
 * `bulkrun attach`: what the Jupyter proxy runs (jupyterlab_bulkrun/proxy.py). It makes
 * sure the data dir's server runs, starting it as a detached process (its own session,
 * so stopping Jupyter does not stop it) when none does, and then holds a lease on it
 * until it is told to stop (SIGTERM from Jupyter: the server keeps running). It exits
 * non-zero if the server goes away, so the proxy's supervisor starts it again.
 * docs/SERVER.md tells the whole story.
 */
import { spawn } from 'child_process';
import type { Command } from 'commander';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import {
  dropLease,
  isAlive,
  readConnection,
  runDir,
  takeLease,
  tokenFromFile,
} from '../../server/instance';
import { collect, intOption } from '../context';
import { SERVER_NODE_FLAGS } from '../../server/node-flags';

interface AttachFlags {
  dataDir: string;
  unixSocket: string;
  idleExit: number;
  config?: string;
  apps?: string[];
  backend?: string;
  startTimeout: number;
  detach?: boolean;
}

/** Default idle limit of the server the proxy starts: 10 minutes with nothing to manage. */
const DEFAULT_IDLE_EXIT = 600;

/** Whether a server answers on the socket (GET / needs no token). */
function answers(socketPath: string): Promise<boolean> {
  return new Promise(resolve => {
    const req = http.get({ socketPath, path: '/', timeout: 2000 }, res => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function registerAttach(program: Command): void {
  program
    .command('attach')
    .description(
      "Start this data dir's server if none runs (detached: it outlives this command) and hold a lease on it; used by the Jupyter proxy"
    )
    .requiredOption('--data-dir <dir>', 'the data dir of the server')
    .requiredOption('--unix-socket <path>', 'the socket the server listens on')
    .option(
      '--idle-exit <seconds>',
      `a server started here stops after this long with nothing to manage (default ${DEFAULT_IDLE_EXIT}; $BULKRUN_IDLE_EXIT; 0: never)`,
      intOption
    )
    .option('--config <file>', 'config file for a server started here')
    .option('--apps <dir>', 'app directory for a server started here (repeatable)', collect)
    .option('--backend <name>', 'default backend of a server started here')
    .option('--start-timeout <seconds>', 'how long to wait for the server to answer', intOption, 60)
    .option(
      '--detach',
      'exit once the server answers and its connection file is written, holding no lease (what `bulkrun.connect()` in Python runs)'
    )
    .action(async (flags: AttachFlags) => {
      const dataDir = path.resolve(flags.dataDir);
      const run = runDir(dataDir);
      const tokenFile = path.join(run, 'token');
      tokenFromFile(tokenFile);
      // Without a lease the server's idle limit alone decides how long it stays.
      if (!flags.detach) takeLease(dataDir);
      let stopping = false;
      const stop = () => {
        stopping = true;
        dropLease(dataDir);
        process.exit(0);
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      process.on('SIGHUP', stop);
      process.on('exit', () => dropLease(dataDir));

      const logFile = path.join(run, 'server.log');
      if (!(await answers(flags.unixSocket))) {
        const idle = flags.idleExit ?? Number(process.env.BULKRUN_IDLE_EXIT || DEFAULT_IDLE_EXIT);
        const argv = [
          ...SERVER_NODE_FLAGS,
          process.argv[1],
          'serve',
          '--data-dir',
          dataDir,
          '--unix-socket',
          flags.unixSocket,
          '--token-file',
          tokenFile,
          '--idle-exit',
          String(idle),
        ];
        if (flags.config) argv.push('--config', flags.config);
        for (const dir of flags.apps ?? []) argv.push('--apps', dir);
        if (flags.backend) argv.push('--backend', flags.backend);
        const log = fs.openSync(logFile, 'a', 0o600);
        fs.writeSync(
          log,
          `--- ${new Date().toISOString()} started by bulkrun attach (pid ${process.pid})\n`
        );
        // Its own session and no pipes to us: stopping Jupyter (and us) leaves it running.
        const child = spawn(process.execPath, argv, {
          detached: true,
          stdio: ['ignore', log, log],
          cwd: dataDir,
        });
        child.unref();
        fs.closeSync(log);
      }
      const deadline = Date.now() + flags.startTimeout * 1000;
      while (!(await answers(flags.unixSocket))) {
        if (Date.now() > deadline) {
          process.stderr.write(
            `bulkrun attach: the server did not answer on ${flags.unixSocket} within ${flags.startTimeout} s. ` +
              `Its log (${logFile}) ends:\n${tail(logFile)}\n`
          );
          process.exit(1);
        }
        await sleep(100);
      }
      if (flags.detach) {
        // The server answers a moment before it writes server.json, and a server killed
        // earlier may have left its own: wait for the file of a live server.
        const live = () => {
          const c = readConnection(dataDir);
          return c && isAlive(c.pid) ? c : null;
        };
        while (!live()) {
          if (Date.now() > deadline) {
            process.stderr.write(
              `bulkrun attach: the server wrote no ${path.join(run, 'server.json')}\n`
            );
            process.exit(1);
          }
          await sleep(50);
        }
        const info = live();
        process.stdout.write(`bulkrun attach: server pid ${info?.pid ?? '?'} on ${info?.url}\n`);
        process.exit(0);
      }
      const pid = readConnection(dataDir)?.pid;
      process.stdout.write(`bulkrun attach: server pid ${pid ?? '?'} on ${flags.unixSocket}\n`);

      // Stay while the server does; when it is gone, exit 1 so the supervisor restarts us.
      for (;;) {
        await sleep(2000);
        if (stopping) return;
        const alive = pid ? isAlive(pid) : await answers(flags.unixSocket);
        if (!alive) {
          process.stderr.write(
            `bulkrun attach: the server (pid ${pid}) stopped; log ends:\n${tail(logFile)}\n`
          );
          dropLease(dataDir);
          process.exit(1);
        }
        takeLease(dataDir); // keeps the lease's file there if someone cleaned the run dir
      }
    });
}
