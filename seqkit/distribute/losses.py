"""Per-example losses for a step under a strategy: a loss with its reduction switched off,
weighted and in float32, and the global mean of one step (the all-reduced count rule)."""

from __future__ import annotations

from seqkit.errors import ConfigError
from seqkit.validation import fail


def per_example_loss(loss):
    """A callable ``(y_true, y_pred) -> per-example losses`` (no reduction).

    Reducing is left to the caller, who divides by the *global* number of loss elements
    of a step (see :func:`seqkit.distribute.train_custom_loop`).

    Args:
        loss: a Keras loss name (``"mse"``), a ``keras.losses.Loss`` (rebuilt from its
            config with ``reduction=None``, whatever reduction it had), or a function
            ``(y_true, y_pred) -> per-example losses`` (returned as is).

    Returns:
        The per-example loss function.

    Raises:
        ConfigError: an unknown name, a Loss that cannot be rebuilt, or another type.

    Example:

    >>> import keras
    >>> import numpy as np
    >>> from seqkit.distribute import per_example_loss
    >>> fn = per_example_loss(keras.losses.MeanSquaredError(reduction="sum"))
    >>> y_true, y_pred = np.zeros((3, 2), "float32"), np.ones((3, 2), "float32")
    >>> np.asarray(fn(y_true, y_pred)).tolist()
    [1.0, 1.0, 1.0]
    >>> per_example_loss("no_such_loss")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: loss must be a Keras loss name, a keras Loss or a function, \
got 'no_such_loss'
    """
    import keras

    if isinstance(loss, keras.losses.Loss):
        config = dict(loss.get_config())
        config["reduction"] = None
        try:
            return type(loss).from_config(config)
        except Exception as exc:
            raise ConfigError(
                f"loss {loss!r}: cannot rebuild it without reduction ({exc}); pass a "
                "function (y_true, y_pred) -> per-example losses instead"
            ) from exc
    what = "a Keras loss name, a keras Loss or a function"
    if isinstance(loss, str):
        try:
            fn = keras.losses.get(loss)
        except (ValueError, TypeError):
            fail("loss", what, loss)
        if isinstance(fn, keras.losses.Loss):
            return per_example_loss(fn)
        return fn
    if callable(loss):
        return loss
    fail("loss", what, loss)


def weighted_per_example_loss(loss_fn, y, y_pred, sample_weight=None):
    """Per-example losses in float32, times the sample weights.

    Losses are computed in float32 even under a mixed policy (as Keras' Loss objects do),
    and the weights are broadcast over the loss's trailing axes.

    Args:
        loss_fn: ``(y_true, y_pred) -> per-example losses`` (:func:`per_example_loss`).
        y: the targets.
        y_pred: the model's output (a tensor or a nest; floating parts cast to float32).
        sample_weight: None, or weights with the loss's leading shape.

    Returns:
        ``(per_example_losses * sample_weight, y_pred in float32)``; the second is what
        metrics should be updated with.

    Example:

    >>> import tensorflow as tf
    >>> from seqkit.distribute import per_example_loss, weighted_per_example_loss
    >>> y, y_pred = tf.zeros((2, 1)), tf.ones((2, 1), "float16")  # a float16 model output
    >>> losses, pred32 = weighted_per_example_loss(
    ...     per_example_loss("mse"), y, y_pred, sample_weight=tf.constant([1.0, 3.0]))
    >>> losses.numpy().tolist(), pred32.dtype.name
    ([1.0, 3.0], 'float32')
    """
    import tensorflow as tf

    pred32 = tf.nest.map_structure(
        lambda t: tf.cast(t, tf.float32) if t.dtype.is_floating else t, y_pred)
    per_example = tf.cast(loss_fn(y, pred32), tf.float32)
    if sample_weight is not None:
        weights = tf.cast(sample_weight, tf.float32)
        while len(weights.shape) < len(per_example.shape):
            weights = weights[..., None]
        per_example = per_example * weights
    return per_example, pred32


def replica_mean_loss(ctx, model, loss_fn, y, y_pred, sample_weight=None):
    """One replica's share of the step's global mean loss (call it in replica context).

    Each replica sums its per-example losses and divides by the *global* number of loss
    elements of the step (an all-reduced count, so a short last batch or an empty shard is
    weighted right: the ``tf.nn.compute_average_loss`` rule without assuming full batches);
    ``model.losses`` (regularization) are scaled by ``1 / num_replicas_in_sync``. Summed
    over the replicas this is the global mean, and so are the summed gradients.

    Args:
        ctx: the replica context (``tf.distribute.get_replica_context()``).
        model: the model, for its regularization losses.
        loss_fn: ``(y_true, y_pred) -> per-example losses``.
        y: the targets of this replica's batch.
        y_pred: the model's output for it.
        sample_weight: None or this batch's weights.

    Returns:
        ``(this replica's share of the loss, y_pred in float32)``.

    Example:

    >>> import keras
    >>> import tensorflow as tf
    >>> from seqkit.distribute.losses import per_example_loss, replica_mean_loss
    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    >>> share, _ = replica_mean_loss(tf.distribute.get_replica_context(), model,
    ...     per_example_loss("mse"), tf.zeros((2, 1)), tf.ones((2, 1)))
    >>> float(share)  # one replica: the plain mean
    1.0
    """
    import tensorflow as tf

    per_example, pred32 = weighted_per_example_loss(loss_fn, y, y_pred, sample_weight)
    local_sum = tf.reduce_sum(per_example)
    local_count = tf.cast(tf.size(per_example), tf.float32)
    global_count = tf.stop_gradient(
        ctx.all_reduce(tf.distribute.ReduceOp.SUM, local_count))
    step_loss = local_sum / tf.maximum(global_count, 1.0)
    if model.losses:
        reg = tf.add_n([tf.cast(v, tf.float32) for v in model.losses])
        step_loss += tf.nn.scale_regularization_loss(reg)
    return step_loss, pred32
