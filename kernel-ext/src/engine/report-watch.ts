/**
 * Whether jobs' own reports (engine/reports.ts) reach the server. Where nodes can't reach
 * BULKRUN_URL, every exit is found by the poll and none is reported: nothing fails, rows
 * only show later. Health then says so, with what to check (docs/SEMANTICS.md "Reports
 * from jobs"). Counted since the server started, per backend.
 */
import type { StatusUpdate } from '../backends/base';
import { isTerminal } from '../protocol/records';

/** Exits found by polls, with no report at all, before health says reports do not arrive. */
export const SILENT_EXITS = 5;

export class ReportWatch {
  private received = new Map<string, number>();
  private polledExits = new Map<string, number>();

  /** A report came in for a job of this backend (applied or not). */
  report(backend: string): void {
    this.received.set(backend, (this.received.get(backend) ?? 0) + 1);
  }

  /** A poll's updates: its exits are ones no report had brought yet. */
  polled(backend: string, updates: readonly StatusUpdate[]): void {
    let n = 0;
    for (const u of updates) if (isTerminal(u.status) && u.exitCode !== undefined) n++;
    if (n) this.polledExits.set(backend, (this.polledExits.get(backend) ?? 0) + n);
  }

  /** What health adds for a backend whose jobs should report, or null while all is well. */
  problem(backend: string, publicUrl: string): string | null {
    if ((this.received.get(backend) ?? 0) > 0) return null;
    const exits = this.polledExits.get(backend) ?? 0;
    if (exits < SILENT_EXITS) return null;
    return (
      `no job has reported its exit to the server (${exits} exits found by polling instead): ` +
      `the nodes may not reach ${publicUrl} or may lack curl; rows show at the next poll ` +
      `meanwhile (set jobReports: false to stop the reports)`
    );
  }
}
