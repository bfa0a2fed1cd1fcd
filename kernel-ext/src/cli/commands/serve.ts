/** `bulkrun serve`: runs the server until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import { UsageError } from '../client';
import { collect, intOption } from '../context';
import type { ServeOptions } from '../../server/config';

/** The server's own options, with `--config` for `configFile`. */
type ServeFlags = Omit<ServeOptions, 'configFile'> & { config?: string };

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the Bulkrun server (REST API, WebSocket events, job management)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <n>', 'TCP port (default: the config file, else any free port)', intOption)
    .option('--unix-socket <path>', 'listen on a Unix socket instead of TCP')
    .option('--data-dir <dir>', 'jobs database and work dirs (default <jupyter data dir>/bulkrun)')
    .option('--token <token>', 'API token clients must send (default $BULKRUN_SERVER_TOKEN)')
    .option('--token-file <file>', 'read the token from this file (made, mode 0600, if missing)')
    .option(
      '--idle-exit <seconds>',
      'stop after this long with no unfinished job, client or attached Jupyter (default: never)',
      intOption
    )
    .option('--apps <dir>', 'add an app directory (repeatable; also $BULKRUN_APPS_PATH)', collect)
    .option('--backend <name>', 'default backend: local, slurm, htcondor or rabbitmq')
    .option('--config <file>', 'config file (JSON or YAML; default $BULKRUN_CONFIG)')
    .option('--log-level <level>', 'trace, debug, info, warn or error (default info)')
    .addHelpText(
      'after',
      '\nClients reach the server with BULKRUN_URL (printed on start) and BULKRUN_TOKEN.'
    )
    .action(async function (this: Command, flags: ServeFlags) {
      // --token is also a global option; commander hands it to the program.
      const token = flags.token ?? this.optsWithGlobals<{ token?: string }>().token;
      if (flags.port !== undefined && flags.unixSocket) {
        throw new UsageError('--port and --unix-socket exclude each other');
      }
      if (flags.port !== undefined && (flags.port < 0 || flags.port > 65535)) {
        throw new UsageError(`--port ${flags.port} is out of range (0-65535)`);
      }
      // Loaded here so the client commands start fast and never load the server's modules.
      const { startServer } = require('../../server') as typeof import('../../server');
      const server = await startServer({
        host: flags.host,
        port: flags.port,
        unixSocket: flags.unixSocket,
        dataDir: flags.dataDir,
        token,
        tokenFile: flags.tokenFile,
        idleExit: flags.idleExit,
        apps: flags.apps,
        backend: flags.backend,
        configFile: flags.config,
        logLevel: flags.logLevel,
      });
      process.stdout.write(`Bulkrun server listening on ${server.url}\n`);
      process.stdout.write(`  export BULKRUN_URL=${server.url}\n`);
      await new Promise<void>(resolve => {
        let closing = false;
        const stop = (sig: string) => {
          if (closing) {
            process.stderr.write(`${sig} again: exiting now\n`);
            process.exit(130);
          }
          closing = true;
          process.stderr.write(`${sig}: stopping the server (running jobs keep running)\n`);
          server.close().then(resolve, err => {
            process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
            resolve();
          });
        };
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGTERM', () => stop('SIGTERM'));
        server.whenIdle.then(() => stop('idle'));
      });
    });
}
