/**
 * One connection to RabbitMQ that comes back by itself: amqplib's recovery reconnects with
 * backoff, and `setup` runs on every new connection to open the channel, declare the
 * broker objects and start consuming again. While it is down, `channel` is null and
 * callers decide: the server reports the backend unavailable, the worker keeps running
 * its tasks and sends their results once it is back.
 */
import * as amqp from 'amqplib';
import type { ConfirmChannel } from 'amqplib';
import type { Logger } from './base';
import { redactUrl } from './rabbitmq-protocol';

export interface LinkOptions {
  url: string;
  log: Logger;
  /** Who this is, for the broker's connection list and the logs. */
  name: string;
  /** Opens consumers on a fresh channel; a throw closes the connection and retries. */
  setup(ch: ConfirmChannel): Promise<void>;
  onUp?(): void;
  onDown?(why: string): void;
}

export class AmqpLink {
  channel: ConfirmChannel | null = null;
  /** Why the last connection attempt or connection failed. */
  lastError = 'not connected yet';
  /** When the current connection came up (0 while down). */
  upSince = 0;
  private model: amqp.RecoveringChannelModel | null = null;
  private closed = false;

  constructor(private readonly opts: LinkOptions) {}

  get up(): boolean {
    return this.channel !== null;
  }

  /** Starts connecting; never throws (a broker that is down is retried with backoff). */
  async start(): Promise<void> {
    const { log, name } = this.opts;
    const url = withHeartbeat(this.opts.url);
    this.model = await amqp.connect(url, {
      clientProperties: { connection_name: name },
      // Small request/answer messages: Nagle's algorithm would hold each for a delayed ACK.
      noDelay: true,
      recovery: {
        initialDelay: 200,
        maxDelay: 5_000,
        waitForConnect: false,
        setup: async (model: amqp.ChannelModel) => {
          const ch = await model.createConfirmChannel();
          ch.on('error', e => log.warn({ err: e.message }, 'amqp channel error'));
          // A channel closed by the broker (a failed declaration) ends the connection, so
          // recovery opens a new one rather than leaving a dead channel in place.
          ch.on('close', () => {
            if (this.channel === ch) {
              this.channel = null;
              if (!this.closed) void model.close().catch(() => undefined);
            }
          });
          await this.opts.setup(ch);
          this.channel = ch;
          this.upSince = Date.now();
        },
      },
    });
    this.model.on('connect', () => {
      log.info({ broker: redactUrl(this.opts.url), name }, 'connected to the broker');
      this.opts.onUp?.();
    });
    this.model.on('disconnect', (err: Error) => this.down(err?.message ?? 'connection closed'));
    this.model.on('connect-failed', (err: Error) => {
      this.lastError = err.message;
    });
    this.model.on('reconnect-scheduled', (info: { delay: number; error: Error }) => {
      this.lastError = info.error?.message ?? this.lastError;
      log.debug({ retryInMs: info.delay, err: this.lastError }, 'broker reconnect scheduled');
    });
    this.model.on('error', (err: Error) => {
      this.lastError = err.message;
    });
  }

  private down(why: string): void {
    const wasUp = this.channel !== null;
    this.channel = null;
    this.upSince = 0;
    this.lastError = why;
    if (wasUp && !this.closed) {
      this.opts.log.warn({ broker: redactUrl(this.opts.url), err: why }, 'lost the broker');
      this.opts.onDown?.(why);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channel = null;
    await this.model?.close().catch(() => undefined);
  }
}

/** AMQP heartbeats notice a lost peer (a node gone, not just a process) in about 2 × 5 s. */
function withHeartbeat(url: string): string {
  try {
    const u = new URL(url);
    if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', '5');
    return u.toString();
  } catch {
    return url;
  }
}

/** Publishes and resolves once the broker confirmed it (persisted, for a durable queue). */
export function publishConfirmed(
  ch: ConfirmChannel,
  exchange: string,
  routingKey: string,
  body: Buffer,
  options: amqp.Options.Publish = {}
): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.publish(exchange, routingKey, body, options, err =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()
    );
  });
}
