"""How long a fit trains: a budget in optimizer steps, with early stopping, a learning-rate
schedule and a time bound, so the defaults hold from 50 to 500,000 examples.

``epochs="auto"`` trains for at least :data:`MIN_STEPS` optimizer steps (between
:data:`MIN_EPOCHS` and :data:`MAX_EPOCHS` epochs), bounded by ``max_seconds``
(:data:`AUTO_MAX_SECONDS` unless given). ``batch_size="auto"`` is 32, or a tenth of the
training set when that is smaller (at least 4): a set of 36 series trains on batches of 4,
nine steps an epoch, instead of two steps of 32 (Fawaz et al. 2019 use ``min(N/10, 16)``
for the same reason). ``patience="auto"`` is a tenth of the epochs (3 to 50), so a budget
of 500 epochs is not stopped by three noisy epochs; ``lr_schedule="plateau"`` halves the
learning rate when ``val_loss`` has not improved for half that patience (only with a
patience of 6 or more: under a short budget a cut only makes early stopping fire sooner).

Example:

>>> from seqkit.fit.budget import plan_training
>>> plan = plan_training(epochs="auto", batch_size="auto", patience="auto",
...                      max_seconds=None, train_examples=36)
>>> plan.batch_size, plan.steps_per_epoch, plan.epochs, plan.patience
(4, 9, 334, 33)
>>> plan_training(epochs=10, batch_size=32, patience=3, max_seconds=None,
...               train_examples=1000).epochs
10
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import keras

# 3000, not 1000: measured with benchmarks/bench_classification.py, seed 0, 1000 -> 3000
# steps: BasicMotions GRU 0.825 -> 1.000, ArrowHead GRU 0.451 -> 0.571, digits LSTM 0.939
# -> 0.950 (early stopping ends large sets long before the budget).
MIN_STEPS = 3000
MIN_EPOCHS = 5
MAX_EPOCHS = 500
AUTO_MAX_SECONDS = 1800.0
MAX_BATCH = 32
MIN_BATCH = 4
LR_FACTOR = 0.5
LR_FLOOR = 1 / 64  # the schedule never goes below learning_rate / 64


@dataclass(frozen=True)
class TrainingPlan:
    """The resolved budget of one fit.

    Attributes:
        epochs: the most epochs to run.
        batch_size: examples per optimizer step (global).
        steps_per_epoch: ``ceil(train_examples / batch_size)``.
        patience: early-stopping patience in epochs (None: off).
        max_seconds: the time bound (None: none).
        reasons: how each ``"auto"`` value was chosen, in words.
    """

    epochs: int
    batch_size: int
    steps_per_epoch: int
    patience: int | None
    max_seconds: float | None
    reasons: dict

    def to_json(self) -> dict:
        """The plan as ``FitResult.timing["plan"]`` records it."""
        return {"epochs": self.epochs, "batch_size": self.batch_size,
                "steps_per_epoch": self.steps_per_epoch, "patience": self.patience,
                "max_seconds": self.max_seconds, "reasons": dict(self.reasons)}


def plan_training(*, epochs, batch_size, patience, max_seconds,
                  train_examples: int) -> TrainingPlan:
    """Resolve the ``"auto"`` options for a training set of ``train_examples``.

    Args:
        epochs: an int, or ``"auto"`` (at least :data:`MIN_STEPS` steps).
        batch_size: an int, or ``"auto"`` (32, or a tenth of a small set, at least 4).
        patience: an int, None (no early stopping) or ``"auto"`` (a tenth of the epochs,
            3 to 50).
        max_seconds: a time bound in seconds, or None (with ``epochs="auto"``:
            :data:`AUTO_MAX_SECONDS`).
        train_examples: examples (or windows) in one training epoch.

    Returns:
        The :class:`TrainingPlan`.

    Example:

    >>> plan_training(epochs="auto", batch_size=32, patience="auto", max_seconds=60,
    ...               train_examples=500_000).epochs  # 15,625 steps an epoch
    5
    """
    reasons = {}
    if batch_size == "auto":
        batch_size = max(MIN_BATCH, min(MAX_BATCH, train_examples // 10))
        reasons["batch_size"] = (f"{MAX_BATCH}, or a tenth of the {train_examples} training "
                                 f"examples when smaller (at least {MIN_BATCH})")
    steps = max(1, math.ceil(train_examples / batch_size))
    if epochs == "auto":
        epochs = min(MAX_EPOCHS, max(MIN_EPOCHS, math.ceil(MIN_STEPS / steps)))
        reasons["epochs"] = (f"at least {MIN_STEPS} optimizer steps at {steps} an epoch "
                             f"({MIN_EPOCHS} to {MAX_EPOCHS} epochs)")
        if max_seconds is None:
            max_seconds = AUTO_MAX_SECONDS
            reasons["max_seconds"] = f"epochs='auto' is bounded by {AUTO_MAX_SECONDS:.0f} s"
    if patience == "auto":
        patience = min(50, max(3, round(epochs / 10)))
        reasons["patience"] = "a tenth of the epochs, 3 to 50"
    return TrainingPlan(epochs=int(epochs), batch_size=int(batch_size), steps_per_epoch=steps,
                        patience=patience, max_seconds=max_seconds, reasons=reasons)


class TimeBudget(keras.callbacks.Callback):
    """Stops training at the end of the first epoch that ends past ``max_seconds``.

    Args:
        max_seconds: seconds since the start of training.

    Example:

    >>> budget = TimeBudget(0.0)
    >>> budget.triggered
    False
    """

    def __init__(self, max_seconds: float):
        super().__init__()
        self.max_seconds = float(max_seconds)
        self.triggered = False
        self._start = None

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if self._start is not None and time.perf_counter() - self._start > self.max_seconds:
            self.triggered = True
            self.model.stop_training = True


def watched_quantity(monitor: str, has_validation: bool) -> str | None:
    """What early stopping and the schedule watch: ``monitor`` when it exists.

    Args:
        monitor: ``"val_loss"`` (the default) or ``"loss"`` (no usable validation split).
        has_validation: whether there is a validation set.

    Returns:
        ``"val_loss"``, ``"loss"`` or None (``val_loss`` without a validation set: neither
        early stopping nor the schedule runs).

    Example:

    >>> watched_quantity("val_loss", False) is None, watched_quantity("loss", False)
    (True, 'loss')
    """
    if monitor == "val_loss" and not has_validation:
        return None
    return monitor


def stopping_patience(watch: str | None, patience: int | None, epochs: int) -> int | None:
    """Early stopping's patience for what it watches.

    On ``val_loss`` it is ``patience``. On the training loss (no usable validation split)
    it is the whole budget: training runs every planned epoch and the weights of the lowest
    training loss are restored at the end, as Fawaz et al. 2019 train small UCR sets
    (measured on BasicMotions: stopping after 10 epochs without a lower training loss
    ended GRU seed 0 at epoch 36 with 0.825 test accuracy; the noise of batches of 4 makes
    the training loss a poor signal to stop on). The schedule still uses ``patience``.

    Args:
        watch: ``"val_loss"``, ``"loss"`` or None.
        patience: the plan's patience (None: no early stopping).
        epochs: the plan's epochs.

    Returns:
        The patience to give ``keras.callbacks.EarlyStopping``, or None for none.

    Example:

    >>> stopping_patience("val_loss", 5, 100), stopping_patience("loss", 5, 100)
    (5, 100)
    """
    if watch is None or patience is None:
        return None
    return patience if watch == "val_loss" else epochs


def schedule_callbacks(*, watch: str | None, patience: int | None, lr_schedule: str | None,
                       learning_rate: float, max_seconds: float | None) -> list:
    """The callbacks that carry out a plan besides early stopping.

    Args:
        watch: what the schedule watches (:func:`watched_quantity`); None: no schedule.
        patience: the early-stopping patience (the schedule waits half of it, and is off
            under 6).
        lr_schedule: ``"plateau"`` or None.
        learning_rate: the starting learning rate (the floor is a 64th of it).
        max_seconds: the time bound, or None.

    Returns:
        A list of Keras callbacks (``ReduceLROnPlateau``, :class:`TimeBudget`).

    Example:

    >>> [type(c).__name__ for c in schedule_callbacks(
    ...     watch="val_loss", patience=10, lr_schedule="plateau", learning_rate=1e-3,
    ...     max_seconds=60)]
    ['ReduceLROnPlateau', 'TimeBudget']
    """
    callbacks = []
    # The schedule needs room: it waits half the patience, so early stopping still sees
    # the lower rate for as long again. Under 6 epochs of patience (short budgets) a cut
    # would only make early stopping fire sooner, so there is none.
    if lr_schedule == "plateau" and watch and (patience is None or patience >= 6):
        wait = max(3, (patience or 10) // 2)
        callbacks.append(keras.callbacks.ReduceLROnPlateau(
            monitor=watch, factor=LR_FACTOR, patience=wait,
            min_lr=learning_rate * LR_FLOOR, verbose=0))
    if max_seconds is not None:
        callbacks.append(TimeBudget(max_seconds))
    return callbacks


def stop_reason(*, epochs_planned: int, epochs_run: int, stopper, callbacks) -> str:
    """Why training ended, in words.

    Args:
        epochs_planned: the plan's epochs.
        epochs_run: the epochs that ran.
        stopper: the ``EarlyStopping`` callback, or None.
        callbacks: the other callbacks (a :class:`TimeBudget` among them is asked).

    Returns:
        ``"early stopping: ..."``, ``"time budget of N s"``, ``"epoch budget used"`` or
        ``"stopped by a callback"``.

    Example:

    >>> stop_reason(epochs_planned=10, epochs_run=10, stopper=None, callbacks=[])
    'epoch budget used (10 epochs)'
    """
    if stopper is not None and getattr(stopper, "stopped_epoch", 0):
        return (f"early stopping: no better {stopper.monitor} for {stopper.patience} epochs "
                f"(best epoch {int(stopper.best_epoch) + 1})")
    budget = next((c for c in callbacks if isinstance(c, TimeBudget)), None)
    if budget is not None and budget.triggered:
        return f"time budget of {budget.max_seconds:.0f} s"
    if epochs_run >= epochs_planned:
        return f"epoch budget used ({epochs_planned} epochs)"
    return "stopped by a callback"
