/**
 * The event loop's lag, as `/api/v1/health` reports it (docs/BENCHMARKS.md "Load"): how
 * late timers fire, sampled by `perf_hooks.monitorEventLoopDelay`. One window since the
 * server started (p50, p99, max) and one since the previous health answer, so a poller
 * sees the stall a big cancel caused even when its own request waited behind it.
 */
import { monitorEventLoopDelay } from 'perf_hooks';
import type { LoopLag } from '../protocol/records';

const ms = (ns: number): number => Math.round(ns / 1e4) / 100;

export class LoopLagMonitor {
  private total = monitorEventLoopDelay({ resolution: 10 });
  private window = monitorEventLoopDelay({ resolution: 10 });

  start(): void {
    this.total.enable();
    this.window.enable();
  }

  stop(): void {
    this.total.disable();
    this.window.disable();
  }

  /** The figures so far; starts a new "since the last report" window. */
  report(): LoopLag {
    const w = this.window;
    const out: LoopLag = {
      p50Ms: ms(this.total.percentile(50)),
      p99Ms: ms(this.total.percentile(99)),
      maxMs: ms(this.total.max),
      sinceLastMaxMs: ms(w.count ? w.max : 0),
    };
    w.reset();
    return out;
  }
}
