"""Run an example's main() so that a full disk or a closed pipe ends with one clear line.

``python examples/quickstart.py | head -1`` or ``> /dev/full`` then print one line on
standard error and exit with status 1, instead of a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import NoReturn


def _quiet_stdout() -> None:
    """Point standard output at the null device, so nothing more fails at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def run_main(main: Callable[[], object]) -> NoReturn:
    """Call ``main()`` and flush its output; report a closed pipe or full disk in one line."""
    name = os.path.basename(sys.argv[0])
    try:
        main()
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        sys.stderr.write(f"{name}: the output was closed before all of it was written\n")
        sys.exit(1)
    except OSError as error:
        _quiet_stdout()
        sys.stderr.write(f"{name}: cannot write the output: {error.strerror or error}\n")
        sys.exit(1)
    sys.exit(0)
