"""Mixed precision per device kind: ``mixed_float16`` on GPUs, ``mixed_bfloat16`` on TPUs
and CPUs; set Keras' global dtype policy, or set it for a ``with`` block only."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from seqkit.distribute.strategy import device_kind

_POLICY_FOR_KIND = {"gpu": "mixed_float16", "tpu": "mixed_bfloat16", "cpu": "mixed_bfloat16"}


def mixed_precision_policy_for(strategy_or_device_kind) -> str:
    """The Keras mixed-precision policy name for a device kind.

    Args:
        strategy_or_device_kind: a ``tf.distribute.Strategy`` or ``"cpu"`` / ``"gpu"`` /
            ``"tpu"`` (see :func:`seqkit.distribute.device_kind`).

    Returns:
        ``"mixed_float16"`` on GPU, ``"mixed_bfloat16"`` on TPU and CPU.

    Example:

    >>> from seqkit.distribute import mixed_precision_policy_for
    >>> mixed_precision_policy_for("gpu"), mixed_precision_policy_for("tpu")
    ('mixed_float16', 'mixed_bfloat16')
    >>> mixed_precision_policy_for(" CPU ")
    'mixed_bfloat16'
    """
    return _POLICY_FOR_KIND[device_kind(strategy_or_device_kind)]


def set_mixed_precision(strategy_or_device_kind) -> str:
    """Set Keras' global dtype policy to the device kind's mixed policy.

    This changes global state: prefer ``with mixed_precision_scope(...)`` where it must not
    leak (tests, libraries). On CPUs without bf16 instructions (AVX512-BF16 / AMX)
    ``mixed_bfloat16`` is correct but slower than float32.

    Args:
        strategy_or_device_kind: a ``tf.distribute.Strategy`` or a device kind.

    Returns:
        The policy name now in force (:func:`mixed_precision_policy_for`).

    Example:

    >>> import keras
    >>> from seqkit.distribute import mixed_precision_scope, set_mixed_precision
    >>> with mixed_precision_scope():  # restores the previous policy afterwards
    ...     print(set_mixed_precision("gpu"), keras.layers.Dense(2).compute_dtype)
    mixed_float16 float16
    """
    import keras

    policy = mixed_precision_policy_for(strategy_or_device_kind)
    keras.mixed_precision.set_global_policy(policy)
    return policy


@contextlib.contextmanager
def mixed_precision_scope(strategy_or_device_kind=None) -> Iterator[str]:
    """A ``with`` block that restores Keras' global dtype policy on exit (errors included).

    Args:
        strategy_or_device_kind: None to only restore; else a strategy or device kind whose
            mixed policy is set on entry (:func:`set_mixed_precision`).

    Returns:
        A context manager yielding the policy name in force inside the block.

    Example:

    >>> import keras
    >>> from seqkit.distribute import mixed_precision_scope
    >>> before = keras.mixed_precision.global_policy().name
    >>> with mixed_precision_scope("cpu") as policy:
    ...     print(policy, keras.layers.Dense(2).compute_dtype)
    mixed_bfloat16 bfloat16
    >>> keras.mixed_precision.global_policy().name == before
    True
    """
    import keras

    previous = keras.mixed_precision.global_policy()
    try:
        if strategy_or_device_kind is None:
            yield previous.name
        else:
            yield set_mixed_precision(strategy_or_device_kind)
    finally:
        keras.mixed_precision.set_global_policy(previous)
