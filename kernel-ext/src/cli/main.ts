/**
 * The `bulkrun` command. Exit codes: 0 ok, 1 a job/batch failed or the API answered an
 * error, 2 usage errors (bad options, missing files, no server configured).
 */
import { Command, CommanderError } from 'commander';
import { ApiRequestError, UsageError } from './client';
import { registerApps } from './commands/apps';
import { registerAttach } from './commands/attach';
import { registerFanout } from './commands/fanout';
import { registerList } from './commands/list';
import { registerLogs } from './commands/logs';
import { registerManage } from './commands/manage';
import { registerServe } from './commands/serve';
import { registerPriority } from './commands/priority';
import { registerStatus } from './commands/status';
import { registerSubmit } from './commands/submit';
import { registerUsage } from './commands/usage';
import { registerWorker } from './commands/worker';
import { formatError } from './format';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const VERSION: string = require('../../package.json').version;

export function buildProgram(): Command {
  const program = new Command('bulkrun')
    .description(
      'Run one app over many inputs on local processes, Slurm, HTCondor or a worker pool'
    )
    .version(VERSION, '-V, --version')
    .option(
      '--url <url>',
      'server URL (default $BULKRUN_URL): http://host:port or unix:/path/to.sock'
    )
    .option('--token <token>', 'API token (default $BULKRUN_TOKEN)')
    .option('--as-admin', "admins: act on other users' jobs and batches")
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Environment:
  BULKRUN_URL     server address for client commands (printed by \`bulkrun serve\`);
                  unset: the server running on $BULKRUN_DATA_DIR (default
                  <jupyter data dir>/bulkrun), e.g. the one JupyterLab started
  BULKRUN_TOKEN   API token for client commands
  BULKRUN_APPS_PATH  extra app dirs for \`serve\`, colon-separated

Exit codes: 0 ok, 1 a job/batch failed or the server answered an error, 2 usage error.`
    );
  registerServe(program);
  registerAttach(program);
  registerSubmit(program);
  registerStatus(program);
  registerManage(program);
  registerLogs(program);
  registerApps(program);
  registerFanout(program);
  registerList(program);
  registerPriority(program);
  registerUsage(program);
  registerWorker(program);
  // Every command reports usage errors through one path (exit code 2).
  const override = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  if (argv.length <= 2) {
    program.outputHelp();
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version "errors" are successes; commander has printed the message already.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof ApiRequestError) {
      process.stderr.write(`${formatError(e)}\n`);
      return EXIT_FAILED;
    }
    process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT_FAILED;
  }
}

/** Run when started as the program (directly, or through bin/bulkrun.js). */
function isEntry(): boolean {
  const entry = require.main?.filename ?? '';
  return require.main === module || /[\\/]bin[\\/]bulkrun(\.js)?$/.test(entry);
}

if (isEntry()) {
  // A closed pipe (`bulkrun --help | head`) ends the command quietly.
  process.stdout.on('error', e => {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
    throw e;
  });
  void main().then(code => {
    // Exit explicitly: an idle keep-alive socket must not hold the command open.
    process.stdout.write('', () => process.exit(code));
  });
}
