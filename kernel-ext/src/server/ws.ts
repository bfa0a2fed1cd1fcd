/**
 * WebSocket /api/v1/events (protocol/events.ts): MessagePack frames (or JSON with ?format=json),
 * `hello` with the current seq, `subscribe` with optional ids and `since` (replayed from
 * the persisted log, or `reset` when older than retention), live job/batch events, log
 * tailing, ping. Replay and switch to live happen in one synchronous step, so nothing is
 * missed or sent twice between them. Each published event is encoded once per wire format
 * and the same bytes go to every connection that may see it; a client that does not keep
 * up is sent `reset` rather than an ever longer queue (DEFAULT_EVENT_BUFFER_BYTES).
 */
import type { IncomingMessage } from 'http';
import type { Duplex } from 'stream';
import { Packr } from 'msgpackr';
import * as wsLib from 'ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Actor } from '../engine/access';
import { canSee } from '../engine/access';
import type { Published } from '../engine/bus';
import type { Engine } from '../engine/engine';
import type { ClientMessage, ServerMessage } from '../protocol/events';
import { isTerminal } from '../protocol/records';
import { Auth } from './auth';
import { readLog } from './logs';
import { originRefusal } from './origin';

const packr = new Packr({ useRecords: false });
const REPLAY_PAGE = 5000;
const LOG_POLL_MS = 200;

/**
 * Bytes a connection may have waiting to be sent (config `eventBufferBytes`). Past this the
 * client is not keeping up (a stalled tab, a slow link or proxy): queueing more would grow
 * the server's memory by everything published meanwhile, per such client, for frames it
 * would read late or never. It is sent `reset` instead (re-fetch over REST;
 * src/api/events.ts, cli/watch.ts) and nothing more until it subscribes again or its
 * queue is half drained. 8 MB holds about 30,000 job events.
 */
export const DEFAULT_EVENT_BUFFER_BYTES = 8 * 1024 * 1024;
/**
 * What all connections together may have waiting: each gets an equal share when that is
 * below its own cap (with 50 clients, 640 KB each), so many slow readers cannot take the
 * server's memory past its bar either (100,000 rows cancelled to 50 clients that decode
 * slowly had queued 500 MB).
 */
export const TOTAL_EVENT_BUFFER_BYTES = 32 * 1024 * 1024;
const MIN_SHARE_BYTES = 256 * 1024;

export interface EventSocketOptions {
  /** Page origins allowed besides the server's own (server/origin.ts). */
  allowedOrigins?: readonly string[];
  maxBufferedBytes?: number;
}

/** ws's own frame builder (untyped in @types/ws): the header RFC 6455 puts before a payload. */
const { Sender } = wsLib as unknown as {
  Sender: {
    frame(
      data: Buffer,
      o: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean }
    ): Buffer[];
  };
};

/** A message encoded at most once per wire format, however many connections send it. */
export class Frame {
  private packed: Buffer | null = null;
  private text: Buffer | null = null;
  private wirePacked: Buffer | null = null;
  private wireText: Buffer | null = null;

  constructor(readonly msg: ServerMessage) {}

  bytes(json: boolean): Buffer {
    if (json) return (this.text ??= this.encode(true));
    return (this.packed ??= this.encode(false));
  }

  /**
   * The whole WebSocket frame, header and payload. A server's frames are never masked, so
   * these bytes are the same for every connection: built once, written to each socket.
   */
  wire(json: boolean): Buffer {
    if (json) return (this.wireText ??= this.frame(true));
    return (this.wirePacked ??= this.frame(false));
  }

  private frame(json: boolean): Buffer {
    const opts = { fin: true, rsv1: false, opcode: json ? 1 : 2, mask: false, readOnly: true };
    return Buffer.concat(Sender.frame(this.bytes(json), opts));
  }

  encode(json: boolean): Buffer {
    return json ? Buffer.from(JSON.stringify(this.msg)) : packr.pack(this.msg);
  }
}

const RESET = new Frame({ type: 'reset' });

interface Sub {
  batchIds: Set<string> | null;
  jobIds: Set<string> | null;
}

class Connection {
  private sub: Sub | null = null;
  private tails = new Map<string, NodeJS.Timeout>();
  /** Sent `reset` for falling behind; events are dropped until the queue drains. */
  private behind = false;

  constructor(
    private ws: WebSocket,
    private engine: Engine,
    private actor: Actor,
    private asAdmin: boolean,
    private json: boolean,
    private cap: () => number,
    private onClose: () => void
  ) {
    this.send({ type: 'hello', seq: engine.store.events.maxSeq() });
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('close', () => this.close());
    ws.on('error', () => this.close());
  }

  private send(msg: ServerMessage): void {
    this.write(new Frame(msg));
  }

  private write(frame: Frame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(frame.bytes(this.json), { binary: !this.json });
  }

  /**
   * Sends a job or batch event unless the client is behind (its cap); false
   * when it was dropped, and so will the rest of this delivery be.
   */
  private queue(frame: Frame): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    const buffered = this.ws.bufferedAmount;
    if (this.behind) {
      if (buffered > this.cap() / 2) return false;
      this.behind = false;
    } else if (buffered > this.cap()) {
      // The reset reaches the client after what it has queued; what it re-fetches then
      // holds every event dropped before.
      this.behind = true;
      this.write(RESET);
      return false;
    }
    this.write(frame);
    return true;
  }

  private error(code: string, message: string): void {
    this.send({ type: 'error', code, message });
  }

  private visible(p: { owner: string; batchId: string | null; jobId: string | null }): boolean {
    if (p.owner !== this.actor.user && !(this.actor.admin && this.asAdmin)) return false;
    // A job's token follows its own job and what it fanned out, nothing else.
    if (this.actor.jobId) {
      const id = p.jobId ?? p.batchId;
      if (!id || !canSee(this.actor, { id, owner: p.owner })) return false;
    }
    const s = this.sub!;
    if (!s.batchIds && !s.jobIds) return true;
    if (
      s.batchIds &&
      ((p.batchId && s.batchIds.has(p.batchId)) || (p.jobId && s.batchIds.has(p.jobId)))
    )
      return true;
    if (s.jobIds && p.jobId && s.jobIds.has(p.jobId)) return true;
    return false;
  }

  /**
   * Live events; frames[i] is events[i], encoded on first use and shared by every
   * connection. The frames this connection may see go to its socket in one write of their
   * wire bytes: a 500-row cancel chunk to 50 clients was 25,000 sends, each with its own
   * header and buffered-write records, which outlived young-generation collections while
   * slow clients read and so grew the server's heap.
   */
  deliver(events: Published[], frames: Frame[]): void {
    if (!this.sub) return;
    const socket = this.idleSocket();
    if (!socket) {
      this.corked(() => {
        for (let i = 0; i < events.length; i++)
          if (this.visible(events[i]) && !this.queue(frames[i])) return;
      });
      return;
    }
    const out: Buffer[] = [];
    let buffered = this.ws.bufferedAmount;
    for (let i = 0; i < events.length; i++) {
      if (!this.visible(events[i])) continue;
      // As queue() decides, with what this delivery adds counted in.
      if (this.behind) {
        if (buffered > this.cap() / 2) break;
        this.behind = false;
      } else if (buffered > this.cap()) {
        this.behind = true;
        out.push(RESET.wire(this.json));
        break;
      }
      const b = frames[i].wire(this.json);
      out.push(b);
      buffered += b.length;
    }
    if (out.length && socket.writable) socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
  }

  /**
   * The open connection's socket when ws has nothing of its own in flight on it (no
   * compression or Blob read queued: this server never asks for either), so whole frames
   * written to it cannot interleave with one of ws's; else null, and ws sends.
   */
  private idleSocket(): Duplex | null {
    if (this.ws.readyState !== this.ws.OPEN) return null;
    const w = this.ws as unknown as {
      _socket?: Duplex;
      _sender?: { _state?: number; _queue?: unknown[] };
    };
    const sender = w._sender;
    if (!w._socket || !sender || sender._state !== 0 || (sender._queue?.length ?? 0) > 0)
      return null;
    return w._socket;
  }

  /**
   * Runs fn with the connection's socket corked, so the frames it sends leave in one write
   * instead of one system call each: a 500-row cancel chunk to 50 clients was 25,000 of them.
   * (`ws` keeps the socket in `_socket` and corks around each frame itself; corks nest.)
   */
  private corked(fn: () => void): void {
    const socket = (this.ws as unknown as { _socket?: Duplex })._socket;
    socket?.cork();
    try {
      fn();
    } finally {
      socket?.uncork();
    }
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    let msg: ClientMessage;
    try {
      msg = (isBinary ? packr.unpack(data) : JSON.parse(data.toString('utf8'))) as ClientMessage;
    } catch {
      return this.error('invalid_request', 'Frames must be JSON text or MessagePack objects');
    }
    if (!msg || typeof msg !== 'object')
      return this.error('invalid_request', 'Frames must be objects');
    switch (msg.type) {
      case 'ping':
        return this.send({ type: 'pong' });
      case 'subscribe':
        return this.subscribe(msg.batchIds, msg.jobIds, msg.since);
      case 'logs':
        return this.logs(msg.jobId, msg.stream ?? 'stdout', msg.follow !== false, msg.offset ?? 0);
      default:
        return this.error(
          'invalid_request',
          `Unknown message type ${JSON.stringify((msg as any).type)}`
        );
    }
  }

  private subscribe(batchIds: unknown, jobIds: unknown, since: unknown): void {
    // A client that was reset subscribes again once it has read the reset, and then
    // re-fetches over REST: from here it must get every event, or that snapshot could miss
    // one dropped while it was behind.
    this.behind = false;
    const ids = (v: unknown): Set<string> | null | false => {
      if (v === undefined || v === null) return null;
      if (!Array.isArray(v) || v.some(x => typeof x !== 'string')) return false;
      return new Set(v as string[]);
    };
    const b = ids(batchIds);
    const j = ids(jobIds);
    if (b === false || j === false)
      return this.error('invalid_request', 'batchIds and jobIds must be lists of ids');
    if (
      since !== undefined &&
      since !== null &&
      (!Number.isInteger(since) || (since as number) < 0)
    ) {
      return this.error('invalid_request', 'since must be a non-negative integer');
    }
    this.sub = { batchIds: b, jobIds: j };
    if (since === undefined || since === null) return;
    const events = this.engine.store.events;
    const min = events.minSeq();
    const max = events.maxSeq();
    if ((since as number) >= max) return;
    // Events after `since` were pruned: the client must re-fetch state.
    if (min === null || (since as number) < min - 1) {
      this.send({ type: 'reset' });
      return;
    }
    // Synchronous replay: no live event can be published until this loop returns.
    let cursor = since as number;
    for (;;) {
      const page = events.since(cursor, REPLAY_PAGE);
      for (const e of page) {
        if (
          this.visible({ owner: e.owner, batchId: e.batch_id, jobId: e.job_id }) &&
          !this.queue(new Frame({ ...JSON.parse(e.body), seq: e.seq }))
        )
          return;
        cursor = e.seq;
      }
      if (page.length < REPLAY_PAGE) break;
    }
  }

  private logs(jobId: unknown, stream: unknown, follow: boolean, offset: unknown): void {
    if (typeof jobId !== 'string') return this.error('invalid_request', 'jobId is required');
    if (stream !== 'stdout' && stream !== 'stderr')
      return this.error('invalid_request', "stream must be 'stdout' or 'stderr'");
    if (!Number.isInteger(offset) || (offset as number) < 0)
      return this.error('invalid_request', 'offset must be >= 0');
    const row = this.engine.store.jobs.get(jobId);
    if (!row || !canSee(this.actor, row, { asAdmin: this.asAdmin }))
      return this.error('not_found', `Job ${jobId} not found`);
    const key = `${jobId}:${stream}`;
    const old = this.tails.get(key);
    if (old) clearInterval(old);
    let pos = offset as number;
    const pump = (): boolean => {
      const cur = this.engine.store.jobs.get(jobId)!;
      for (;;) {
        // A followed log waits for a slow client instead of queueing the whole file.
        if (follow && this.ws.bufferedAmount > this.cap()) return false;
        const chunk = readLog(cur, stream, pos);
        if (chunk.data.length)
          this.send({ type: 'log', jobId, stream, offset: pos, data: chunk.data });
        pos = chunk.nextOffset;
        if (chunk.nextOffset >= chunk.size) return isTerminal(cur.status) && chunk.eof;
      }
    };
    const done = pump();
    if (!follow || done) return;
    const t = setInterval(() => {
      if (pump()) {
        clearInterval(t);
        this.tails.delete(key);
      }
    }, LOG_POLL_MS);
    this.tails.set(key, t);
  }

  private close(): void {
    this.onClose();
    for (const t of this.tails.values()) clearInterval(t);
    this.tails.clear();
  }
}

export function createEventSocket(engine: Engine, auth: Auth, opts: EventSocketOptions = {}) {
  const allowedOrigins = opts.allowedOrigins ?? [];
  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_EVENT_BUFFER_BYTES;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const connections = new Set<Connection>();
  const cap = (): number =>
    Math.min(
      maxBuffered,
      Math.max(MIN_SHARE_BYTES, TOTAL_EVENT_BUFFER_BYTES / Math.max(1, connections.size))
    );
  const unsubscribe = engine.bus.subscribe(events => {
    if (connections.size === 0) return;
    const frames = events.map(e => new Frame(e.event));
    for (const c of connections) {
      try {
        c.deliver(events, frames);
      } catch {
        // One broken connection must not stop the others.
      }
    }
  });
  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/api/v1/events') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      // Before the token: a page of a foreign origin may hold the browser's credentials.
      const refusal = originRefusal(req.headers, allowedOrigins);
      if (refusal) {
        const body = JSON.stringify(refusal.toJSON());
        socket.end(
          `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
        );
        return;
      }
      const actor = auth.resolve(
        Auth.tokenFrom(req.headers.authorization, url.searchParams.get('token') ?? undefined)
      );
      if (!actor) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const asAdmin = url.searchParams.get('as_admin') === 'true';
      const json = url.searchParams.get('format') === 'json';
      wss.handleUpgrade(req, socket, head, ws => {
        const c: Connection = new Connection(ws, engine, actor, asAdmin, json, cap, () =>
          connections.delete(c)
        );
        connections.add(c);
      });
    },
    /** Open WebSocket connections. */
    clientCount(): number {
      return wss.clients.size;
    },
    close(): void {
      unsubscribe();
      for (const c of wss.clients) c.terminate();
      wss.close();
    },
  };
}
