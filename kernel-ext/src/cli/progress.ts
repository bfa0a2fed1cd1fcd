/**
 * Live progress on stderr: a bar on a terminal; elsewhere (CI logs, pipes) one summary line
 * whenever the counts change, at most once a second.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { BatchRecord } from '../protocol/records';
import { doneCount, summaryLine } from './format';
import type { Watched } from './watch';

export interface Progress {
  update(rec: Watched): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) return new BarProgress(stream);
  return new LineProgress(stream);
}

function describe(rec: Watched): { total: number; done: number; text: string } {
  const b = rec as Partial<BatchRecord>;
  if (b.batchJob && b.counts) {
    const fanIn = b.fanIn ? (b.fanInJobId ? ', fan-in started' : ', fan-in pending') : '';
    return {
      total: b.total ?? 0,
      done: doneCount(b.counts),
      text: `${summaryLine(b.counts)}${fanIn} — ${rec.status}`,
    };
  }
  return {
    total: 1,
    done: ['completed', 'error', 'terminated'].includes(rec.status) ? 1 : 0,
    text: rec.status,
  };
}

class BarProgress implements Progress {
  private bar: SingleBar;
  private started = false;

  constructor(stream: NodeJS.WriteStream) {
    this.bar = new SingleBar(
      {
        format: '{bar} {value}/{total} | {duration_formatted} | {text}',
        stream,
        hideCursor: true,
        clearOnComplete: false,
        barsize: 30,
        etaBuffer: 50,
        fps: 10,
      },
      Presets.shades_classic
    );
  }

  update(rec: Watched): void {
    const d = describe(rec);
    if (!this.started) {
      this.bar.start(d.total, d.done, { text: d.text });
      this.started = true;
    } else {
      this.bar.setTotal(d.total);
      this.bar.update(d.done, { text: d.text });
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}

class LineProgress implements Progress {
  private last = '';
  private lastAt = 0;
  private pending: string | null = null;

  constructor(private stream: NodeJS.WriteStream) {}

  update(rec: Watched): void {
    const d = describe(rec);
    const line = `${d.done}/${d.total} done | ${d.text}`;
    if (line === this.last) return;
    const now = Date.now();
    if (now - this.lastAt < 1000 && !['completed', 'error', 'terminated'].includes(rec.status)) {
      this.pending = line;
      return;
    }
    this.write(line, now);
  }

  private write(line: string, now: number): void {
    this.stream.write(`${line}\n`);
    this.last = line;
    this.lastAt = now;
    this.pending = null;
  }

  stop(): void {
    if (this.pending && this.pending !== this.last) this.write(this.pending, Date.now());
  }
}
