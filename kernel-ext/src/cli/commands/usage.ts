/** `bulkrun usage APP`: what the app used in your past runs, and what to ask for. */
import type { Command } from 'commander';
import type { AppUsage, UsageSpread } from '../../protocol/records';
import { formatBytes, formatDuration } from '../../units';
import { action, clientFrom, printJson, type GlobalOptions } from '../context';
import { table } from '../format';

const pct = (v: number) => `${Math.round(v * 100)}%`;

/** The answer as people read it: counts, a p50/p95/max table, the request, the suggestion. */
export function usageReport(u: AppUsage): string {
  const from = u.inheritedFrom
    ? ` (from version ${u.inheritedFrom}: too few runs of this one)`
    : '';
  const lines = [
    `${u.app} ${u.version}: ${u.runs} measured ${u.runs === 1 ? 'run' : 'runs'} in the last ` +
      `${u.windowDays} days${from}; failed for memory ${u.failures.oom}, for time ${u.failures.timeout}`,
  ];
  const row = (name: string, s: UsageSpread | null, f: (v: number) => string) =>
    s ? [name, f(s.p50), f(s.p95), f(s.max)] : null;
  const rows = [
    row('peak memory', u.memory, formatBytes),
    row('wall time', u.wall, formatDuration),
    row('CPU efficiency', u.cpuEfficiency, pct),
  ].filter((r): r is string[] => r !== null);
  if (rows.length) lines.push('', table(['', 'p50', 'p95', 'max'], rows));
  const asked = [
    u.requested.memoryBytes !== null ? `memory ${formatBytes(u.requested.memoryBytes)}` : null,
    u.requested.walltimeSeconds !== null
      ? `walltime ${formatDuration(u.requested.walltimeSeconds)}`
      : null,
  ].filter(Boolean);
  lines.push('', `requested: ${asked.length ? asked.join(', ') : 'the backend defaults'}`);
  if (u.suggestion) {
    const s = [
      u.suggestion.memory && `memory ${u.suggestion.memory}`,
      u.suggestion.walltime && `walltime ${u.suggestion.walltime}`,
    ].filter(Boolean);
    lines.push(`suggested: ${s.join(', ')}`, `  ${u.method}`);
  } else {
    lines.push('suggested: nothing yet (at least 5 measured runs are needed)');
  }
  for (const m of u.models) {
    const per =
      m.measure === 'maxRssBytes' ? formatBytes(m.slope) : `${Number(m.slope.toPrecision(2))} s`;
    const what = m.measure === 'maxRssBytes' ? 'peak memory' : 'wall time';
    lines.push(`${what} follows ${m.param}: about ${per} per unit (r² ${m.r2.toFixed(2)})`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerUsage(program: Command): void {
  program
    .command('usage')
    .description('Show what an app used in your past runs, and the resources to ask for')
    .argument('<app>', 'app id')
    .option('--version <v>', 'app version (default: the current one)')
    .option('--json', 'print the answer as JSON')
    .action(
      action(async function (
        this: Command,
        app: string,
        flags: { version?: string; json?: boolean }
      ) {
        const client = clientFrom(this.optsWithGlobals<GlobalOptions>());
        const u = await client.get<AppUsage>(`/apps/${encodeURIComponent(app)}/usage`, {
          version: flags.version,
        });
        if (flags.json) printJson(u);
        else process.stdout.write(usageReport(u));
        return 0;
      })
    );
}
