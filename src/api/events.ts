/**
 * The live event stream (/bulkrun/api/v1/events). One socket per page, subscribed to
 * everything the user may see; reconnects with backoff and `since` = the last seq seen,
 * so nothing is lost across drops. Consumers listen to signals and never poll.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';
import { pack, unpack } from 'msgpackr';
import { API_PATH } from './request';
import type { BatchEvent, ClientMessage, JobEvent, LogEvent, ServerMessage } from './types';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'down';

/** Backoff in ms for the n-th consecutive failed attempt (0-based), capped. */
export function backoffDelay(attempt: number, base = 500, cap = 15000): number {
  return Math.min(cap, base * 2 ** Math.min(attempt, 10));
}

/** After this many failed attempts in a row the state turns from reconnecting to down. */
const DOWN_AFTER = 4;
const PING_MS = 25000;

interface Follow {
  jobId: string;
  stream: 'stdout' | 'stderr';
  offset: number;
}

/** Byte length of a UTF-8 string (log offsets are byte offsets). */
function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      n += 1;
    } else if (c < 0x800) {
      n += 2;
    } else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else {
      n += 3;
    }
  }
  return n;
}

export class EventClient {
  constructor(
    readonly serverSettings: ServerConnection.ISettings,
    private readonly options: { format?: 'msgpack' | 'json' } = {}
  ) {}

  get state(): ConnectionState {
    return this._state;
  }
  get stateChanged(): ISignal<this, ConnectionState> {
    return this._stateChanged;
  }
  get jobEvent(): ISignal<this, JobEvent> {
    return this._job;
  }
  get batchEvent(): ISignal<this, BatchEvent> {
    return this._batch;
  }
  get logEvent(): ISignal<this, LogEvent> {
    return this._log;
  }
  /** Consumers must re-fetch their state over REST (first connect, or `reset`). */
  get resynced(): ISignal<this, void> {
    return this._resynced;
  }
  get lastSeq(): number | null {
    return this._lastSeq;
  }

  /** Opens the socket (idempotent). */
  start(): void {
    if (this._disposed || this._ws) {
      return;
    }
    this._open();
  }

  /** Follows a job's log stream; the returned function stops delivering it. */
  followLogs(jobId: string, stream: 'stdout' | 'stderr', offset = 0): () => void {
    const key = `${jobId}:${stream}`;
    this._follows.set(key, { jobId, stream, offset });
    this._send({ type: 'logs', jobId, stream, follow: true, offset });
    return () => {
      this._follows.delete(key);
    };
  }

  /** Reconnects now (e.g. from a "Retry now" button). */
  reconnectNow(): void {
    this._attempt = 0;
    if (this._timer) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    this._ws?.close();
    this._ws = null;
    this._open();
  }

  dispose(): void {
    this._disposed = true;
    if (this._timer) {
      clearTimeout(this._timer);
    }
    if (this._ping) {
      clearInterval(this._ping);
    }
    this._ws?.close();
    this._ws = null;
    Signal.clearData(this);
  }

  private _url(): string {
    let url = URLExt.join(this.serverSettings.wsUrl, API_PATH, 'events');
    const q: string[] = [];
    if (this.options.format === 'json') {
      q.push('format=json');
    }
    if (this.serverSettings.token) {
      q.push(`token=${encodeURIComponent(this.serverSettings.token)}`);
    }
    if (q.length) {
      url += `?${q.join('&')}`;
    }
    return url;
  }

  private _setState(s: ConnectionState): void {
    if (s !== this._state) {
      this._state = s;
      this._stateChanged.emit(s);
    }
  }

  private _open(): void {
    if (this._disposed) {
      return;
    }
    let ws: WebSocket;
    try {
      const Ctor = (this.serverSettings.WebSocket ?? WebSocket) as typeof WebSocket;
      ws = new Ctor(this._url());
    } catch {
      this._scheduleReconnect();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this._ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = ev => {
      if (this._ws !== ws) {
        return;
      }
      let msg: ServerMessage;
      try {
        msg =
          typeof ev.data === 'string'
            ? JSON.parse(ev.data)
            : (unpack(new Uint8Array(ev.data as ArrayBuffer)) as ServerMessage);
      } catch {
        return;
      }
      this.handle(msg);
    };
    ws.onclose = () => {
      if (this._ws !== ws) {
        return;
      }
      this._ws = null;
      if (this._ping) {
        clearInterval(this._ping);
        this._ping = null;
      }
      if (!opened || this._state !== 'connected') {
        this._attempt++;
      } else {
        this._attempt = 0;
      }
      this._scheduleReconnect();
    };
  }

  private _scheduleReconnect(): void {
    if (this._disposed) {
      return;
    }
    this._setState(this._attempt >= DOWN_AFTER ? 'down' : 'reconnecting');
    const delay = backoffDelay(this._attempt);
    this._timer = setTimeout(() => {
      this._timer = null;
      this._open();
    }, delay);
  }

  /** Applies one server message (public for tests). */
  handle(msg: ServerMessage): void {
    switch (msg.type) {
      case 'hello': {
        const first = this._lastSeq === null;
        const since = this._lastSeq ?? msg.seq;
        this._lastSeq = since;
        this._send({ type: 'subscribe', since });
        for (const f of this._follows.values()) {
          this._send({
            type: 'logs',
            jobId: f.jobId,
            stream: f.stream,
            follow: true,
            offset: f.offset,
          });
        }
        this._attempt = 0;
        this._setState('connected');
        if (!this._ping) {
          this._ping = setInterval(() => this._send({ type: 'ping' }), PING_MS);
        }
        if (first) {
          this._resynced.emit();
        }
        return;
      }
      case 'job':
        this._seen(msg.seq);
        this._job.emit(msg);
        return;
      case 'batch':
        this._seen(msg.seq);
        this._batch.emit(msg);
        return;
      case 'log': {
        const f = this._follows.get(`${msg.jobId}:${msg.stream}`);
        if (f) {
          f.offset = msg.offset + byteLength(msg.data);
        }
        this._log.emit(msg);
        return;
      }
      case 'reset':
        // Our `since` is older than the server keeps: start from now and re-fetch.
        this._lastSeq = null;
        this._send({ type: 'subscribe' });
        this._resynced.emit();
        return;
      default:
        return;
    }
  }

  private _seen(seq: number): void {
    if (typeof seq === 'number' && (this._lastSeq === null || seq > this._lastSeq)) {
      this._lastSeq = seq;
    }
  }

  private _send(msg: ClientMessage): void {
    const ws = this._ws;
    if (!ws || ws.readyState !== 1) {
      return;
    }
    ws.send(this.options.format === 'json' ? JSON.stringify(msg) : pack(msg));
  }

  private _state: ConnectionState = 'connecting';
  private _stateChanged = new Signal<this, ConnectionState>(this);
  private _job = new Signal<this, JobEvent>(this);
  private _batch = new Signal<this, BatchEvent>(this);
  private _log = new Signal<this, LogEvent>(this);
  private _resynced = new Signal<this, void>(this);
  private _ws: WebSocket | null = null;
  private _lastSeq: number | null = null;
  private _attempt = 0;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _ping: ReturnType<typeof setInterval> | null = null;
  private _disposed = false;
  private _follows = new Map<string, Follow>();
}
