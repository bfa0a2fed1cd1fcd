/** What every client command needs: the API client from --url/--token or the environment. */
import { InvalidArgumentError } from 'commander';
import { defaultDataDir } from '../server/config';
import { readConnection } from '../server/instance';
import { ApiClient, UsageError } from './client';

export interface GlobalOptions {
  url?: string;
  token?: string;
  asAdmin?: boolean;
}

export function clientFrom(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): ApiClient {
  let url = opts.url ?? env.BULKRUN_URL;
  let token = opts.token ?? env.BULKRUN_TOKEN;
  if (!url) {
    // The user's own server on this machine (the one JupyterLab started): its private
    // connection file names it (src/server/instance.ts).
    const dataDir = env.BULKRUN_DATA_DIR || defaultDataDir();
    const running = readConnection(dataDir);
    if (!running) {
      throw new UsageError(
        `No server: set BULKRUN_URL (e.g. http://127.0.0.1:8765 or unix:/path/to.sock) or pass --url (no server runs on ${dataDir})`
      );
    }
    url = running.url;
    token ??= running.token;
  }
  return new ApiClient(url, token, 60000, !!opts.asAdmin);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Exit code of a finished batch or job: 0 only when it completed. */
export function exitCodeFor(status: string): number {
  return status === 'completed' ? 0 : 1;
}

/** Option parser for integers (commander reports the error as a usage error). */
export function intOption(v: string): number {
  if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`'${v}' is not an integer.`);
  return Number(v);
}

/** Collects a repeatable option into an array. */
export function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

/** Wraps a command action: its returned number becomes the process exit code. */
export function action<A extends unknown[]>(
  fn: (this: import('commander').Command, ...args: A) => Promise<number | void>
): (this: import('commander').Command, ...args: A) => Promise<void> {
  return async function (this: import('commander').Command, ...args: A) {
    const code = await fn.apply(this, args);
    if (typeof code === 'number') process.exitCode = code;
  };
}
