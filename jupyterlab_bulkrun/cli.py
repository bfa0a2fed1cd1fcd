"""The `bulkrun` console script: runs the bundled Node CLI on the packaged Node."""

from __future__ import annotations

import os
import sys

from . import runtime


def main() -> None:
    try:
        argv = runtime.server_program()
    except runtime.RuntimeMissing as err:
        sys.stderr.write(f"bulkrun: {err}\n")
        sys.exit(1)
    # exec: signals, exit codes and the terminal go straight to the CLI.
    os.execv(argv[0], [*argv, *sys.argv[1:]])


if __name__ == "__main__":
    main()
