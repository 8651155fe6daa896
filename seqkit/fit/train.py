"""Training a compiled model: Adam, early stopping, atomic backups, timing, strategies.

:func:`compile_and_fit` is the one training step of every fit function. Under a strategy
where Keras ``fit`` fails (``MultiWorkerMirroredStrategy``, keras#20585) it trains through
:func:`seqkit.fit.train.fit_custom_loop` instead, with the same history and timing.

Example:

>>> import keras, numpy as np, tensorflow as tf
>>> from seqkit.fit.train import compile_and_fit
>>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
>>> ds = tf.data.Dataset.from_tensor_slices((np.ones((8, 3)), np.ones((8, 1)))).batch(4)
>>> history, timing = compile_and_fit(model, ds, ds, epochs=2, loss="mse", metrics=None,
...                                   verbose=0, train_examples=8)
>>> sorted(history), timing["epochs_run"]
(['loss', 'val_loss'], 2)

Wall-clock timing of training epochs, and the ``FitResult.timing`` summary.

Example:

>>> from seqkit.fit.train import TimingCallback
>>> timer = TimingCallback()
>>> timer.epoch_seconds = [2.0, 1.0, 1.2]
>>> timer.summary(train_examples=100)["steady_epoch_seconds"]
1.1

The fit functions' training under strategies where Keras ``fit`` fails.

``MultiWorkerMirroredStrategy`` breaks Keras 3 ``fit`` (keras#20585); there
:func:`seqkit.fit.train.compile_and_fit` calls :func:`fit_custom_loop`, which trains
through :func:`seqkit.distribute.train_custom_loop` with the compiled optimizer and loss,
validates every epoch (:class:`DistributedValidation`), stops early like Keras and
returns the same history and timing.

Fault tolerance: resume training after a crash without trusting a half-written file.

Keras' ``BackupAndRestore`` writes ``latest.weights.h5`` in place and then the epoch
metadata; a process killed mid-write leaves a corrupt or inconsistent backup (see
shared/design/traps.md). :class:`AtomicBackupAndRestore` writes both to temporary files
beside them, flushes them to disk, and renames them into place, so a reader sees the old
backup or the new one. Like Keras' callback it resumes at the start of the interrupted
epoch (at most one epoch of work is lost) and deletes its folder when training ends.

How long a fit trains: a budget in optimizer steps, with early stopping, a learning-rate
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

>>> from seqkit.fit.train import plan_training
>>> plan = plan_training(epochs="auto", batch_size="auto", patience="auto",
...                      max_seconds=None, train_examples=36)
>>> plan.batch_size, plan.steps_per_epoch, plan.epochs, plan.patience
(4, 9, 334, 33)
>>> plan_training(epochs=10, batch_size=32, patience=3, max_seconds=None,
...               train_examples=1000).epochs
10
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import keras

from seqkit.errors import ConfigError
from seqkit.fileio import jsonable
from seqkit.fit.tensorboard import tensorboard_callbacks
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
                    monitor: str = "val_loss", tensorboard=None,
                    images=()) -> tuple[dict, dict]:
    """Compile ``model`` with Adam (under ``strategy.scope()``) and fit it.

    Early stopping watches ``val_loss`` with ``patience`` and restores the best weights
    (off when ``val_ds`` is None or ``patience`` is None; ``monitor="loss"`` watches the
    training loss instead, for sets too small to hold one out); ``lr_schedule="plateau"`` and
    ``max_seconds`` add :func:`seqkit.fit.train.schedule_callbacks`. ``backup_dir`` adds
    :class:`seqkit.fit.train.AtomicBackupAndRestore` (Keras' callback with atomic
    writes): a run interrupted and started again with the same directory resumes at the
    start of the interrupted epoch; the folder is deleted when training ends normally.
    ``tensorboard`` (a folder, or None) adds, after every other callback,
    :func:`seqkit.fit.tensorboard.tensorboard_callbacks`: Keras' TensorBoard epoch scalars
    and, when training ends (best weights restored), a gate-trace heatmap image of the
    first validation example (a ``keras.callbacks.TensorBoard`` among ``callbacks`` is
    used instead of a second logger, and gets the heatmap); ``images`` are the task's own
    figures of that example (:class:`seqkit.fit.tensorboard.FigureImage`). Returns
    ``(history, timing)``: history as a dict of lists, timing from
    :func:`seqkit.fit.train.timing_summary` (epochs and steps run, best epoch, why
    training stopped).

    Under a strategy where Keras ``fit`` fails (``MultiWorkerMirroredStrategy``,
    keras#20585) the same training runs through :func:`seqkit.fit.train.fit_custom_loop`
    instead; its docstring says what is the same and what differs.
    """
    epochs = check_int("epochs", epochs)
    learning_rate = check_number("learning_rate", learning_rate, positive=True)
    patience = check_optional_int("patience", patience, minimum=0)
    with strategy_scope(strategy):
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss,
                      metrics=list(metrics) if metrics else None)
    watch = watched_quantity(monitor, val_ds is not None)
    logs = tensorboard_callbacks(tensorboard, callbacks, val_ds, train_ds, images)
    callbacks = [*schedule_callbacks(watch=watch, patience=patience,
                                     lr_schedule=lr_schedule, learning_rate=learning_rate,
                                     max_seconds=max_seconds), *(callbacks or [])]
    if not _fit_supported(strategy):
        from seqkit.distribute import is_chief

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


def _metric_object(metric, loss):
    """A fresh Keras metric for ``metric`` as ``compile`` would resolve it with ``loss``:
    ``(history key, Metric)``. "accuracy"/"acc" follow the loss like Keras does (sparse
    categorical / categorical / binary); other names via ``keras.metrics.get``."""
    if isinstance(metric, keras.metrics.Metric):
        return metric.name, metric.__class__.from_config(metric.get_config())
    name = metric if isinstance(metric, str) else getattr(metric, "__name__", "metric")
    loss_name = loss if isinstance(loss, str) else getattr(loss, "name", "")
    if name in ("accuracy", "acc"):
        if "sparse_categorical" in loss_name:
            return name, keras.metrics.SparseCategoricalAccuracy(name=name)
        if "categorical" in loss_name:
            return name, keras.metrics.CategoricalAccuracy(name=name)
        if "binary" in loss_name:
            return name, keras.metrics.BinaryAccuracy(name=name)
    try:
        obj = keras.metrics.get(metric)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"unknown metric {metric!r}") from exc
    if not isinstance(obj, keras.metrics.Metric):
        obj = keras.metrics.MeanMetricWrapper(obj, name=name)
    elif obj.name != name:  # "mae" -> MeanAbsoluteError(name="mae"), keyed like compile
        obj = obj.__class__.from_config({**obj.get_config(), "name": name})
    return name, obj


class DistributedValidation(keras.callbacks.Callback):
    """``val_loss`` and ``val_<metric>`` at the end of every epoch of
    ``seqkit.distribute.train_custom_loop``, written into the epoch's ``logs`` before the
    callbacks after it (early stopping, timing, progress) see them.

    The validation set (batched at the global size) is distributed like the training set
    (``AutoShardPolicy.DATA``), so every worker runs the same number of steps; the loss is
    the sum of per-example losses over all workers divided by their global count (the
    per-example mean, as Keras' ``evaluate`` reports it), the metrics are Keras metrics
    created under the strategy scope and read once per epoch on every worker.
    """

    def __init__(self, strategy, val_ds, loss, metrics):
        super().__init__()
        from seqkit import distribute as sd

        self.strategy = strategy
        self.data = sd.distribute_dataset(strategy, val_ds)
        self.loss_fn = sd.per_example_loss(loss)
        self.metrics = list(metrics)  # [(key, Metric created under strategy.scope())]
        self.history: dict[str, list[float]] = {"val_loss": []}
        for key, _ in self.metrics:
            self.history[f"val_{key}"] = []
        self._step = None

    def _make_step(self):
        import tensorflow as tf

        from seqkit import distribute as sd

        model, strategy, loss_fn, metrics = self.model, self.strategy, self.loss_fn, \
            self.metrics
        SUM = tf.distribute.ReduceOp.SUM

        def replica_step(batch):
            x, y, w = sd.unpack_batch(batch)
            per_example, pred32 = sd.weighted_per_example_loss(
                loss_fn, y, model(x, training=False), w)
            count = tf.cast(tf.size(per_example), tf.float32)
            total = tf.reduce_sum(per_example)
            if model.losses:  # regularization: added once per element, like Keras
                total += count * tf.add_n([tf.cast(v, tf.float32) for v in model.losses])
            for _, metric in metrics:
                metric.update_state(y, pred32, sample_weight=w)
            return total, count

        @tf.function
        def step(batch):
            total, count = strategy.run(replica_step, args=(batch,))
            return (strategy.reduce(SUM, total, axis=None),
                    strategy.reduce(SUM, count, axis=None))

        return step

    def on_epoch_end(self, epoch, logs=None):
        if self._step is None:
            self._step = self._make_step()
        for _, metric in self.metrics:
            metric.reset_state()
        total = count = 0.0
        for batch in self.data:
            t, c = self._step(batch)
            total += float(t)
            count += float(c)
        values = {"val_loss": total / count if count else float("nan")}
        for key, metric in self.metrics:
            values[f"val_{key}"] = float(metric.result())
        for key, value in values.items():
            self.history[key].append(value)
        if logs is not None:
            logs.update(values)


class _PrintEpoch(keras.callbacks.Callback):
    """One line per epoch with every log (validation included), for ``verbose``."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        print(f"Epoch {epoch + 1}/{self.epochs} - " + " - ".join(
            f"{k}: {v:.4f}" for k, v in (logs or {}).items()), flush=True)


def fit_custom_loop(model, train_ds, val_ds, *, epochs, loss, metrics, patience, callbacks,
                    backup_dir, verbose, strategy, train_examples,
                    steps_per_epoch=None, watch="val_loss") -> tuple[dict, dict]:
    """:func:`seqkit.fit.train.compile_and_fit` through ``seqkit.distribute.train_custom_loop``, for
    strategies where Keras ``fit`` fails (``MultiWorkerMirroredStrategy``: keras#20585).

    The same: the compiled Adam (learning rate, and any clipping, which the loop applies to
    the global gradient) and loss; the metrics resolved as ``compile`` resolves them;
    ``val_loss`` / ``val_<metric>`` after every epoch (:class:`DistributedValidation`);
    ``keras.callbacks.EarlyStopping(val_loss, patience, restore_best_weights=True)``; the
    history keys (``loss``, metrics, ``val_loss``, ``val_<metric>``) and the timing dict.

    Data: ``train_ds`` / ``val_ds`` are batched at the *global* batch size (what the fit
    functions build); the loop distributes them with ``AutoShardPolicy.DATA``, which
    splits every global batch between the workers (a last, short batch too, possibly into
    an empty part), so every worker runs the same number of steps and one step sees the
    same examples as one step of single-process training; no ``drop_remainder`` needed.

    ``backup_dir``: the loop's ``tf.train.CheckpointManager`` (model, optimizer, epoch)
    written after every epoch, by the chief only (other workers write to a temp dir); a
    rerun resumes at the epoch after the last finished one, and the chief deletes the
    folder when training ends normally (like ``BackupAndRestore``). Its format is not
    ``AtomicBackupAndRestore``'s: resume with the strategy that wrote it.

    Differs: only ``set_model``, ``on_train_begin/end``, ``on_epoch_begin/end`` and
    ``model.stop_training`` of extra callbacks are honoured (no batch hooks); ``verbose``
    prints one line per epoch on the chief instead of Keras' progress bar.
    """
    from seqkit import distribute as sd

    chief = sd.is_chief(strategy)
    with strategy.scope():
        train_metrics = [_metric_object(m, loss) for m in (metrics or ())]
        val_metrics = [_metric_object(m, loss) for m in (metrics or ())]
    timer = TimingCallback()
    cbs: list = []
    validation = None
    if val_ds is not None:
        validation = DistributedValidation(strategy, val_ds, loss, val_metrics)
        cbs.append(validation)  # first: the callbacks after it see val_loss
    cbs.append(timer)
    stopper = None
    stop_after = stopping_patience(watch, patience, epochs)  # val_loss: only with one
    if stop_after is not None:
        stopper = keras.callbacks.EarlyStopping(
            monitor=watch, patience=stop_after, restore_best_weights=True, mode="min")
        cbs.append(stopper)
    cbs.extend(callbacks or [])
    if verbose and chief:
        cbs.append(_PrintEpoch(epochs))
    result = sd.train_custom_loop(
        lambda: model, train_ds, strategy=strategy, epochs=epochs, loss=loss,
        optimizer_fn=lambda: model.optimizer, metrics=[obj for _, obj in train_metrics],
        callbacks=cbs, checkpoint_dir=None if backup_dir is None else str(backup_dir),
        seed=None)
    if backup_dir is not None and chief:
        shutil.rmtree(backup_dir, ignore_errors=True)  # finished: like BackupAndRestore
    history = {"loss": [float(v) for v in result["loss"]]}
    for key, _ in train_metrics:
        history[key] = [float(v) for v in result[key]]
    if validation is not None:
        history.update(validation.history)
    return history, timing_summary(timer, stopper, train_examples, epochs_planned=epochs,
                                   callbacks=callbacks or (),
                                   steps_per_epoch=steps_per_epoch)


class AtomicBackupAndRestore(keras.callbacks.BackupAndRestore):
    """``keras.callbacks.BackupAndRestore`` whose writes are atomic (temp file + rename).

    Args:
        backup_dir: the folder holding the backup (weights and the epoch reached).
        **kwargs: Keras' ``BackupAndRestore`` arguments (``save_freq``,
            ``double_checkpoint``, ``delete_checkpoint``).

    Example:

    >>> import keras, numpy as np, os, tempfile
    >>> folder = os.path.join(tempfile.mkdtemp(), "backup")
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> history = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=0,
    ...                     callbacks=[AtomicBackupAndRestore(folder)])
    >>> os.path.exists(folder)  # deleted when training ends normally, like Keras'
    False
    """

    def _save_model(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        pid = os.getpid()
        tmp_weights = os.path.join(self.backup_dir, f".tmp-{pid}.weights.h5")
        tmp_meta = os.path.join(self.backup_dir, f".tmp-{pid}-training_metadata.json")
        self.model.save_weights(filepath=tmp_weights, overwrite=True)
        with open(tmp_meta, "w") as f:
            json.dump({"epoch": self._current_epoch, "batch": self._last_batch_seen}, f)
            f.flush()
            os.fsync(f.fileno())
        _fsync(tmp_weights)
        # Weights first: a crash between the two renames resumes one epoch early with the
        # newer weights, never with weights older than the metadata claims.
        os.replace(tmp_weights, self._weights_path)
        os.replace(tmp_meta, self._training_metadata_path)


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
                  train_examples: int, auto_max_seconds: float = AUTO_MAX_SECONDS
                  ) -> TrainingPlan:
    """Resolve the ``"auto"`` options for a training set of ``train_examples``.

    Args:
        epochs: an int, or ``"auto"`` (at least :data:`MIN_STEPS` steps).
        batch_size: an int, or ``"auto"`` (32, or a tenth of a small set, at least 4).
        patience: an int, None (no early stopping) or ``"auto"`` (a tenth of the epochs,
            3 to 50).
        max_seconds: a time bound in seconds, or None (with ``epochs="auto"``:
            ``auto_max_seconds``).
        train_examples: examples (or windows) in one training epoch.
        auto_max_seconds: the time bound of ``epochs="auto"`` when ``max_seconds`` is None
            (a task's own, :data:`AUTO_MAX_SECONDS` by default).

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
            max_seconds = float(auto_max_seconds)
            reasons["max_seconds"] = f"epochs='auto' is bounded by {max_seconds:.0f} s"
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
