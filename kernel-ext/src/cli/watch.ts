/**
 * Following a batch or a job until it is terminal: events from the WebSocket (JSON frames),
 * with a GET once a second as the fallback when the socket cannot be used.
 */
import WebSocket from 'ws';
import type { BatchRecord, JobRecord, JobStatus } from '../protocol/records';
import { isTerminal } from '../protocol/records';
import { type ApiClient, eventsSocket } from './client';

export type Watched = JobRecord | BatchRecord;

export interface WatchOptions {
  /** Called with the newest known state whenever it changes. */
  onUpdate?: (rec: Watched) => void;
  /** Resolve on the first terminal state (default true); false keeps following (status --watch). */
  untilTerminal?: boolean;
  pollMs?: number;
  /** Disable the WebSocket (tests of the fallback). */
  noSocket?: boolean;
  /** Reports how events arrive: 'socket' or 'polling'. */
  onMode?: (mode: 'socket' | 'polling') => void;
  signal?: AbortSignal;
}

const SAFETY_POLL_MS = 10000;

/** Follows one record (a batch parent or a job) and resolves with its terminal state. */
export function watchRecord(
  client: ApiClient,
  id: string,
  opts: WatchOptions = {}
): Promise<Watched> {
  const pollMs = opts.pollMs ?? 1000;
  const untilTerminal = opts.untilTerminal ?? true;
  return new Promise<Watched>((resolve, reject) => {
    let current: Watched | null = null;
    let done = false;
    let ws: WebSocket | null = null;
    let timer: NodeJS.Timeout | null = null;
    let fetching = false;

    const finish = (err: unknown, rec?: Watched) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      if (ws) {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
      }
      if (err) reject(err);
      else resolve(rec!);
    };
    opts.signal?.addEventListener('abort', () => finish(undefined, current ?? undefined));

    const publish = (rec: Watched) => {
      current = rec;
      opts.onUpdate?.(rec);
      if (untilTerminal && isTerminal(rec.status)) finish(undefined, rec);
    };

    /** The full record from the API (events carry only changed fields). */
    const refresh = async (): Promise<void> => {
      if (fetching || done) return;
      fetching = true;
      try {
        publish(await client.get<Watched>(`/jobs/${encodeURIComponent(id)}`));
      } catch (e) {
        finish(e);
      } finally {
        fetching = false;
      }
    };

    const schedule = (ms: number) => {
      if (done) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(async () => {
        await refresh();
        schedule(ws ? SAFETY_POLL_MS : pollMs);
      }, ms);
    };

    const poll = () => {
      ws = null;
      opts.onMode?.('polling');
      schedule(pollMs);
    };

    if (opts.noSocket) {
      void refresh().then(poll);
      return;
    }

    const { url, headers } = eventsSocket(client.target, client.token);
    const sock = new WebSocket(url, { headers, handshakeTimeout: 5000 });
    ws = sock;
    let opened = false;
    sock.on('open', () => {
      opened = true;
      opts.onMode?.('socket');
      // Subscribe first, then read the record: no change can fall between the two.
      sock.send(JSON.stringify({ type: 'subscribe', batchIds: [id], jobIds: [id] }));
      void refresh();
      schedule(SAFETY_POLL_MS);
    });
    sock.on('message', data => {
      if (done) return;
      let msg: any;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return;
      }
      const change = msg.type === 'batch' ? msg.batch : msg.type === 'job' ? msg.job : null;
      if (change?.id === id && current) {
        // The end is confirmed with the full record: events carry only what changed.
        if (isTerminal(change.status as JobStatus)) void refresh();
        else publish({ ...current, ...change });
      } else if (msg.type === 'reset') {
        void refresh();
      }
    });
    const fallback = () => {
      if (done || ws !== sock) return;
      sock.removeAllListeners();
      sock.on('error', () => undefined);
      sock.terminate();
      if (!opened) void refresh();
      poll();
    };
    sock.on('error', fallback);
    sock.on('close', fallback);
    sock.on('unexpected-response', fallback);
  });
}
