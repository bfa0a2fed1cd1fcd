/**
 * REST client for the CLI: BULKRUN_URL may be `http(s)://host:port[/prefix]` (e.g. behind
 * Jupyter at .../bulkrun) or `unix:/path/to.sock`; both go through http.request.
 */
import * as http from 'http';
import * as https from 'https';

export interface ServerTarget {
  /** The URL as given, for messages. */
  display: string;
  secure: boolean;
  host: string;
  port?: number;
  socketPath?: string;
  /** Path prefix before /api/v1 (no trailing slash). */
  prefix: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An error answer of the API ({error: {code, message, details}}) or an unreachable server. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export function parseServerUrl(raw: string): ServerTarget {
  const s = raw.trim();
  if (s.startsWith('unix:')) {
    const socketPath = s.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (!socketPath) throw new UsageError(`BULKRUN_URL '${raw}' names no socket path`);
    return { display: s, secure: false, host: 'localhost', socketPath, prefix: '' };
  }
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new UsageError(
      `BULKRUN_URL '${raw}' is not a URL (expected http://host:port or unix:/path/to.sock)`
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`BULKRUN_URL '${raw}' must start with http://, https:// or unix:`);
  }
  return {
    display: s,
    secure: u.protocol === 'https:',
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : undefined,
    // A URL copied with the API path still names the server.
    prefix: u.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, ''),
  };
}

/** The WebSocket URL and options for /api/v1/events on a target. */
export function eventsSocket(
  t: ServerTarget,
  token: string | undefined
): { url: string; headers: Record<string, string> } {
  const p = `${t.prefix}/api/v1/events?format=json`;
  const url = t.socketPath
    ? `ws+unix://${t.socketPath}:${p}`
    : `${t.secure ? 'wss' : 'ws'}://${t.host.includes(':') ? `[${t.host}]` : t.host}${t.port ? `:${t.port}` : ''}${p}`;
  return { url, headers: token ? { authorization: `token ${token}` } : {} };
}

export type Query = Record<string, string | number | boolean | undefined>;

export class ApiClient {
  readonly target: ServerTarget;

  constructor(
    url: string,
    readonly token: string | undefined,
    private readonly timeoutMs = 60000,
    /** Admins acting on other users' records: adds as_admin=true to every call. */
    readonly asAdmin = false
  ) {
    this.target = parseServerUrl(url);
  }

  get<T = any>(p: string, query?: Query): Promise<T> {
    return this.request<T>('GET', p, undefined, query);
  }

  post<T = any>(p: string, body?: unknown, query?: Query): Promise<T> {
    return this.request<T>('POST', p, body ?? {}, query);
  }

  /** One API call; `p` is relative to /api/v1. Resolves with the parsed JSON body. */
  request<T = any>(method: string, p: string, body?: unknown, query?: Query): Promise<T> {
    const t = this.target;
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.set(k, String(v));
    if (this.asAdmin) qs.set('as_admin', 'true');
    const pathWithQuery = `${t.prefix}/api/v1${p}${qs.size ? `?${qs}` : ''}`;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (this.token) headers.authorization = `token ${this.token}`;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const mod = t.secure ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = mod.request(
        {
          method,
          path: pathWithQuery,
          headers,
          ...(t.socketPath ? { socketPath: t.socketPath } : { host: t.host, port: t.port }),
          timeout: this.timeoutMs,
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', c => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: any = undefined;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // Not JSON: reported below with the raw text.
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              resolve(parsed as T);
              return;
            }
            const e = parsed?.error;
            if (e && typeof e.message === 'string') {
              reject(new ApiRequestError(status, String(e.code ?? 'error'), e.message, e.details));
            } else {
              const snippet = text.trim().slice(0, 300) || res.statusMessage || '';
              reject(
                new ApiRequestError(
                  status,
                  `http_${status}`,
                  `HTTP ${status} from ${t.display}: ${snippet}`
                )
              );
            }
          });
        }
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs / 1000}s`)));
      req.on('error', err => {
        const code = (err as NodeJS.ErrnoException).code;
        const hint =
          code === 'ECONNREFUSED' || code === 'ENOENT'
            ? ' (is `bulkrun serve` running? Set BULKRUN_URL or --url)'
            : '';
        reject(
          new ApiRequestError(
            0,
            'unreachable',
            `Cannot reach the Bulkrun server at ${t.display}: ${err.message}${hint}`
          )
        );
      });
      if (payload) req.write(payload);
      req.end();
    });
  }
}
