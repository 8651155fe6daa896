"""A training loop that works under every ``tf.distribute`` strategy: ``train_custom_loop``.

Why a custom loop: Keras 3's ``model.fit`` fails under ``MultiWorkerMirroredStrategy``
(keras-team/keras#20585). Reproduced here with keras 3.15.1 / TF 2.21 on two CPU workers
on localhost (``Sequential([Input((4,)), Dense(1)])`` compiled under the strategy scope,
``fit`` on a ``tf.data.Dataset`` batched at 16)::

    keras/src/backend/tensorflow/trainer.py:372 fit -> self._maybe_symbolic_build(...)
    keras/src/backend/tensorflow/trainer.py:731 _maybe_symbolic_build
        -> self.distribute_strategy.reduce("MEAN", <first data batch>, axis=None)
    tensorflow/python/distribute/cross_device_ops.py:124 _make_tensor_into_per_replica
    ValueError: Attempt to convert a value (PerReplica:{
      0: <tf.Tensor: shape=(8, 4), dtype=float32, numpy=array([[ 1.7640524 , ...]])>
    }) with an unsupported type
    (<class 'tensorflow.python.distribute.values.PerReplica'>) to a Tensor.

Keras reduces the first *data batch* across workers only to build the model symbolically,
and the collective strategy cannot reduce that eager ``PerReplica``; no public option skips
that build. ``fit`` is fine under the default, ``OneDeviceStrategy`` and
``MirroredStrategy`` (also over logical CPUs), so callers can ask ``fit_supported(strategy)``
and fall back to ``train_custom_loop`` (a test keeps reproducing the bug and fails once
Keras fixes it: ``tests/distribute/test_multiworker.py``).

The loop, top to bottom: build model, optimizer and metrics under the scope
(:func:`_build_under_scope`); one compiled step (:func:`make_train_step`, with the loss of
:func:`seqkit.distribute.losses.replica_mean_loss` and the gradient work-arounds below:
clipping and loss scaling across replicas, :func:`_make_apply_gradients`); checkpoints
(:class:`_EpochCheckpoints`); one epoch (:func:`_run_epoch` over :class:`_EpochBatches`);
callbacks and history
(:func:`train_custom_loop`).

Per-epoch checkpoints of the custom loop (internal to
:mod:`seqkit.distribute.custom_loop`): restore the latest, save after every epoch, only the
chief into the real directory.

Applying one replica's gradients so that several replicas train like one device
(internal to :mod:`seqkit.distribute.custom_loop`).

Two Keras 3.15 behaviours are worked around here, in replica context:

- Clipping. Keras clips each replica's *local* gradients before its own all-reduce
  (``BaseOptimizer._backend_apply_gradients`` -> ``_clip_gradients`` ->
  ``TFOptimizer._backend_update_step`` -> ``_all_reduce_sum_gradients``), so
  ``clipnorm`` / ``global_clipnorm`` / ``clipvalue`` mean something else with several
  replicas. No public option clips after the all-reduce, so: all-reduce here, clip the
  global gradient, hand each replica ``1/replicas`` of it with the optimizer's clipping
  switched off (the optimizer's own SUM then rebuilds the clipped global gradient).
- Loss scaling. ``LossScaleOptimizer`` checks the *local* gradients for inf/NaN before the
  all-reduce and branches on it; replicas that disagree would take different branches (one
  waits in the all-reduce forever). Under ``MirroredStrategy`` its merge-call path instead
  decides from replica 0 alone, applying an all-reduced inf when only another replica
  overflowed. So the replicas first agree: if any is non-finite, all of them are.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from seqkit.distribute.data import _check_element_spec, distribute_dataset, unpack_batch
from seqkit.distribute.losses import per_example_loss, replica_mean_loss
from seqkit.distribute.strategy import describe_strategy, is_chief
from seqkit.errors import ConfigError
from seqkit.validation import check_int, check_optional_int, fail

logger = logging.getLogger(__name__)


class TrainHistory(dict):
    """What :func:`train_custom_loop` returns: per-epoch logs, the model and counts.

    A dict ``{"epoch": [1-based epochs run], "loss": [...], <metric>: [...]}`` with
    attributes ``model`` and ``optimizer`` (trained), ``initial_epoch`` (epochs a restored
    checkpoint had already done), and per epoch ``steps`` and ``examples`` (summed over all
    replicas and workers).

    Args:
        *args: as for ``dict``.
        **kwargs: as for ``dict``.

    Example:

    >>> from seqkit.distribute import TrainHistory
    >>> history = TrainHistory(epoch=[1], loss=[0.5])
    >>> history["loss"], history.initial_epoch, history.steps, history.model is None
    ([0.5], 0, [], True)
    """

    model: Any = None
    optimizer: Any = None
    initial_epoch: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps: list[int] = []  # steps run per epoch
        self.examples: list[int] = []  # examples seen per epoch, summed over all replicas

    def _append_epoch(self, epoch: int, logs: dict, steps: int, examples: int) -> None:
        self["epoch"].append(epoch + 1)
        self.steps.append(steps)
        self.examples.append(examples)
        for key, value in logs.items():
            self[key].append(value)


def _make_metrics(metrics: Sequence | None) -> list[tuple[str, Any]]:
    """``[(history key, keras Metric)]``; a metric given by name keeps that name as its key
    (``"mae"`` -> ``history["mae"]``, like Keras' ``fit``)."""
    import keras

    out = []
    for m in metrics or ():
        if isinstance(m, keras.metrics.Metric):
            out.append((m.name, m))
            continue
        name = m if isinstance(m, str) else getattr(m, "__name__", "metric")
        try:
            obj = keras.metrics.get(m)
        except (ValueError, TypeError):
            fail("each metric", "a Keras metric name, a keras Metric or a function", m)
        if not isinstance(obj, keras.metrics.Metric):
            obj = keras.metrics.MeanMetricWrapper(obj, name=name)
        out.append((name, obj))
    keys = [k for k, _ in out]
    if len(set(keys)) != len(keys) or "loss" in keys or "epoch" in keys:
        fail("metric names", "unique and not 'loss' or 'epoch'", keys)
    return out


def _build_under_scope(strategy, build_model_fn, optimizer_fn, metrics):
    """``(model, built optimizer, metrics)`` created under ``strategy.scope()``; the
    optimizer is wrapped in a ``LossScaleOptimizer`` under ``mixed_float16`` (as
    ``compile`` does)."""
    import keras

    with strategy.scope():
        model = build_model_fn()
        if not getattr(model, "built", False) or not model.trainable_variables:
            raise ConfigError(
                "build_model_fn must return a built model with trainable weights "
                "(start it with keras.Input(shape=...))"
            )
        optimizer = optimizer_fn()
        if isinstance(optimizer, str):
            optimizer = keras.optimizers.get(optimizer)
        if (keras.mixed_precision.global_policy().name == "mixed_float16"
                and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer)):
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        optimizer.build(model.trainable_variables)
        metric_objs = _make_metrics(metrics)
    return model, optimizer, metric_objs


def make_train_step(strategy, model, optimizer, loss_fn, metrics) -> Callable:
    """One compiled training step: ``strategy.run`` of a replica step, then SUM-reduced.

    Args:
        strategy: the strategy the model and optimizer were built under.
        model: a built Keras model.
        optimizer: its built optimizer.
        loss_fn: ``(y_true, y_pred) -> per-example losses``.
        metrics: ``[(key, keras Metric)]`` updated with every batch.

    Returns:
        A ``tf.function`` ``step(distributed_batch) -> (global mean loss, global examples)``.

    Example:

    >>> import keras
    >>> import numpy as np
    >>> import tensorflow as tf
    >>> from seqkit.distribute import per_example_loss
    >>> from seqkit.distribute.custom_loop import make_train_step
    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    >>> model.set_weights([np.ones((1, 1), "float32")])
    >>> optimizer = keras.optimizers.SGD(0.1)
    >>> optimizer.build(model.trainable_variables)
    >>> step = make_train_step(tf.distribute.get_strategy(), model, optimizer,
    ...                        per_example_loss("mse"), [])
    >>> loss, n = step((np.ones((2, 1), "float32"), np.zeros((2, 1), "float32")))
    >>> float(loss), float(n), model.get_weights()[0].tolist()  # w -= 0.1 * 2 * 1
    (1.0, 2.0, [[0.800000011920929]])
    """
    import keras
    import tensorflow as tf

    apply_gradients = _make_apply_gradients(optimizer, int(strategy.num_replicas_in_sync))
    loss_scaling = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    SUM = tf.distribute.ReduceOp.SUM

    def replica_step(batch):
        x, y, w = unpack_batch(batch)
        ctx = tf.distribute.get_replica_context()
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            step_loss, pred32 = replica_mean_loss(ctx, model, loss_fn, y, y_pred, w)
            to_differentiate = optimizer.scale_loss(step_loss) if loss_scaling else step_loss
        variables = model.trainable_variables
        apply_gradients(ctx, tape.gradient(to_differentiate, variables), variables)
        for _, metric in metrics:
            metric.update_state(y, pred32, sample_weight=w)
        return step_loss, tf.cast(tf.shape(y_pred)[0], tf.float32)

    @tf.function
    def train_step(batch):
        step_loss, n = strategy.run(replica_step, args=(batch,))
        # Sum over replicas of (local sum / global count) + reg / replicas = global loss.
        return strategy.reduce(SUM, step_loss, axis=None), strategy.reduce(SUM, n, axis=None)

    return train_step


class _EpochBatches:
    """The batches of each epoch: the whole distributed dataset, or the next
    ``steps_per_epoch`` batches of one iterator kept across epochs (restarted, and the
    epoch cut short, when it runs out)."""

    def __init__(self, distributed, steps_per_epoch: int | None):
        self.distributed = distributed
        self.steps_per_epoch = steps_per_epoch
        self._iterator = iter(distributed) if steps_per_epoch is not None else None

    def of_epoch(self, epoch: int) -> Iterator:
        import tensorflow as tf

        if self.steps_per_epoch is None:
            yield from self.distributed
            return
        for done in range(self.steps_per_epoch):
            try:
                batch = next(self._iterator)
            except (StopIteration, tf.errors.OutOfRangeError):
                logger.warning(
                    "epoch %d: data ran out after %d of %d steps; restarting it for "
                    "the next epoch (repeat() the dataset to avoid this)",
                    epoch + 1, done, self.steps_per_epoch)
                self._iterator = iter(self.distributed)
                return
            yield batch


def _run_epoch(train_step, batches: _EpochBatches, metrics, epoch: int):
    """``(logs, steps, examples)`` of one epoch; ``logs["loss"]`` is the per-example mean."""
    import tensorflow as tf

    for _, metric in metrics:
        metric.reset_state()
    total = tf.constant(0.0)
    count = tf.constant(0.0)
    steps = 0
    for batch in batches.of_epoch(epoch):
        step_loss, n = train_step(batch)
        total += step_loss * n
        count += n
        steps += 1
    if steps == 0:
        raise ConfigError(f"epoch {epoch + 1}: the dataset produced no batches")
    logs = {"loss": float(total / count)}
    for key, metric in metrics:
        logs[key] = float(metric.result())
    return logs, steps, int(round(float(count)))


def _notify(callbacks: list, hook: str, *args) -> None:
    for cb in callbacks:
        if hasattr(cb, hook):
            getattr(cb, hook)(*args)


def train_custom_loop(
    build_model_fn: Callable[[], Any],
    dataset_fn,
    *,
    strategy,
    epochs: int,
    loss,
    optimizer_fn: Callable[[], Any],
    metrics: Sequence | None = None,
    steps_per_epoch: int | None = None,
    callbacks: Sequence | None = None,
    checkpoint_dir: str | os.PathLike | None = None,
    seed: int | None = None,
    max_to_keep: int = 2,
    verbose: bool = False,
) -> TrainHistory:
    """Train with ``strategy.run`` in a ``tf.function`` step; works under every strategy.

    Loss: per-example losses, summed on each replica and divided by the *global* number of
    loss elements in the step (an all-reduced count, so a short last batch is weighted
    right); the optimizer sums gradients over replicas, which gives the gradient of the
    global mean. Regularization losses are scaled by ``1 / num_replicas_in_sync``.
    Gradient clipping applies to the global gradient and loss scaling skips a step on every
    replica when any overflowed (:mod:`seqkit.distribute.custom_loop`).

    Args:
        build_model_fn: ``() -> model``, called under ``strategy.scope()``; the model must
            come back built (give it a ``keras.Input``).
        dataset_fn: ``fn(input_context) -> per-replica-batched tf.data.Dataset`` (see
            :func:`dataset_fn_from_arrays`) or a ``tf.data.Dataset`` batched at the global
            size; handed over by :func:`distribute_dataset`. Elements are ``(x, y)`` or
            ``(x, y, sample_weight)``.
        strategy: the ``tf.distribute.Strategy`` (the default strategy works too).
        epochs: the epoch to stop after (counting those a restored checkpoint had done).
        loss: a loss name, ``keras.losses.Loss`` or function (:func:`per_example_loss`).
        optimizer_fn: ``() -> optimizer`` (or a name), called under the scope; wrapped in a
            ``LossScaleOptimizer`` under ``mixed_float16``.
        metrics: Keras metric names, objects or functions; a name is its history key.
        steps_per_epoch: None to run the whole dataset each epoch, else this many steps of
            one iterator kept across epochs (``repeat()`` the dataset).
        callbacks: objects with optional ``set_model(model)``, ``on_train_begin(logs)``,
            ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``,
            ``on_train_end(logs)`` (Keras callbacks qualify; ``epoch`` is 0-based like
            Keras); ``model.stop_training = True`` stops after the epoch.
        checkpoint_dir: the chief writes ``tf.train.CheckpointManager`` checkpoints (model,
            optimizer, epoch) there after every epoch; other workers write to a temp dir
            that is deleted (all workers must take part in a save). A later call with the
            same directory restores the latest one and continues with the next epoch.
        seed: passed to ``keras.utils.set_random_seed`` before the model is built.
        max_to_keep: checkpoints kept.
        verbose: print one line per epoch.

    Returns:
        A :class:`TrainHistory`: ``{"epoch": [1-based epochs run], "loss": [...],
        <metric>: [...]}`` with the trained ``.model`` and ``.optimizer``,
        ``.initial_epoch``, and per epoch ``.steps`` and ``.examples`` (global); every
        worker returns the same (globally reduced) numbers.

    Raises:
        ConfigError: bad arguments, an unbuilt model, data of the wrong structure, an epoch
            without batches.

    Example:

    >>> import keras
    >>> import numpy as np
    >>> import tensorflow as tf
    >>> from seqkit.distribute import dataset_fn_from_arrays, train_custom_loop
    >>> x = np.linspace(-1, 1, 16, dtype="float32").reshape(8, 2)
    >>> history = train_custom_loop(
    ...     lambda: keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]),
    ...     dataset_fn_from_arrays(x, x.sum(1, keepdims=True), global_batch_size=4),
    ...     strategy=tf.distribute.get_strategy(), epochs=2, loss="mse",
    ...     optimizer_fn=lambda: keras.optimizers.SGD(0.1), metrics=["mae"], seed=0)
    >>> sorted(history), history["epoch"], history.steps, history.examples
    (['epoch', 'loss', 'mae'], [1, 2], [2, 2], [8, 8])
    """
    import keras

    epochs = check_int("epochs", epochs)
    steps_per_epoch = check_optional_int("steps_per_epoch", steps_per_epoch)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    loss_fn = per_example_loss(loss)
    model, optimizer, metric_objs = _build_under_scope(
        strategy, build_model_fn, optimizer_fn, metrics)
    train_step = make_train_step(strategy, model, optimizer, loss_fn, metric_objs)
    checkpoints = _EpochCheckpoints(strategy, model, optimizer, checkpoint_dir, max_to_keep)

    history = TrainHistory(epoch=[], loss=[], **{key: [] for key, _ in metric_objs})
    history.initial_epoch = checkpoints.initial_epoch
    callbacks = list(callbacks or ())
    model.stop_training = False
    for cb in callbacks:
        if hasattr(cb, "set_model"):
            cb.set_model(model)
        if hasattr(cb, "on_train_begin"):
            cb.on_train_begin({})

    distributed = distribute_dataset(strategy, dataset_fn)
    _check_element_spec(distributed)
    batches = _EpochBatches(distributed, steps_per_epoch)
    try:
        for epoch in range(checkpoints.initial_epoch, epochs):
            _notify(callbacks, "on_epoch_begin", epoch, {})
            logs, steps, examples = _run_epoch(train_step, batches, metric_objs, epoch)
            checkpoints.save(epoch + 1)
            history._append_epoch(epoch, logs, steps, examples)
            if verbose:
                print(f"epoch {epoch + 1}/{epochs} " +
                      " ".join(f"{k}={v:.6g}" for k, v in logs.items()), flush=True)
            _notify(callbacks, "on_epoch_end", epoch, logs)
            if getattr(model, "stop_training", False):
                break
    finally:
        checkpoints.close()
    _notify(callbacks, "on_train_end", {})
    history.model = model
    history.optimizer = optimizer
    return history


logger = logging.getLogger(__name__)


class _EpochCheckpoints:
    """Model, optimizer and an epoch counter in a ``tf.train.CheckpointManager``.

    With ``checkpoint_dir`` None nothing is read or written. Otherwise the latest
    checkpoint there is restored (``initial_epoch`` says how many epochs it had done); the
    chief then writes into ``checkpoint_dir``, every other worker into a temp dir that is
    deleted after each save and by :meth:`close` (every worker must take part in a save:
    the variables are collective).

    Args:
        strategy: the training strategy (tells whether this process is the chief).
        model: the model to save and restore.
        optimizer: its optimizer (restored too, so Adam resumes where it stopped).
        checkpoint_dir: the directory, or None.
        max_to_keep: checkpoints kept by the manager.
    """

    def __init__(self, strategy, model, optimizer, checkpoint_dir, max_to_keep: int):
        import tensorflow as tf

        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        self.checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer,
                                              epoch=self.epoch)
        self.manager = None
        self.write_dir = None
        self.chief = is_chief(strategy)
        self.initial_epoch = 0
        if checkpoint_dir is None:
            return
        checkpoint_dir = os.fspath(checkpoint_dir)
        latest = tf.train.latest_checkpoint(checkpoint_dir)
        if latest:
            self.checkpoint.restore(latest).assert_existing_objects_matched()
            self.initial_epoch = int(self.epoch.numpy())
            logger.info("restored %s (epoch %d)", latest, self.initial_epoch)
        if self.chief:
            self.write_dir = checkpoint_dir
        else:
            task = describe_strategy(strategy)["task_id"]
            self.write_dir = tempfile.mkdtemp(prefix=f"seqkit-ckpt-worker{task}-")
        self.manager = tf.train.CheckpointManager(self.checkpoint, self.write_dir,
                                                  max_to_keep=max_to_keep)

    def save(self, epochs_done: int) -> None:
        """Record ``epochs_done`` and save (numbered ``epochs_done``) when a dir was given."""
        self.epoch.assign(epochs_done)
        if self.manager is not None:
            self.manager.save(checkpoint_number=epochs_done)
            if not self.chief:
                shutil.rmtree(self.write_dir, ignore_errors=True)

    def close(self) -> None:
        """Delete a non-chief's temp dir."""
        if self.write_dir is not None and not self.chief:
            shutil.rmtree(self.write_dir, ignore_errors=True)


CLIP_OPTIONS = ("clipnorm", "clipvalue", "global_clipnorm")


def _inner(optimizer):
    return getattr(optimizer, "inner_optimizer", optimizer)  # under a LossScaleOptimizer


def _each(fn, grads: list) -> list:
    return [None if g is None else fn(g) for g in grads]


def _clip_options(optimizer) -> dict:
    """``{"clipnorm", "clipvalue", "global_clipnorm"}`` of the (inner) optimizer."""
    return {k: getattr(_inner(optimizer), k, None) for k in CLIP_OPTIONS}


def _clip_globally(grads: list, clip: dict) -> list:
    """Clip the all-reduced gradients as the optimizer would clip them on one device."""
    import tensorflow as tf

    if clip["clipvalue"] is not None:
        value = clip["clipvalue"]
        grads = _each(lambda g: tf.clip_by_value(g, -value, value), grads)
    if clip["clipnorm"] is not None:
        grads = _each(lambda g: tf.clip_by_norm(g, clip["clipnorm"]), grads)
    if clip["global_clipnorm"] is not None:
        present = [g for g in grads if g is not None]
        clipped, _ = tf.clip_by_global_norm(present, clip["global_clipnorm"])
        it = iter(clipped)
        grads = _each(lambda g: next(it), grads)
    return grads


@contextlib.contextmanager
def _clipping_off(optimizer) -> Iterator[None]:
    """The optimizer's clipping options set to None for the block, restored after."""
    inner = _inner(optimizer)
    saved = {k: getattr(inner, k) for k in CLIP_OPTIONS if hasattr(inner, k)}
    try:
        for k in saved:
            setattr(inner, k, None)
        yield
    finally:
        for k, v in saved.items():
            setattr(inner, k, v)


def _agree_on_nonfinite(ctx, grads: list) -> list:
    """All gradients NaN on every replica when any replica's gradients are not finite."""
    import tensorflow as tf

    finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(g))
                            for g in grads if g is not None])
    bad = ctx.all_reduce(tf.distribute.ReduceOp.SUM, 1.0 - tf.cast(finite, tf.float32))
    return _each(lambda g: tf.where(bad < 0.5, g, tf.fill(tf.shape(g), float("nan"))), grads)


def _share_of_clipped_sum(ctx, optimizer, grads: list, clip: dict, replicas: int,
                          loss_scaling: bool) -> list:
    """``1/replicas`` of the clipped all-reduced gradient (loss scale kept as it came)."""
    import tensorflow as tf

    if loss_scaling:
        scale = tf.cast(optimizer.scale_loss(tf.constant(1.0)), tf.float32)
        grads = _each(lambda g: g / scale, grads)
    present = [g for g in grads if g is not None]
    summed = iter(ctx.all_reduce(tf.distribute.ReduceOp.SUM, present))
    grads = _clip_globally(_each(lambda g: next(summed), grads), clip)
    if loss_scaling:
        grads = _each(lambda g: g * scale, grads)
    return _each(lambda g: g / replicas, grads)


def _make_apply_gradients(optimizer, replicas: int) -> Callable:
    """``apply(ctx, grads, variables)`` for a replica step, with both work-arounds.

    Args:
        optimizer: the built Keras optimizer (possibly a ``LossScaleOptimizer``).
        replicas: ``strategy.num_replicas_in_sync``.

    Returns:
        A function to call in replica context in place of ``optimizer.apply``.
    """
    import keras

    loss_scaling = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    clip = _clip_options(optimizer)
    own_clip = replicas > 1 and any(v is not None for v in clip.values())

    def apply(ctx, grads, variables):
        if loss_scaling and replicas > 1:
            grads = _agree_on_nonfinite(ctx, grads)
        if not own_clip:
            optimizer.apply(grads, variables)
            return
        grads = _share_of_clipped_sum(ctx, optimizer, grads, clip, replicas, loss_scaling)
        with _clipping_off(optimizer):
            optimizer.apply(grads, variables)

    return apply
