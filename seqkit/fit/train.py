"""Shared pieces of the fit functions: checks, model builders, the training loop, metrics.

Everything here is usable on its own:

- :func:`build_text_model`, :func:`build_forecast_model`, :func:`build_sequence_model`:
  pure functional-model builders (raw inputs in, user units out);
  :func:`forecast_training_view` is the scaled-output view a forecaster is trained on.
- :func:`compile_and_fit`: Adam, early stopping on ``val_loss`` (best weights restored),
  optional :class:`seqkit.checkpointing.AtomicBackupAndRestore`, per-epoch timing; under
  a multi-worker strategy (where Keras ``fit`` fails) the same through
  ``seqkit.distribute.train_custom_loop``.
- :func:`classification_metrics`, :func:`forecast_metrics`: test-split metrics.
"""

from __future__ import annotations

import contextlib
import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from seqkit.checkpointing import AtomicBackupAndRestore
from seqkit.errors import ConfigError, DataError
from seqkit.layers import VARIANTS, make_rnn

DEFAULT_PATIENCE = 3
WINDOW_INPUTS = ("absolute", "relative", "both")


# --------------------------------------------------------------------------- checks


def check_positive_int(name: str, value) -> int:
    """``value`` as an int >= 1, else a :class:`ConfigError` naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ConfigError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def check_fraction(name: str, value, *, allow_zero: bool = True) -> float:
    """``value`` as a float in ``[0, 1)`` (or ``(0, 1)``), else a :class:`ConfigError`."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number in [0, 1), got {value!r}") from None
    low_ok = v >= 0.0 if allow_zero else v > 0.0
    if not (low_ok and v < 1.0) or math.isnan(v):
        bound = "[0, 1)" if allow_zero else "(0, 1)"
        raise ConfigError(f"{name} must be in {bound}, got {value!r}")
    return v


def check_positive_float(name: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a positive number, got {value!r}") from None
    if not v > 0.0 or math.isinf(v):
        raise ConfigError(f"{name} must be a positive number, got {value!r}")
    return v


def check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"seed must be an integer >= 0, got {seed!r}")
    return int(seed)


def check_patience(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ConfigError(f"patience must be None or an integer >= 0, got {value!r}")
    return int(value)


def describe_cell(cell) -> str | dict:
    """A JSON-able description of ``cell``; raises :class:`ConfigError` if it is unusable.

    Names and layer classes are checked without building a layer: a layer (with a seed
    generator) is TensorFlow work, and ``strategy="multiworker"`` must create its strategy
    before any (the fit functions check their options first). Instances are copied once.
    """
    if isinstance(cell, str):
        key = cell.strip().lower().replace("-", "_")
        if key not in VARIANTS:
            make_rnn(cell, 1)  # raises the ConfigError listing the allowed names
        return key
    if isinstance(cell, type) and issubclass(cell, keras.layers.Layer):
        return f"{cell.__module__}.{cell.__qualname__}"
    make_rnn(cell, 1)  # validates: anything but a layer instance is refused
    cls = type(cell)
    return {"class": f"{cls.__module__}.{cls.__qualname__}",
            "config": jsonable(cell.get_config())}


@dataclass(frozen=True)
class RNNSpec:
    """The recurrent part of every model: ``layers`` stacked RNNs built with ``make_rnn``."""

    cell: object = "lstm"
    units: int = 64
    layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0
    recurrent_dropout: float = 0.0

    def checked(self) -> RNNSpec:
        describe_cell(self.cell)
        check_positive_int("units", self.units)
        check_positive_int("layers", self.layers)
        check_fraction("dropout", self.dropout)
        check_fraction("recurrent_dropout", self.recurrent_dropout)
        if not isinstance(self.bidirectional, (bool, np.bool_)):
            raise ConfigError(f"bidirectional must be True or False, got {self.bidirectional!r}")
        return self

    def config(self) -> dict:
        return {"cell": describe_cell(self.cell), "units": int(self.units),
                "layers": int(self.layers), "bidirectional": bool(self.bidirectional),
                "dropout": float(self.dropout),
                "recurrent_dropout": float(self.recurrent_dropout)}

    def apply(self, x):
        """Run ``x`` ``[B, T, d]`` through the stack; returns the last layer's final output."""
        for i in range(self.layers):
            last = i == self.layers - 1
            kwargs = {"return_sequences": not last}
            if self.dropout:
                kwargs["dropout"] = float(self.dropout)
            if self.recurrent_dropout:
                kwargs["recurrent_dropout"] = float(self.recurrent_dropout)
            layer = make_rnn(self.cell, int(self.units), name=f"rnn_{i}", **kwargs)
            if self.bidirectional:
                layer = keras.layers.Bidirectional(layer, name=f"bidirectional_{i}")
            x = layer(x)
        return x


# --------------------------------------------------------------------------- strategy


def resolve_strategy(strategy):
    """``None`` | a ``tf.distribute.Strategy`` | a name for ``seqkit.distribute.get_strategy``.

    Every strategy is accepted, multi-worker included (``"multiworker"``: created here, so
    call the fit function before any other TensorFlow work in the process); under one where
    Keras ``fit`` fails, :func:`compile_and_fit` uses the custom loop.
    """
    if strategy is None:
        return None
    if isinstance(strategy, str):
        try:
            from seqkit.distribute import get_strategy
        except ImportError:
            raise ConfigError(
                f"strategy={strategy!r}: strategy names need seqkit.distribute, which is not "
                "available here; pass a tf.distribute.Strategy object instead") from None
        return get_strategy(strategy)
    if not hasattr(strategy, "scope") or not hasattr(strategy, "num_replicas_in_sync"):
        raise ConfigError(
            f"strategy must be None, a tf.distribute.Strategy or a name, got {strategy!r}")
    return strategy


def _fit_supported(strategy) -> bool:
    """Whether Keras ``model.fit`` works under ``strategy`` (not multi-worker: keras#20585);
    :func:`compile_and_fit` trains with ``seqkit.distribute.train_custom_loop`` otherwise."""
    if strategy is None:
        return True
    try:
        from seqkit.distribute import fit_supported
    except ImportError:
        names = {cls.__name__ for cls in type(strategy).__mro__}
        return not names & {"MultiWorkerMirroredStrategy", "CollectiveAllReduceStrategy"}
    return bool(fit_supported(strategy))


def strategy_scope(strategy):
    return strategy.scope() if strategy is not None else contextlib.nullcontext()


def describe_strategy(strategy) -> dict | None:
    if strategy is None:
        return None
    info = {"class": type(strategy).__name__,
            "replicas": int(strategy.num_replicas_in_sync)}
    try:
        from seqkit.distribute import describe_strategy as describe
    except ImportError:
        return info
    try:
        return jsonable({**info, **describe(strategy)})
    except Exception:  # noqa: BLE001  (a description must never fail a finished training)
        return info


# --------------------------------------------------------------------------- builders


def build_text_model(vectorizer: keras.layers.TextVectorization, num_classes: int, *,
                     rnn: RNNSpec = RNNSpec(), embedding_dim: int = 64,
                     name: str = "text_classifier") -> keras.Model:
    """``text`` (raw strings ``[B]``) → vectorizer → Embedding(mask_zero) → RNN stack →
    softmax ``probabilities [B, num_classes]``.

    ``vectorizer`` must already be adapted and pad *post* (index 0 = padding, masked).
    """
    check_positive_int("num_classes", num_classes)
    check_positive_int("embedding_dim", embedding_dim)
    rnn.checked()
    inp = keras.Input(shape=(), dtype="string", name="text")
    ids = vectorizer(inp)
    x = keras.layers.Embedding(vectorizer.vocabulary_size(), int(embedding_dim),
                               mask_zero=True, name="embedding")(ids)
    x = rnn.apply(x)
    out = keras.layers.Dense(int(num_classes), activation="softmax", name="probabilities",
                             dtype="float32")(x)
    return keras.Model(inp, out, name=name)


def _scale_stats(name: str, mean, std, size: int) -> tuple[np.ndarray, np.ndarray]:
    mean = np.asarray(mean, dtype="float64").reshape(-1)
    std = np.asarray(std, dtype="float64").reshape(-1)
    if mean.shape != (size,) or std.shape != (size,):
        raise ConfigError(
            f"{name} mean/std must have {size} values, got shapes {mean.shape}, {std.shape}")
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
        raise DataError(f"{name} mean/std must be finite, got mean={mean}, std={std}")
    std = np.where(std > 0, std, 1.0)  # constant column: leave it unscaled
    return mean, std


def build_forecast_model(window: int, n_features: int, horizon: int, n_targets: int, *,
                         input_mean, input_std, target_mean, target_std,
                         target_indices: Sequence[int] | None = None, residual: bool = True,
                         window_inputs: str = "both", rnn: RNNSpec = RNNSpec(),
                         name: str = "forecaster") -> keras.Model:
    """``window`` (raw values ``[B, window, n_features]``) → standardise with the given
    training-split statistics (layer ``scale_inputs``) → [``window_inputs``] → RNN stack →
    Dense(horizon ×
    n_targets) → Reshape → [``residual``: + the window's last value of each target] (layer
    ``forecast_scaled``, standardised units) → inverse standardisation → ``forecast
    [B, horizon, n_targets]`` in original units.

    ``residual=True`` makes the network predict the change from the last observed value
    (a zero network output is the naive forecast), which keeps trending series in reach;
    it needs the targets to be input columns (``target_indices``, default the first
    ``n_targets`` columns) with the same statistics (``target_mean``/``target_std`` equal
    to ``input_mean``/``input_std`` at those columns).

    ``window_inputs`` is what the RNN reads: ``"absolute"`` (the standardised window),
    ``"relative"`` (the standardised window minus its last step: level-free, so a trend
    that leaves the training range does not shift the inputs) or ``"both"`` (the two
    concatenated, ``2 × n_features`` per step; the default).

    Train :func:`forecast_training_view` of this model on standardised targets (so every
    target counts equally in the loss); the weights are shared.
    """
    window = check_positive_int("window", window)
    n_features = check_positive_int("n_features", n_features)
    horizon = check_positive_int("horizon", horizon)
    n_targets = check_positive_int("n_targets", n_targets)
    rnn.checked()
    if window_inputs not in WINDOW_INPUTS:
        raise ConfigError(f"window_inputs must be one of {WINDOW_INPUTS}, got "
                          f"{window_inputs!r}")
    in_mean, in_std = _scale_stats("input", input_mean, input_std, n_features)
    out_mean, out_std = _scale_stats("target", target_mean, target_std, n_targets)
    targets = list(range(n_targets)) if target_indices is None else [int(t) for t in
                                                                       target_indices]
    if residual:
        if len(targets) != n_targets or any(not 0 <= t < n_features for t in targets):
            raise ConfigError(f"target_indices {targets} must be {n_targets} input columns "
                              f"in 0..{n_features - 1}")
        if not (np.allclose(in_mean[targets], out_mean)
                and np.allclose(in_std[targets], out_std)):
            raise ConfigError("residual=True needs the target statistics to be the input "
                              "statistics of the target columns")
    inp = keras.Input((window, n_features), name="window")
    # Raw values, their scaling and everything in original units stay float32 under a
    # mixed-precision policy (1000.3 in bfloat16 is 1000); the RNN runs in the policy's dtype.
    f32 = {"dtype": "float32"}
    scaled = keras.layers.Normalization(axis=-1, mean=in_mean.tolist(),
                                        variance=(in_std ** 2).tolist(),
                                        name="scale_inputs", **f32)(inp)
    if window_inputs == "absolute":
        x = scaled
    else:
        last_in = keras.layers.Cropping1D((window - 1, 0), name="last_input_step", **f32)(scaled)
        last_in = keras.layers.Reshape((n_features,), name="last_input_values", **f32)(last_in)
        last_in = keras.layers.RepeatVector(window, name="repeat_last_input", **f32)(last_in)
        x = keras.layers.Subtract(name="relative_inputs", **f32)([scaled, last_in])
        if window_inputs == "both":
            x = keras.layers.Concatenate(name="absolute_and_relative", **f32)([scaled, x])
    x = rnn.apply(x)
    x = keras.layers.Dense(horizon * n_targets, name="head")(x)
    out_name = "forecast_scaled"
    x = keras.layers.Reshape((horizon, n_targets),
                             name="delta_scaled" if residual else out_name, **f32)(x)
    if residual:
        last = keras.layers.Cropping1D((window - 1, 0), name="last_step", **f32)(scaled)
        last = keras.layers.Reshape((n_features,), name="last_values", **f32)(last)
        if targets != list(range(n_features)):
            select = keras.layers.Dense(n_targets, use_bias=False, trainable=False,
                                        name="select_targets", **f32)
            last = select(last)
            onehot = np.zeros((n_features, n_targets), dtype="float32")
            onehot[targets, np.arange(n_targets)] = 1.0
            select.set_weights([onehot])
        last = keras.layers.RepeatVector(horizon, name="repeat_last", **f32)(last)
        x = keras.layers.Add(name=out_name, **f32)([x, last])
    out = keras.layers.Normalization(axis=-1, mean=out_mean.tolist(),
                                     variance=(out_std ** 2).tolist(), invert=True,
                                     name="forecast", **f32)(x)
    return keras.Model(inp, out, name=name)


def forecast_training_view(model: keras.Model) -> keras.Model:
    """The same layers as ``model`` up to ``forecast_scaled`` (standardised targets)."""
    return keras.Model(model.inputs, model.get_layer("forecast_scaled").output,
                       name=f"{model.name}_scaled")


def build_sequence_model(n_features: int, num_classes: int, *, rnn: RNNSpec = RNNSpec(),
                         mask_value: float = 0.0,
                         name: str = "sequence_classifier") -> keras.Model:
    """``sequence`` ``[B, T, n_features]`` (any T; post-padded) → Masking → RNN stack →
    softmax ``probabilities``.

    A time step is padding when **all** its features equal ``mask_value`` (0.0): a real
    step that is all zeros is skipped too, so shift such data first.
    """
    n_features = check_positive_int("n_features", n_features)
    check_positive_int("num_classes", num_classes)
    rnn.checked()
    inp = keras.Input((None, n_features), name="sequence")
    x = keras.layers.Masking(mask_value=float(mask_value), name="mask_padding")(inp)
    x = rnn.apply(x)
    out = keras.layers.Dense(int(num_classes), activation="softmax", name="probabilities",
                             dtype="float32")(x)
    return keras.Model(inp, out, name=name)


# --------------------------------------------------------------------------- training


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


def compile_and_fit(model: keras.Model, train_ds, val_ds=None, *, epochs: int = 10,
                    learning_rate: float = 1e-3, loss="sparse_categorical_crossentropy",
                    metrics: Sequence | None = ("accuracy",), patience: int | None = 3,
                    callbacks: Sequence | None = None, backup_dir=None, verbose=1,
                    strategy=None, train_examples: int | None = None) -> tuple[dict, dict]:
    """Compile ``model`` with Adam (under ``strategy.scope()``) and fit it.

    Early stopping watches ``val_loss`` with ``patience`` and restores the best weights
    (off when ``val_ds`` is None or ``patience`` is None). ``backup_dir`` adds
    :class:`seqkit.checkpointing.AtomicBackupAndRestore` (Keras' callback with atomic
    writes): a run interrupted and started again with the same directory resumes at the
    start of the interrupted epoch; the folder is deleted when training ends normally.
    Returns ``(history, timing)``: history as a dict of lists, timing from
    :class:`TimingCallback` plus ``epochs_run`` / ``best_epoch`` (1-based).

    Under a strategy where Keras ``fit`` fails (``MultiWorkerMirroredStrategy``,
    keras#20585) the same training runs through :func:`seqkit.distribute.train_custom_loop`
    instead; see :func:`_fit_custom_loop` for what is the same and what differs.
    """
    epochs = check_positive_int("epochs", epochs)
    learning_rate = check_positive_float("learning_rate", learning_rate)
    patience = check_patience(patience)
    with strategy_scope(strategy):
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss,
                      metrics=list(metrics) if metrics else None)
    if not _fit_supported(strategy):
        return _fit_custom_loop(model, train_ds, val_ds, epochs=epochs, loss=loss,
                                metrics=metrics, patience=patience, callbacks=callbacks,
                                backup_dir=backup_dir, verbose=verbose, strategy=strategy,
                                train_examples=train_examples)
    timer = TimingCallback()
    cbs: list = [timer]
    stopper = None
    if val_ds is not None and patience is not None:
        stopper = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=patience, restore_best_weights=True)
        cbs.append(stopper)
    if backup_dir is not None:
        cbs.append(AtomicBackupAndRestore(str(backup_dir)))
    cbs.extend(callbacks or [])
    fit_history = model.fit(train_ds, validation_data=val_ds, epochs=epochs,
                            callbacks=cbs, verbose=verbose, shuffle=False)
    history = {k: [float(v) for v in vals] for k, vals in fit_history.history.items()}
    return history, _timing(timer, stopper, train_examples)


def _timing(timer: TimingCallback, stopper, train_examples) -> dict:
    timing = timer.summary(train_examples)
    timing["epochs_run"] = len(timer.epoch_seconds)
    timing["best_epoch"] = (int(stopper.best_epoch) + 1
                            if stopper is not None and stopper.best_weights is not None
                            else None)
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


class _DistributedValidation(keras.callbacks.Callback):
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
        self.data = sd._distribute(strategy, val_ds)
        self.loss_fn = sd._per_example_loss(loss)
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
            x, y, w = sd._unpack(batch)
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


def _fit_custom_loop(model, train_ds, val_ds, *, epochs, loss, metrics, patience, callbacks,
                     backup_dir, verbose, strategy, train_examples) -> tuple[dict, dict]:
    """:func:`compile_and_fit` through ``seqkit.distribute.train_custom_loop``, for
    strategies where Keras ``fit`` fails (``MultiWorkerMirroredStrategy``: keras#20585).

    The same: the compiled Adam (learning rate, and any clipping, which the loop applies to
    the global gradient) and loss; the metrics resolved as ``compile`` resolves them;
    ``val_loss`` / ``val_<metric>`` after every epoch (:class:`_DistributedValidation`);
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
    import shutil

    from seqkit import distribute as sd

    chief = sd.is_chief(strategy)
    with strategy.scope():
        train_metrics = [_metric_object(m, loss) for m in (metrics or ())]
        val_metrics = [_metric_object(m, loss) for m in (metrics or ())]
    timer = TimingCallback()
    cbs: list = []
    validation = None
    if val_ds is not None:
        validation = _DistributedValidation(strategy, val_ds, loss, val_metrics)
        cbs.append(validation)  # first: the callbacks after it see val_loss
    cbs.append(timer)
    stopper = None
    if validation is not None and patience is not None:
        stopper = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=patience, restore_best_weights=True, mode="min")
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
    return history, _timing(timer, stopper, train_examples)


# --------------------------------------------------------------------------- metrics


def classification_metrics(y_true, probs, class_names: Sequence[str] | None = None) -> dict:
    """Accuracy, macro-F1 and the confusion matrix (rows = true class) of ``argmax(probs)``.

    ``y_true``: integer ids ``[N]``; ``probs``: ``[N, K]``. Every class ``0..K-1`` counts
    in macro-F1 (a class never predicted scores 0) and has a row/column in the matrix.
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    y_true = np.asarray(y_true).reshape(-1).astype("int64")
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[0] != y_true.shape[0]:
        raise DataError(f"probs must be [N, K] with N={y_true.shape[0]}, got {probs.shape}")
    k = probs.shape[1] if class_names is None else len(class_names)
    labels = list(range(k))
    y_pred = probs.argmax(axis=1)
    out = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro",
                                   zero_division=0)),
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "n": int(y_true.shape[0]),
    }
    if class_names is not None:
        out["class_names"] = [str(c) for c in class_names]
    return out


def majority_baseline(train_labels, test_labels) -> float:
    """Test accuracy of always answering the most frequent training class."""
    train = np.asarray(train_labels, dtype="int64").reshape(-1)
    test = np.asarray(test_labels, dtype="int64").reshape(-1)
    if test.size == 0:
        return float("nan")
    return float(np.mean(test == np.bincount(train).argmax()))


def forecast_metrics(y_true, y_pred, y_naive) -> dict:
    """MAE, RMSE, sMAPE (%, 0..200) of ``y_pred`` and MASE against ``y_naive``.

    All three arrays have the same shape (e.g. ``[N, horizon, targets]``) and original
    units. ``mase = MAE(pred) / MAE(naive)`` on the same windows: below 1 beats the naive
    (or seasonal-naive) forecast. sMAPE counts ``0/0`` terms as 0.
    """
    y_true = np.asarray(y_true, dtype="float64")
    y_pred = np.asarray(y_pred, dtype="float64")
    y_naive = np.asarray(y_naive, dtype="float64")
    if not (y_true.shape == y_pred.shape == y_naive.shape):
        raise DataError(
            f"y_true, y_pred and y_naive must have one shape, got {y_true.shape}, "
            f"{y_pred.shape}, {y_naive.shape}")
    if y_true.size == 0:
        raise DataError("forecast_metrics needs at least one value, got empty arrays")
    err = y_pred - y_true
    mae = float(np.mean(np.abs(err)))
    rmse = float(np.sqrt(np.mean(err ** 2)))
    denom = np.abs(y_true) + np.abs(y_pred)
    ratio = np.divide(2.0 * np.abs(err), denom, out=np.zeros_like(denom), where=denom > 0)
    smape = float(100.0 * np.mean(ratio))
    naive_err = y_naive - y_true
    naive_mae = float(np.mean(np.abs(naive_err)))
    naive_rmse = float(np.sqrt(np.mean(naive_err ** 2)))
    if naive_mae > 0:
        mase = mae / naive_mae
    else:
        mase = 0.0 if mae == 0 else float("inf")
    return {"mae": mae, "rmse": rmse, "smape": smape, "mase": float(mase),
            "naive_mae": naive_mae, "naive_rmse": naive_rmse,
            "beats_naive": bool(mase < 1.0), "n_windows": int(y_true.shape[0])}


# --------------------------------------------------------------------------- misc


def jsonable(obj):
    """``obj`` with NumPy scalars/arrays, tuples and paths turned into JSON types."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj)  # NaN/inf stay floats (Python's json writes NaN/Infinity)
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    return repr(obj) if not hasattr(obj, "__fspath__") else str(obj)


def describe_source(source) -> str | dict:
    """A short JSON-able description of a data argument (names and paths kept verbatim)."""
    if isinstance(source, str) or hasattr(source, "__fspath__"):
        return str(source)
    shape = getattr(source, "shape", None)
    if shape is not None:
        return {"type": type(source).__name__, "shape": [int(s) for s in shape]}
    try:
        return {"type": type(source).__name__, "len": len(source)}
    except TypeError:
        return {"type": type(source).__name__}


def callback_names(callbacks) -> list[str]:
    return [type(cb).__name__ for cb in (callbacks or [])]


def allowed_cells() -> list[str]:
    return list(VARIANTS)
