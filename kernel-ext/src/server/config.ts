/**
 * Server configuration: defaults, then the config file (JSON or YAML), then CLI options.
 * Everything has an embedded default so `bulkrun serve` runs with no file at all.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import type { EngineConfig } from '../engine/config';
import { defaultEngineConfig } from '../engine/config';
import type { UserToken } from './auth';
import { tokenFromFile } from './instance';
import { DEFAULT_EVENT_BUFFER_BYTES } from './ws';

export interface ServeOptions {
  host?: string;
  port?: number;
  unixSocket?: string;
  dataDir?: string;
  token?: string;
  /** A file holding the token (made, mode 0600, if missing): kept across restarts. */
  tokenFile?: string;
  /** Stop after this many seconds with nothing to do (src/server/idle.ts); 0 or unset: never. */
  idleExit?: number;
  apps?: string[];
  backend?: string;
  configFile?: string;
  logLevel?: string;
}

export interface ServerConfig {
  host: string;
  port: number;
  unixSocket?: string;
  /** Idle exit after this many ms (src/server/idle.ts); 0: never. */
  idleExitMs: number;
  logLevel: string;
  bodyLimitBytes: number;
  /** Requests per user per window (429 beyond); false turns it off. */
  rateLimit: { max: number; timeWindowMs: number } | false;
  apps: string[];
  users: UserToken[];
  /** The token of the user running the server (--token, --token-file, $BULKRUN_SERVER_TOKEN). */
  ownerToken?: string;
  backends: Record<string, Record<string, unknown>>;
  engine: EngineConfig;
  /** Page origins, besides the server's own, that may change state and open the event stream ("*": any); server/origin.ts. */
  allowedOrigins: string[];
  /** Bytes an event-stream connection may have unsent before it is sent `reset` (server/ws.ts). */
  eventBufferBytes: number;
}

export function defaultDataDir(): string {
  if (process.env.BULKRUN_DATA_DIR) return process.env.BULKRUN_DATA_DIR;
  const base =
    process.env.JUPYTER_DATA_DIR ??
    path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'jupyter');
  return path.join(base, 'bulkrun');
}

export function loadConfig(opts: ServeOptions): ServerConfig {
  let file: any = {};
  // BULKRUN_CONFIG: how a hub admin configures the servers the Jupyter proxy starts.
  const configFile = opts.configFile ?? (process.env.BULKRUN_CONFIG || undefined);
  if (configFile) {
    const text = fs.readFileSync(configFile, 'utf8');
    file = configFile.endsWith('.json') ? JSON.parse(text) : (YAML.parse(text) ?? {});
  }
  const dataDir = path.resolve(opts.dataDir ?? file.dataDir ?? defaultDataDir());
  const engine = defaultEngineConfig(dataDir);
  Object.assign(engine, file.engine ?? {});
  if (file.slots) engine.slots = file.slots;
  if (file.admins) engine.admins = file.admins;
  engine.dataDir = dataDir;
  for (const [name, b] of Object.entries<Record<string, unknown>>(file.backends ?? {}))
    if (typeof b?.maxMemory === 'string') engine.maxMemory[name] = b.maxMemory;
  if (opts.backend) engine.defaultBackend = opts.backend;
  else if (file.defaultBackend) engine.defaultBackend = file.defaultBackend;

  const users: UserToken[] = [...(file.users ?? [])];
  const token =
    opts.token ??
    (opts.tokenFile ? tokenFromFile(opts.tokenFile) : process.env.BULKRUN_SERVER_TOKEN);
  if (token) users.push({ token, user: os.userInfo().username, admin: false });

  const envApps = (process.env.BULKRUN_APPS_PATH ?? '').split(':').filter(Boolean);
  return {
    host: opts.host ?? file.host ?? '127.0.0.1',
    port: opts.port ?? file.port ?? 0,
    unixSocket: opts.unixSocket ?? file.unixSocket,
    idleExitMs: Math.max(0, (opts.idleExit ?? file.idleExitSeconds ?? 0) * 1000),
    logLevel: opts.logLevel ?? file.logLevel ?? process.env.BULKRUN_LOG_LEVEL ?? 'info',
    bodyLimitBytes: file.bodyLimitBytes ?? 64 * 1024 * 1024,
    // Generous: a UI or script in a tight loop is stopped, normal use never is.
    rateLimit:
      file.rateLimit === false
        ? false
        : { max: 60_000, timeWindowMs: 60_000, ...(file.rateLimit ?? {}) },
    apps: [...(opts.apps ?? []), ...envApps, ...(file.apps ?? [])],
    users,
    ownerToken: token,
    backends: file.backends ?? {},
    engine,
    allowedOrigins: allowedOrigins(file.server?.allowedOrigins),
    eventBufferBytes: file.eventBufferBytes ?? DEFAULT_EVENT_BUFFER_BYTES,
  };
}

/** `server.allowedOrigins` of the config file: a list of strings; a wrong type stops the start. */
function allowedOrigins(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some(o => typeof o !== 'string'))
    throw new Error(
      'server.allowedOrigins in the config must be a list of strings (origins, or "*")'
    );
  return v as string[];
}
