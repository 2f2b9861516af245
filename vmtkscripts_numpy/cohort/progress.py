"""How far a cohort run is: a bar on a terminal, plain lines now and then elsewhere, nothing when quiet."""

from __future__ import annotations

import time
from typing import Optional, TextIO

from ..progress import is_terminal

#: Seconds between two plain progress lines when the output is not a terminal.
LINE_INTERVAL = 10.0
#: Seconds between two redraws of the bar.
BAR_INTERVAL = 0.2
BAR_WIDTH = 28


def _duration(seconds: float) -> str:
    """``42.0`` -> ``"42 s"``, ``135`` -> ``"2 min 15 s"``, ``7300`` -> ``"2 h 1 min"``.

    Examples
    --------
    >>> _duration(4.25), _duration(135), _duration(7300)
    ('4.2 s', '2 min 15 s', '2 h 1 min')
    """
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, seconds = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


class Progress:
    """Progress of the cases a run submits (skipped cases are counted before it starts).

    Parameters
    ----------
    total : int
        Cases to run.
    stream : text stream or None
        Where to write; None is quiet. A terminal gets a bar redrawn in
        place; anything else a plain line every ``interval`` seconds.
    interval : float
        Seconds between plain lines.
    label : str
        What starts each line.
    """

    def __init__(self, total: int, stream: Optional[TextIO], interval: float = LINE_INTERVAL,
                 label: str = "vmtknumpybatch") -> None:
        self.total = total
        self.stream = stream
        self.bar = is_terminal(stream)
        self.interval = BAR_INTERVAL if self.bar else interval
        self.label = label
        self.done = 0
        self.failed = 0
        self.started = time.perf_counter()
        self._last = self.started
        self._bar_shown = False

    @property
    def finished(self) -> int:
        return self.done + self.failed

    def say(self, line: str) -> None:
        """Write one line (clearing the bar first on a terminal)."""
        if self.stream is None:
            return
        if self._bar_shown:
            self.stream.write("\r\033[K")
            self._bar_shown = False
        self.stream.write(line + "\n")
        self.stream.flush()

    def update(self, status: str) -> None:
        """Count one finished case (``"done"`` or ``"failed"``) and show progress if it is time."""
        if status == "done":
            self.done += 1
        else:
            self.failed += 1
        now = time.perf_counter()
        if self.stream is not None and (now - self._last >= self.interval or (self.bar and self.finished == self.total)):
            self._last = now
            self._show(now)

    def _rate(self, now: float) -> str:
        elapsed = now - self.started
        if not self.finished or elapsed <= 0:
            return ""
        rate = self.finished / elapsed
        left = (self.total - self.finished) / rate
        return f", {rate:.2f} cases/s, {_duration(left)} left" if self.finished < self.total else f", {rate:.2f} cases/s"

    def _show(self, now: float) -> None:
        assert self.stream is not None
        counts = f"{self.finished}/{self.total} (done {self.done}, failed {self.failed}), {_duration(now - self.started)}"
        if self.bar:
            filled = int(BAR_WIDTH * self.finished / max(self.total, 1))
            self.stream.write(f"\r\033[K[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {counts}{self._rate(now)}")
            self._bar_shown = True
        else:
            self.stream.write(f"{self.label}: {counts}{self._rate(now)}\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.stream is not None and self._bar_shown:
            self.stream.write("\n")
            self.stream.flush()
            self._bar_shown = False
