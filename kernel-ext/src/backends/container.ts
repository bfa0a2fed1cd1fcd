/**
 * Container wrapping: pure argv construction, so the generated command is testable as text.
 * The work dir is bound into the container at the same path.
 */
import type { ContainerSpec } from '../protocol/records';

export function containerArgv(
  spec: ContainerSpec | undefined,
  argv: string[],
  workDir: string
): string[] {
  if (!spec) return argv;
  switch (spec.runtime) {
    case 'apptainer':
    case 'singularity':
      return [spec.runtime, 'exec', '--bind', workDir, spec.image, ...argv];
    case 'shifter':
      return ['shifter', `--image=${spec.image}`, '--', ...argv];
    case 'docker':
    case 'podman':
      return [
        spec.runtime,
        'run',
        '--rm',
        '-v',
        `${workDir}:${workDir}`,
        '-w',
        workDir,
        spec.image,
        ...argv,
      ];
  }
}
