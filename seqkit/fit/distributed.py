"""The fit functions' training under strategies where Keras ``fit`` fails.

``MultiWorkerMirroredStrategy`` breaks Keras 3 ``fit`` (keras#20585); there
:func:`seqkit.fit.train.compile_and_fit` calls :func:`fit_custom_loop`, which trains
through :func:`seqkit.distribute.train_custom_loop` with the compiled optimizer and loss,
validates every epoch (:class:`DistributedValidation`), stops early like Keras and
returns the same history and timing.
"""

from __future__ import annotations

import shutil

import keras

from seqkit.errors import ConfigError
from seqkit.fit.budget import stopping_patience
from seqkit.fit.timing import TimingCallback, timing_summary


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
