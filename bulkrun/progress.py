"""A one-line text progress bar for :meth:`Batch.wait` outside Jupyter.

On a terminal the line is redrawn in place (``\\r``) when the counts change; when stderr
is not a terminal (a log file, a CI job) a new line is printed only when they change, so
a log gets one line per change and no control characters.
"""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Any, Mapping, Optional

if TYPE_CHECKING:
    from .batch import Batch

# Order of the counts in the line: finished states first, as the CLI's bar does.
_ORDER = ("completed", "error", "terminated", "running", "queued", "created")
_TERMINAL = ("completed", "error", "terminated")


def short_id(batch_id: str, keep: int = 8) -> str:
    """The id's start, enough to recognise it in a line."""
    return batch_id if len(batch_id) <= keep + 1 else batch_id[:keep] + "…"


def summary(counts: Mapping[str, Any]) -> str:
    """``completed 7 · running 3 · queued 2``: the non-zero counts."""
    parts = [f"{name} {counts.get(name)}" for name in _ORDER if counts.get(name)]
    return " · ".join(parts) or "no rows"


class TextProgress:
    """Draws ``demo-echo 3f2a…  [#######-------]  7/12  completed 7 · running 3``."""

    def __init__(self, stream: Optional[IO[str]] = None, width: int = 20) -> None:
        # sys.stderr is looked up now, not at import: it may have been replaced.
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._last: Optional[str] = None
        self._drawn = 0  # length of the line on screen, to blank what a shorter one leaves
        try:
            self.tty = bool(self.stream.isatty())
        except (AttributeError, ValueError, OSError):
            self.tty = False

    def line(self, batch: Batch) -> str:
        counts = batch.counts
        total = batch.total or sum(int(counts.get(k) or 0) for k in _ORDER)
        done = sum(int(counts.get(k) or 0) for k in _TERMINAL)
        filled = round(self.width * done / total) if total else 0
        bar = "#" * filled + "-" * (self.width - filled)
        return f"{batch.app} {short_id(batch.id)}  [{bar}]  {done}/{total}  {summary(counts)}"

    def update(self, batch: Batch) -> None:
        """Shows the batch's counts, if they changed since the last call."""
        text = self.line(batch)
        if text == self._last:
            return
        self._last = text
        if self.tty:
            pad = " " * max(0, self._drawn - len(text))
            self.stream.write("\r" + text + pad)
            self._drawn = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Ends the redrawn line so the next output starts on its own."""
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = 0
