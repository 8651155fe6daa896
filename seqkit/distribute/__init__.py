"""Devices and scale: strategies, batch scaling, mixed precision, and a training loop that
works under every ``tf.distribute`` strategy (Keras 3.15 / TF 2.21; guide:
``docs/distributed.md``).

Map of the package (every public name is re-exported here):

- ``strategy``: ``get_strategy(name="auto", *, tpu=None, num_cpu_replicas=None)`` for
  ``STRATEGY_NAMES`` (auto, cpu, gpu, mirrored, tpu, multiworker); ``TPU_LOOKUP_TIMEOUT_S``;
  ``parse_tf_config(raw=None)``, the validated ``TF_CONFIG``; ``describe_strategy``,
  ``is_chief``, ``fit_supported``, ``device_kind`` (``DEVICE_KINDS``),
  ``scaled_batch_size``.
- ``strategy`` also: ``mixed_precision_policy_for``, ``set_mixed_precision``,
  ``mixed_precision_scope`` (restores the previous policy).
- ``data``: ``dataset_fn_from_arrays``, ``distribute_dataset``, ``unpack_batch``.
- ``losses``: ``per_example_loss``, ``weighted_per_example_loss``, ``replica_mean_loss``.
- ``custom_loop``: ``train_custom_loop``, ``TrainHistory``, ``make_train_step``; why Keras
  ``fit`` is not enough under multi-worker (keras#20585); with it, gradient clipping and loss
  scaling across replicas and the per-epoch checkpoints.

Example:

>>> import seqkit.distribute as sd
>>> sd.mixed_precision_policy_for("gpu"), sd.fit_supported(sd.get_strategy("cpu"))
('mixed_float16', True)
"""

from seqkit.distribute.custom_loop import TrainHistory, make_train_step, train_custom_loop
from seqkit.distribute.data import dataset_fn_from_arrays, distribute_dataset, unpack_batch
from seqkit.distribute.losses import (
    per_example_loss,
    replica_mean_loss,
    weighted_per_example_loss,
)
from seqkit.distribute.strategy import (
    DEVICE_KINDS,
    STRATEGY_NAMES,
    TPU_LOOKUP_TIMEOUT_S,
    describe_strategy,
    device_kind,
    fit_supported,
    get_strategy,
    is_chief,
    mixed_precision_policy_for,
    mixed_precision_scope,
    parse_tf_config,
    scaled_batch_size,
    set_mixed_precision,
)

__all__ = [
    "DEVICE_KINDS",
    "STRATEGY_NAMES",
    "TPU_LOOKUP_TIMEOUT_S",
    "TrainHistory",
    "dataset_fn_from_arrays",
    "describe_strategy",
    "device_kind",
    "distribute_dataset",
    "fit_supported",
    "get_strategy",
    "is_chief",
    "make_train_step",
    "mixed_precision_policy_for",
    "mixed_precision_scope",
    "parse_tf_config",
    "per_example_loss",
    "replica_mean_loss",
    "scaled_batch_size",
    "set_mixed_precision",
    "train_custom_loop",
    "unpack_batch",
    "weighted_per_example_loss",
]
