/**
 * WebSocket /api/v1/events (protocol/events.ts): MessagePack frames (or JSON with ?format=json),
 * `hello` with the current seq, `subscribe` with optional ids and `since` (replayed from
 * the persisted log, or `reset` when older than retention), live job/batch events, log
 * tailing, ping. Replay and switch to live happen in one synchronous step, so nothing is
 * missed or sent twice between them.
 */
import type { IncomingMessage } from 'http';
import type { Duplex } from 'stream';
import { Packr } from 'msgpackr';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Actor } from '../engine/access';
import { canSee } from '../engine/access';
import type { Published } from '../engine/bus';
import type { Engine } from '../engine/engine';
import type { ClientMessage, ServerMessage } from '../protocol/events';
import { isTerminal } from '../protocol/records';
import { Auth } from './auth';
import { readLog } from './logs';

const packr = new Packr({ useRecords: false });
const REPLAY_PAGE = 5000;
const LOG_POLL_MS = 200;

interface Sub {
  batchIds: Set<string> | null;
  jobIds: Set<string> | null;
}

class Connection {
  private sub: Sub | null = null;
  private tails = new Map<string, NodeJS.Timeout>();
  private unsubscribe: () => void;

  constructor(
    private ws: WebSocket,
    private engine: Engine,
    private actor: Actor,
    private asAdmin: boolean,
    private json: boolean
  ) {
    this.send({ type: 'hello', seq: engine.store.events.maxSeq() });
    this.unsubscribe = engine.bus.subscribe(events => this.onEvents(events));
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('close', () => this.close());
    ws.on('error', () => this.close());
  }

  private send(msg: ServerMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(this.json ? JSON.stringify(msg) : packr.pack(msg));
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

  private onEvents(events: Published[]): void {
    if (!this.sub) return;
    for (const e of events) if (this.visible(e)) this.send(e.event);
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
        if (this.visible({ owner: e.owner, batchId: e.batch_id, jobId: e.job_id })) {
          this.send({ ...JSON.parse(e.body), seq: e.seq });
        }
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
    this.unsubscribe();
    for (const t of this.tails.values()) clearInterval(t);
    this.tails.clear();
  }
}

export function createEventSocket(engine: Engine, auth: Auth) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/api/v1/events') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
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
        new Connection(ws, engine, actor, asAdmin, json);
      });
    },
    /** Open WebSocket connections. */
    clientCount(): number {
      return wss.clients.size;
    },
    close(): void {
      for (const c of wss.clients) c.terminate();
      wss.close();
    },
  };
}
