"""Progress of long reads and writes: a line on a terminal's standard error, redrawn in place, and nothing else.

A script that logs wraps its read or write in :func:`reporting`; the code that
does the work feeds whoever is reporting with :func:`advance` (bytes or items
done, of a total given up front) or :func:`fraction` (a VTK reader's or writer's
own ``ProgressEvent``, see :func:`observe`). Nothing is shown for the first
second, so quick reads and writes stay silent, and the line is redrawn at most
a few times a second. Where nobody reports (a script made from Python, output
to a file or a pipe, ``--nolog``) feeding costs one lookup.

Examples
--------
>>> import io
>>> class Terminal(io.StringIO):
...     def isatty(self):
...         return True
>>> ticks = iter([0.0, 0.5, 1.5, 1.6, 1.7, 3.0])  # a clock the example moves on by hand
>>> terminal = Terminal()
>>> with reporting("writing ct.mha", stream=terminal, clock=lambda: next(ticks), total=4):
...     for _ in range(4):
...         advance(1)
>>> terminal.getvalue().split("\\r")[1:]
['writing ct.mha:  50%', 'writing ct.mha: 100% (3.0 s)\\n']
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import time
from typing import Any, Callable, Iterator, Optional, TextIO

#: Seconds a read or write runs before its progress is shown.
DELAY = 1.0
#: Seconds between two redraws of the line.
INTERVAL = 0.25


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (false for anything without a working ``isatty``)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Progress:
    """One read or write: how much of it is done, drawn on ``stream`` once it has run ``delay`` seconds.

    Parameters
    ----------
    label : str
        What starts the line (``"writing ct.mha"``).
    stream : text stream
        Where to draw (a terminal: the line is redrawn in place with ``\\r``).
    total : float, optional
        What :meth:`advance` counts up to; without it the line shows a percentage
        only when fed with :meth:`fraction`, else the bytes done.
    clock : callable
        Seconds, for tests; :func:`time.monotonic` by default.
    delay, interval : float, optional
        Seconds before the first drawing and between two drawings; by default
        :data:`DELAY` and :data:`INTERVAL`.
    """

    def __init__(self, label: str, stream: TextIO, total: Optional[float] = None,
                 clock: Callable[[], float] = time.monotonic, delay: Optional[float] = None,
                 interval: Optional[float] = None) -> None:
        self.label = label
        self.stream = stream
        self.total = total
        self.clock = clock
        self.delay = DELAY if delay is None else delay
        self.interval = INTERVAL if interval is None else interval
        self.done = 0.0
        self.share: Optional[float] = None
        self.started = clock()
        self.drawn_at: Optional[float] = None

    def advance(self, amount: float) -> None:
        """Count ``amount`` more done (bytes, items) towards ``total``."""
        self.done += amount
        self._draw()

    def fraction(self, value: float) -> None:
        """Set the share done, 0 to 1 (as VTK's ``GetProgress``)."""
        self.share = min(max(float(value), 0.0), 1.0)
        self._draw()

    def _text(self) -> str:
        share = self.share
        if share is None and self.total:
            share = min(self.done / self.total, 1.0)
        if share is not None:
            return f"{self.label}: {share:4.0%}"
        return f"{self.label}: {self.done / 1e6:.0f} MB"

    def _draw(self) -> None:
        now = self.clock()
        if now - self.started < self.delay:
            return
        if self.drawn_at is not None and now - self.drawn_at < self.interval:
            return
        self.drawn_at = now
        self.stream.write("\r" + self._text())
        self.stream.flush()

    def close(self) -> None:
        """End the line, if one was drawn: the whole done and the time taken."""
        if self.drawn_at is None:
            return
        seconds = self.clock() - self.started
        if self.total or self.share is not None:
            self.done, self.share = self.total or self.done, 1.0
        self.stream.write(f"\r{self._text()} ({seconds:.1f} s)\n")
        self.stream.flush()


_CURRENT: contextvars.ContextVar[Optional[Progress]] = contextvars.ContextVar("vmtkscripts_numpy_progress",
                                                                              default=None)


@contextlib.contextmanager
def reporting(label: str, enabled: bool = True, stream: Optional[TextIO] = None, total: Optional[float] = None,
              clock: Callable[[], float] = time.monotonic) -> Iterator[Optional[Progress]]:
    """Show the progress of what runs inside, if ``enabled`` and ``stream`` (standard error) is a terminal.

    Yields the :class:`Progress` fed by :func:`advance` and :func:`fraction`
    meanwhile, or None when nothing is shown. Nested, the innermost reports.
    """
    stream = sys.stderr if stream is None else stream
    if not enabled or not is_terminal(stream):
        token = _CURRENT.set(None)
        try:
            yield None
        finally:
            _CURRENT.reset(token)
        return
    progress = Progress(label, stream, total, clock)
    token = _CURRENT.set(progress)
    try:
        yield progress
    finally:
        _CURRENT.reset(token)
    progress.close()


def current() -> Optional[Progress]:
    """The :class:`Progress` being reported, or None."""
    return _CURRENT.get()


def expect(total: float) -> None:
    """Tell whoever is reporting how much :func:`advance` will count up to (when the work knows it first)."""
    progress = _CURRENT.get()
    if progress is not None:
        progress.total = total
        progress.done = 0.0


def advance(amount: float) -> None:
    """Count ``amount`` more done, for whoever is reporting; nothing when nobody is."""
    progress = _CURRENT.get()
    if progress is not None:
        progress.advance(amount)


def fraction(value: float) -> None:
    """Set the share done (0 to 1), for whoever is reporting; nothing when nobody is."""
    progress = _CURRENT.get()
    if progress is not None:
        progress.fraction(value)


def observe(algorithm: Any) -> None:
    """Feed VTK's ``ProgressEvent`` of ``algorithm`` (a reader or writer) to whoever is reporting.

    Nothing is added when nobody is, so an algorithm run without a report pays nothing.
    """
    if _CURRENT.get() is None:
        return
    algorithm.AddObserver("ProgressEvent", lambda caller, _event: fraction(caller.GetProgress()))


__all__ = ["DELAY", "INTERVAL", "Progress", "reporting", "current", "expect", "advance", "fraction", "observe",
           "is_terminal"]
