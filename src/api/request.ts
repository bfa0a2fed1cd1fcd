/** One typed request helper: every REST call goes through Jupyter's ServerConnection. */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type * as Protocol from 'bulkrun-server/dist/protocol';
import type { RowError } from './types';

export const API_PATH = 'bulkrun/api/v1';

/** An error answer of the Bulkrun API (or a network failure, status 0). */
export class BulkrunError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown
  ) {
    super(message);
    this.name = 'BulkrunError';
  }

  /** Row errors of a preflight failure (400 with details [{row, field, message}]). */
  get rowErrors(): RowError[] {
    if (!Array.isArray(this.details)) {
      return [];
    }
    return this.details.filter(
      (d): d is RowError => !!d && typeof d === 'object' && 'message' in d && 'field' in d
    );
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function apiUrl(settings: ServerConnection.ISettings, path: string, query?: Query): string {
  const url = URLExt.join(settings.baseUrl, API_PATH, path);
  const q: string[] = [];
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') {
      q.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    }
  }
  return q.length ? `${url}?${q.join('&')}` : url;
}

/** The snapshot seq header (kernel-ext/src/protocol/events.ts; its type is the literal). */
export const SEQ_HEADER: typeof Protocol.SEQ_HEADER = 'bulkrun-seq';

export type RequestOptions = { method?: string; body?: unknown; query?: Query };

export async function requestAPI<T>(
  settings: ServerConnection.ISettings,
  path: string,
  options: RequestOptions = {}
): Promise<T> {
  return (await requestSnapshot<T>(settings, path, options)).data;
}

/**
 * A request whose answer is a snapshot for a live view: also returns the seq of the
 * newest event it reflects (null when the server does not say).
 */
export async function requestSnapshot<T>(
  settings: ServerConnection.ISettings,
  path: string,
  options: RequestOptions = {}
): Promise<{ data: T; seq: number | null }> {
  const init: RequestInit = { method: options.method ?? 'GET' };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      apiUrl(settings, path, options.query),
      init,
      settings
    );
  } catch (e) {
    throw new BulkrunError(0, 'network', (e as Error).message ?? String(e));
  }
  const text = await response.text();
  let data: any = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    const err = data?.error;
    if (err && typeof err.message === 'string') {
      throw new BulkrunError(response.status, err.code ?? 'error', err.message, err.details);
    }
    const msg = text && text.length < 300 ? text : response.statusText || 'Request failed';
    throw new BulkrunError(response.status, 'http', `${response.status}: ${msg}`);
  }
  const seq = Number(response.headers.get(SEQ_HEADER) ?? NaN);
  return { data: data as T, seq: Number.isFinite(seq) ? seq : null };
}
