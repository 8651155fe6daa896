"""Applying one replica's gradients so that several replicas train like one device
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
from collections.abc import Callable, Iterator

CLIP_OPTIONS = ("clipnorm", "clipvalue", "global_clipnorm")


def _inner(optimizer):
    return getattr(optimizer, "inner_optimizer", optimizer)  # under a LossScaleOptimizer


def _each(fn, grads: list) -> list:
    return [None if g is None else fn(g) for g in grads]


def clip_options(optimizer) -> dict:
    """``{"clipnorm", "clipvalue", "global_clipnorm"}`` of the (inner) optimizer."""
    return {k: getattr(_inner(optimizer), k, None) for k in CLIP_OPTIONS}


def clip_globally(grads: list, clip: dict) -> list:
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
def clipping_off(optimizer) -> Iterator[None]:
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


def agree_on_nonfinite(ctx, grads: list) -> list:
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
    grads = clip_globally(_each(lambda g: next(summed), grads), clip)
    if loss_scaling:
        grads = _each(lambda g: g * scale, grads)
    return _each(lambda g: g / replicas, grads)


def make_apply_gradients(optimizer, replicas: int) -> Callable:
    """``apply(ctx, grads, variables)`` for a replica step, with both work-arounds.

    Args:
        optimizer: the built Keras optimizer (possibly a ``LossScaleOptimizer``).
        replicas: ``strategy.num_replicas_in_sync``.

    Returns:
        A function to call in replica context in place of ``optimizer.apply``.
    """
    import keras

    loss_scaling = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    clip = clip_options(optimizer)
    own_clip = replicas > 1 and any(v is not None for v in clip.values())

    def apply(ctx, grads, variables):
        if loss_scaling and replicas > 1:
            grads = agree_on_nonfinite(ctx, grads)
        if not own_clip:
            optimizer.apply(grads, variables)
            return
        grads = _share_of_clipped_sum(ctx, optimizer, grads, clip, replicas, loss_scaling)
        with clipping_off(optimizer):
            optimizer.apply(grads, variables)

    return apply
