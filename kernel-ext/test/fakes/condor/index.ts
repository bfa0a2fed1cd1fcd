/**
 * Puts the fake HTCondor commands on PATH for a test: `useFakeCondor()` makes a fresh state
 * dir, prepends this directory to process.env.PATH and sets FAKE_CONDOR_STATE; `restore()`
 * undoes both. The fakes run jobs for real (see README.md here).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const FAKE_CONDOR_BIN = __dirname;

export interface FakeCondor {
  stateDir: string;
  /** Every fake command invocation so far: [name, ...argv]. */
  calls(): string[][];
  /** Stop (true) or resume (false) starting idle jobs, like a pool with no free slots. */
  pause(paused: boolean): void;
  /** Make the schedd unreachable (true) or reachable again. */
  down(isDown: boolean): void;
  restore(): void;
}

export function useFakeCondor(
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-condor-'))
): FakeCondor {
  const saved = { PATH: process.env.PATH, FAKE_CONDOR_STATE: process.env.FAKE_CONDOR_STATE };
  process.env.PATH = `${FAKE_CONDOR_BIN}${path.delimiter}${process.env.PATH ?? ''}`;
  process.env.FAKE_CONDOR_STATE = stateDir;
  fs.mkdirSync(stateDir, { recursive: true });
  const flag = (name: string, on: boolean) => {
    const f = path.join(stateDir, name);
    if (on) fs.writeFileSync(f, '');
    else fs.rmSync(f, { force: true });
  };
  return {
    stateDir,
    calls() {
      try {
        return fs
          .readFileSync(path.join(stateDir, 'calls.log'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map(l => JSON.parse(l) as string[]);
      } catch {
        return [];
      }
    },
    pause: on => flag('paused', on),
    down: on => flag('down', on),
    restore() {
      process.env.PATH = saved.PATH;
      if (saved.FAKE_CONDOR_STATE === undefined) delete process.env.FAKE_CONDOR_STATE;
      else process.env.FAKE_CONDOR_STATE = saved.FAKE_CONDOR_STATE;
    },
  };
}
