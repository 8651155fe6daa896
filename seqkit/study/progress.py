"""Progress of the study over its (task × cell × size × seed) runs: done/total, elapsed
time and an estimate of what remains (the mean time of the runs finished so far times the
runs left).

Example:

>>> from seqkit.study.progress import Progress
>>> clock = iter([0.0, 60.0, 60.0]).__next__
>>> p = Progress(4, clock=clock)
>>> p.finished()
>>> p.line("forecast", "gru", 64, 1)
'[compare 1/4 · 1m00s elapsed · ~3m00s left] forecast gru 64u seed 1'
"""

from __future__ import annotations

import time

from seqkit.validation import check_int


def format_seconds(seconds: float) -> str:
    """``"1h02m"``, ``"3m05s"`` or ``"42s"``.

    Args:
        seconds: a duration.

    Returns:
        The duration in words of the clock.

    Example:

    >>> format_seconds(42.4), format_seconds(185), format_seconds(3720)
    ('42s', '3m05s', '1h02m')
    """
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


class Progress:
    """Counts finished runs and estimates the rest.

    Args:
        total: the number of runs planned.
        clock: seconds now (default ``time.monotonic``); read once at construction, once
            per :meth:`finished`, :meth:`reused` and :meth:`line`.
    """

    def __init__(self, total: int, *, clock=time.monotonic):
        self.total = check_int("total", total, minimum=0)
        self.done = 0
        self.reused_runs = 0
        self._clock = clock
        self._start = self._last = clock()
        self._busy = 0.0  # seconds spent in runs this process ran (not reused ones)

    def finished(self) -> None:
        """One more run is done.

        Example:

        >>> p = Progress(2, clock=iter([0.0, 5.0]).__next__)
        >>> p.finished(); p.done
        1
        """
        self.done += 1
        now = self._clock()
        self._busy += now - self._last
        self._last = now

    def reused(self) -> None:
        """One more run is done, taken from an earlier study (``resume``): it counts as done
        but not in the time per run.

        Example:

        >>> p = Progress(3, clock=iter([0.0, 0.0, 10.0]).__next__)
        >>> p.reused(); p.finished(); p.remaining_seconds()
        10.0
        """
        self.done += 1
        self.reused_runs += 1
        self._last = self._clock()  # a reused run took no time of this process

    def remaining_seconds(self) -> float | None:
        """Mean seconds per finished run × runs left (None before the first one).

        Example:

        >>> Progress(3, clock=iter([0.0]).__next__).remaining_seconds() is None
        True
        """
        timed = self.done - self.reused_runs
        if not timed:
            return None
        return self._busy / timed * (self.total - self.done)

    def line(self, task: str, cell: str, units: int, seed: int) -> str:
        """The progress line printed before a run starts.

        Args:
            task: the task.
            cell: the cell.
            units: its units.
            seed: the seed.

        Returns:
            ``[compare done/total · elapsed · ~left] task cell <units>u seed <seed>``.

        Example:

        >>> Progress(2, clock=iter([0.0, 3.0]).__next__).line("text", "lstm", 64, 0)
        '[compare 0/2 · 3s elapsed · ? left] text lstm 64u seed 0'
        """
        elapsed = self._clock() - self._start
        left = self.remaining_seconds()
        left_text = "? left" if left is None else f"~{format_seconds(left)} left"
        return (f"[compare {self.done}/{self.total} · {format_seconds(elapsed)} elapsed · "
                f"{left_text}] {task} {cell} {units}u seed {seed}")
