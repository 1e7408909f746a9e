"""`python -m stackstart`, and the `stackstart` command.

Signals are noted from the first line of this module on, before the command
line's imports (click, Copier's dependencies): a Ctrl-C in the first
milliseconds ends the run with one line too, never a KeyboardInterrupt traceback.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

_EARLY: list[int] = []  # signals that arrived before stackstart.interrupts took over


def _note(signum: int, frame: FrameType | None) -> None:
    _EARLY.append(signum)


for _signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_signum, _note)


def main() -> None:
    """Run the command line, with SIGINT, SIGTERM and SIGHUP handled from the very start."""
    from stackstart import interrupts
    from stackstart.errors import Interrupted

    try:
        with interrupts.handled(_EARLY):
            from stackstart.cli import main as run

            run()
    except Interrupted as stop:  # before the command line took over, or just after it finished
        sys.stderr.write(f"error: {stop.message}\n")
        sys.exit(stop.exit_code)


if __name__ == "__main__":
    main()
