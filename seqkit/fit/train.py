"""Training a compiled model: Adam, early stopping, atomic backups, timing, strategies.

:func:`compile_and_fit` is the one training step of every fit function. Under a strategy
where Keras ``fit`` fails (``MultiWorkerMirroredStrategy``, keras#20585) it trains through
:func:`seqkit.fit.distributed.fit_custom_loop` instead, with the same history and timing.

Example:

>>> import keras, numpy as np, tensorflow as tf
>>> from seqkit.fit.train import compile_and_fit
>>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
>>> ds = tf.data.Dataset.from_tensor_slices((np.ones((8, 3)), np.ones((8, 1)))).batch(4)
>>> history, timing = compile_and_fit(model, ds, ds, epochs=2, loss="mse", metrics=None,
...                                   verbose=0, train_examples=8)
>>> sorted(history), timing["epochs_run"]
(['loss', 'val_loss'], 2)
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import keras

from seqkit.checkpointing import AtomicBackupAndRestore
from seqkit.errors import ConfigError
from seqkit.fileio import jsonable
from seqkit.fit.budget import schedule_callbacks, stopping_patience, watched_quantity
from seqkit.fit.tensorboard import tensorboard_callbacks
from seqkit.fit.timing import TimingCallback, timing_summary
from seqkit.validation import check_int, check_number, check_optional_int


def resolve_strategy(strategy):
    """The strategy a fit runs under.

    Every strategy is accepted, multi-worker included (``"multiworker"``: created here, so
    call the fit function before any other TensorFlow work in the process); under one where
    Keras ``fit`` fails, :func:`compile_and_fit` uses the custom loop.

    Args:
        strategy: ``None``, a ``tf.distribute.Strategy`` or a name for
            :func:`seqkit.distribute.get_strategy` (``"auto"``, ``"cpu"``, ...).

    Returns:
        ``None`` or a ``tf.distribute.Strategy``.

    Raises:
        seqkit.errors.ConfigError: anything else.

    Example:

    >>> resolve_strategy(None) is None
    True
    >>> resolve_strategy(8)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: strategy must be None, a tf.distribute.Strategy or a name, got 8
    """
    if strategy is None:
        return None
    if isinstance(strategy, str):
        from seqkit.distribute import get_strategy

        return get_strategy(strategy)
    if not hasattr(strategy, "scope") or not hasattr(strategy, "num_replicas_in_sync"):
        raise ConfigError(
            f"strategy must be None, a tf.distribute.Strategy or a name, got {strategy!r}")
    return strategy


def _fit_supported(strategy) -> bool:
    """Whether Keras ``model.fit`` works under ``strategy`` (not multi-worker: keras#20585);
    :func:`compile_and_fit` trains with the custom loop otherwise (tests patch this to force
    the custom loop in one process)."""
    if strategy is None:
        return True
    from seqkit.distribute import fit_supported

    return bool(fit_supported(strategy))


def strategy_scope(strategy):
    """``strategy.scope()``, or a context that does nothing for ``None``.

    Args:
        strategy: ``None`` or a ``tf.distribute.Strategy``.

    Returns:
        A context manager.

    Example:

    >>> with strategy_scope(None):
    ...     pass
    """
    return strategy.scope() if strategy is not None else contextlib.nullcontext()


def strategy_config(strategy) -> dict | None:
    """A JSON-able description of ``strategy`` for ``FitResult.config``.

    Args:
        strategy: ``None`` or a ``tf.distribute.Strategy``.

    Returns:
        ``None``, or the class, the replica count and what
        :func:`seqkit.distribute.describe_strategy` adds (kind, devices, workers).

    Example:

    >>> strategy_config(None) is None
    True
    """
    if strategy is None:
        return None
    from seqkit.distribute import describe_strategy as describe

    info = {"class": type(strategy).__name__,
            "replicas": int(strategy.num_replicas_in_sync)}
    try:
        return jsonable({**info, **describe(strategy)})
    except Exception:  # noqa: BLE001  (a description must never fail a finished training)
        return info


def compile_and_fit(model: keras.Model, train_ds, val_ds=None, *, epochs: int = 10,
                    learning_rate: float = 1e-3, loss="sparse_categorical_crossentropy",
                    metrics: Sequence | None = ("accuracy",), patience: int | None = 3,
                    callbacks: Sequence | None = None, backup_dir=None, verbose=1,
                    strategy=None, train_examples: int | None = None,
                    lr_schedule: str | None = None, max_seconds: float | None = None,
                    steps_per_epoch: int | None = None,
                    monitor: str = "val_loss", tensorboard=None) -> tuple[dict, dict]:
    """Compile ``model`` with Adam (under ``strategy.scope()``) and fit it.

    Early stopping watches ``val_loss`` with ``patience`` and restores the best weights
    (off when ``val_ds`` is None or ``patience`` is None; ``monitor="loss"`` watches the
    training loss instead, for sets too small to hold one out); ``lr_schedule="plateau"`` and
    ``max_seconds`` add :func:`seqkit.fit.budget.schedule_callbacks`. ``backup_dir`` adds
    :class:`seqkit.checkpointing.AtomicBackupAndRestore` (Keras' callback with atomic
    writes): a run interrupted and started again with the same directory resumes at the
    start of the interrupted epoch; the folder is deleted when training ends normally.
    ``tensorboard`` (a folder, or None) adds, after every other callback,
    :func:`seqkit.fit.tensorboard.tensorboard_callbacks`: Keras' TensorBoard epoch scalars
    and, when training ends (best weights restored), a gate-trace heatmap image of the
    first validation example (a ``keras.callbacks.TensorBoard`` among ``callbacks`` is
    used instead of a second logger, and gets the heatmap). Returns ``(history, timing)``:
    history as a dict of lists, timing from :func:`seqkit.fit.timing.timing_summary`
    (epochs and steps run, best epoch, why training stopped).

    Under a strategy where Keras ``fit`` fails (``MultiWorkerMirroredStrategy``,
    keras#20585) the same training runs through :func:`seqkit.fit.distributed.fit_custom_loop`
    instead; its docstring says what is the same and what differs.
    """
    epochs = check_int("epochs", epochs)
    learning_rate = check_number("learning_rate", learning_rate, positive=True)
    patience = check_optional_int("patience", patience, minimum=0)
    with strategy_scope(strategy):
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss,
                      metrics=list(metrics) if metrics else None)
    watch = watched_quantity(monitor, val_ds is not None)
    logs = tensorboard_callbacks(tensorboard, callbacks, val_ds, train_ds)
    callbacks = [*schedule_callbacks(watch=watch, patience=patience,
                                     lr_schedule=lr_schedule, learning_rate=learning_rate,
                                     max_seconds=max_seconds), *(callbacks or [])]
    if not _fit_supported(strategy):
        from seqkit.distribute import is_chief
        from seqkit.fit.distributed import fit_custom_loop

        logs = logs if is_chief(strategy) else []  # one writer: the chief
        return fit_custom_loop(model, train_ds, val_ds, epochs=epochs, loss=loss,
                               metrics=metrics, patience=patience,
                               callbacks=[*callbacks, *logs],
                               backup_dir=backup_dir, verbose=verbose, strategy=strategy,
                               train_examples=train_examples,
                               steps_per_epoch=steps_per_epoch, watch=watch)
    timer = TimingCallback()
    cbs: list = [timer]
    stopper = None
    stop_after = stopping_patience(watch, patience, epochs)
    if stop_after is not None:
        stopper = keras.callbacks.EarlyStopping(
            monitor=watch, patience=stop_after, restore_best_weights=True)
        cbs.append(stopper)
    if backup_dir is not None:
        cbs.append(AtomicBackupAndRestore(str(backup_dir)))
    cbs.extend([*callbacks, *logs])  # the logs last: after EarlyStopping restores weights
    fit_history = model.fit(train_ds, validation_data=val_ds, epochs=epochs,
                            callbacks=cbs, verbose=verbose, shuffle=False)
    history = {k: [float(v) for v in vals] for k, vals in fit_history.history.items()
               if k != "learning_rate"}  # ReduceLROnPlateau's log; the schedule is known
    return history, timing_summary(timer, stopper, train_examples, epochs_planned=epochs,
                                   callbacks=callbacks, steps_per_epoch=steps_per_epoch)
