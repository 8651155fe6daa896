"""Wall-clock timing of training epochs, and the ``FitResult.timing`` summary.

Example:

>>> from seqkit.fit.timing import TimingCallback
>>> timer = TimingCallback()
>>> timer.epoch_seconds = [2.0, 1.0, 1.2]
>>> timer.summary(train_examples=100)["steady_epoch_seconds"]
1.1
"""

from __future__ import annotations

import statistics
import time

import keras


class TimingCallback(keras.callbacks.Callback):
    """Wall-clock seconds of every training epoch (validation included)."""

    def __init__(self):
        super().__init__()
        self.epoch_seconds: list[float] = []
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if self._start is not None:
            self.epoch_seconds.append(time.perf_counter() - self._start)

    def summary(self, train_examples: int | None = None) -> dict:
        """``examples_per_second`` uses the median of the epochs after the first when
        there are two or more (the first one includes tracing), else the only epoch."""
        secs = list(self.epoch_seconds)
        median = statistics.median(secs) if secs else None
        steady = statistics.median(secs[1:]) if len(secs) >= 2 else median
        eps = (train_examples / steady) if (train_examples and steady) else None
        return {"epoch_seconds": secs, "median_epoch_seconds": median,
                "steady_epoch_seconds": steady, "examples_per_second": eps,
                "train_examples": train_examples}


def timing_summary(timer: TimingCallback, stopper, train_examples, *, epochs_planned: int,
                   callbacks=(), steps_per_epoch: int | None = None) -> dict:
    """``FitResult.timing`` of a finished training.

    Args:
        timer: the :class:`TimingCallback` that ran.
        stopper: the ``EarlyStopping`` callback, or None.
        train_examples: examples (or windows) per training epoch.
        epochs_planned: the most epochs the plan allowed.
        callbacks: the other callbacks that ran (a time budget among them is asked).
        steps_per_epoch: optimizer steps per epoch, for ``steps_run``.

    Returns:
        :meth:`TimingCallback.summary` plus ``epochs_run``, ``best_epoch`` (1-based, None
        without early stopping), ``steps_run`` and ``stop_reason`` (in words).

    Example:

    >>> timer = TimingCallback()
    >>> timer.epoch_seconds = [1.0, 1.0]
    >>> t = timing_summary(timer, None, 64, epochs_planned=2, steps_per_epoch=2)
    >>> t["steps_run"], t["stop_reason"]
    (4, 'epoch budget used (2 epochs)')
    """
    from seqkit.fit.budget import stop_reason

    timing = timer.summary(train_examples)
    epochs_run = len(timer.epoch_seconds)
    timing["epochs_run"] = epochs_run
    timing["best_epoch"] = (int(stopper.best_epoch) + 1
                            if stopper is not None and stopper.best_weights is not None
                            else None)
    timing["steps_run"] = epochs_run * steps_per_epoch if steps_per_epoch else None
    timing["stop_reason"] = stop_reason(epochs_planned=epochs_planned, epochs_run=epochs_run,
                                        stopper=stopper, callbacks=list(callbacks))
    return timing
