/** `bulkrun apps [ID]`: the registered apps, or one app's parameters. */
import type { Command } from 'commander';
import type { AppDefinition, AppFileProblem, AppList } from '../../protocol/records';
import { action, clientFrom, printJson, type GlobalOptions } from '../context';
import { table, truncate } from '../format';

function describeApp(a: AppDefinition): string {
  const lines = [
    `${a.id} ${a.version}: ${a.title}`,
    '',
    a.description,
    '',
    `command: ${JSON.stringify(a.command)}`,
  ];
  if (a.resources) lines.push(`resources: ${JSON.stringify(a.resources)}`);
  if (a.container) lines.push(`container: ${a.container.runtime} ${a.container.image}`);
  const schema = a.parameters as { properties?: Record<string, any>; required?: string[] };
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  lines.push('', 'parameters:');
  const rows = Object.entries(props).map(([name, p]) => [
    name + (required.has(name) ? ' *' : ''),
    [p.type ?? (p.enum ? 'enum' : 'any'), p.format].filter(Boolean).join(':'),
    p.default === undefined ? '' : JSON.stringify(p.default),
    truncate(p.description ?? p.title ?? '', 70),
  ]);
  lines.push(rows.length ? table(['name', 'type', 'default', 'description'], rows) : '  (none)');
  if (required.size) lines.push('(* required)');
  return lines.join('\n');
}

/** "2 app files could not be loaded:", then each file and, indented under it, its problems. */
export function problemsReport(problems: AppFileProblem[]): string {
  if (problems.length === 0) return '';
  const n = problems.length;
  const lines = [`${n} app ${n === 1 ? 'file' : 'files'} could not be loaded:`];
  for (const p of problems) {
    lines.push(`  ${p.file}`);
    for (const problem of p.problems) lines.push(`    ${problem}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerApps(program: Command): void {
  program
    .command('apps')
    .description('List the apps the server knows, or show one app and its parameters')
    .argument('[id]', 'app id')
    .option('--json', 'print app definitions (and the app files that failed to load) as JSON')
    .action(
      action(async function (this: Command, id: string | undefined, flags: { json?: boolean }) {
        const client = clientFrom(this.optsWithGlobals<GlobalOptions>());
        if (id) {
          const a = await client.get<AppDefinition>(`/apps/${encodeURIComponent(id)}`);
          if (flags.json) printJson(a);
          else process.stdout.write(`${describeApp(a)}\n`);
          return 0;
        }
        const answer = await client.get<Partial<AppList>>('/apps');
        const apps = answer.apps ?? [];
        // A server from before load problems were reported answers without them.
        const problems = answer.problems ?? [];
        if (flags.json) {
          printJson({ apps, problems });
          return 0;
        }
        process.stdout.write(
          `${table(
            ['id', 'version', 'title'],
            apps.map(a => [a.id, a.version, a.title])
          )}\n`
        );
        // Not an error of the command: the apps that loaded are listed and usable.
        process.stderr.write(problemsReport(problems));
        return 0;
      })
    );
}
