/**
 * Origin checks (docs/SEMANTICS.md "Permissions"). A page on another site can make the
 * browser send requests here with credentials it never sees: behind Jupyter the proxy adds
 * the server's token to every request and leaves XSRF checks to us
 * (jupyterlab_bulkrun/proxy.py). So a state-changing request and the WebSocket handshake
 * must come from a page of this server's own origin or one listed in
 * `server.allowedOrigins`. A request without `Origin` is not from a browser page (curl,
 * the CLI, the Python API) and needs only its token.
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'http';
import { ApiError } from '../protocol/errors';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `scheme://host[:port]`, lower case, default port dropped; other strings (`null`) as given. */
export function normalizeOrigin(origin: string): string {
  const s = origin.trim().toLowerCase().replace(/\/+$/, '');
  try {
    const u = new URL(s);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
  } catch {
    // Not a URL (e.g. "null", sent by sandboxed frames and file: pages): compared as is.
  }
  return s;
}

function first(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s?.split(',')[0].trim() || undefined;
}

/**
 * True when `origin` names the server the request was sent to: the host in `Host` or
 * `X-Forwarded-Host` (what a proxy in front of the server sets; jupyter-server-proxy
 * passes the browser's `Host` on unchanged). A page cannot forge either: the browser sets
 * `Host`, and `X-Forwarded-*` are not headers a page may add to a cross-site request. The
 * scheme must be `X-Forwarded-Proto` when given; without it, http or https, since the
 * server speaks plain HTTP and TLS, if any, ends in front of it.
 */
export function isSameOrigin(origin: string, headers: IncomingHttpHeaders): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  const scheme = u.protocol.slice(0, -1);
  const proto = first(headers['x-forwarded-proto'])?.toLowerCase();
  if (proto ? scheme !== proto : scheme !== 'http' && scheme !== 'https') return false;
  for (const host of [first(headers['x-forwarded-host']), headers.host]) {
    if (!host) continue;
    try {
      // Parsed with the Origin's scheme, so an explicit default port compares equal.
      if (new URL(`${u.protocol}//${host}`).host === u.host) return true;
    } catch {
      // A malformed host names no origin.
    }
  }
  return false;
}

/**
 * The refusal for a request's headers, or null when its origin is allowed: no `Origin`,
 * `"*"` in `allowed`, the server's own origin, or one in `allowed`.
 */
export function originRefusal(
  headers: IncomingHttpHeaders,
  allowed: readonly string[]
): ApiError | null {
  const origin = headers.origin;
  if (origin === undefined) return null;
  if (allowed.includes('*') || isSameOrigin(origin, headers)) return null;
  const o = normalizeOrigin(origin);
  if (allowed.some(a => normalizeOrigin(a) === o)) return null;
  return new ApiError(
    'forbidden_origin',
    `Origin ${origin} is not allowed; add it to server.allowedOrigins in the server's config ` +
      `to let pages there change state or open the event stream`
  );
}

/** Refuses state-changing requests (POST, PUT, PATCH, DELETE) from foreign origins. */
export function registerOriginCheck(app: FastifyInstance, allowed: readonly string[]): void {
  app.addHook('onRequest', async req => {
    if (!STATE_CHANGING.has(req.method)) return;
    const refusal = originRefusal(req.headers, allowed);
    if (refusal) throw refusal;
  });
}
