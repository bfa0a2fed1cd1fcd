/** The one subprocess function of the backends (backends/run.ts), on real processes. */
import { CommandError, isCommandNotFound, runCommand } from '../src/backends/run';

test('a command that does not exist is classified as not found', async () => {
  const argv = ['bulkrun-no-such-command-7f3a', '--version'];
  const err = await runCommand(argv).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CommandError);
  expect(isCommandNotFound(err)).toBe(true);
  expect((err as CommandError).argv).toEqual(argv);
  expect((err as CommandError).exitCode).toBeNull();
});

test('a command that runs and fails is not "not found", and carries its output', async () => {
  const err = await runCommand(['sh', '-c', 'echo out; echo err >&2; exit 3']).catch(
    (e: unknown) => e
  );
  expect(isCommandNotFound(err)).toBe(false);
  expect(err).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
  expect((err as Error).message).toContain('exit code 3');
});

test('a missing file given to an existing command is not "not found" either', async () => {
  const err = await runCommand(['cat', '/nonexistent/bulkrun-file']).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CommandError);
  expect(isCommandNotFound(err)).toBe(false);
  expect(isCommandNotFound(new Error('spawn sbatch ENOENT'))).toBe(false);
});
