"""Input for distributed training: a per-worker ``dataset_fn`` from arrays, handing data to a
strategy, and the ``(x, y[, sample_weight])`` structure every element must have."""

from __future__ import annotations

from collections.abc import Callable

from seqkit.errors import ConfigError
from seqkit.validation import check_int

_ELEMENTS = "each dataset element must be (x, y) or (x, y, sample_weight), got"


def dataset_fn_from_arrays(x, y, *, global_batch_size: int, shuffle: bool = False,
                           seed: int | None = None, drop_remainder: bool = False,
                           sample_weight=None) -> Callable:
    """A ``dataset_fn(input_context)`` for ``strategy.distribute_datasets_from_function``.

    Each input pipeline (one per worker) keeps every ``num_input_pipelines``-th example
    (``shard`` before ``batch``) and batches at the per-replica size, so one step's global
    batch is the same set of examples as a single process batching at ``global_batch_size``
    (with ``shuffle=False``; with ``shuffle`` pass a ``seed`` so that workers agree).

    Args:
        x: inputs, an array (or anything ``tf.data.Dataset.from_tensor_slices`` takes).
        y: targets, with the same first dimension.
        global_batch_size: examples per step over all replicas; must be divisible by the
            number of replicas in sync (checked when the dataset is built).
        shuffle: shuffle every epoch (needs ``seed``).
        seed: the shuffle seed, the same on every worker.
        drop_remainder: drop a short last batch (every worker must run the same number of
            steps: use it when the row count is not a multiple of the global batch).
        sample_weight: optional per-example weights, same first dimension as ``x``.

    Returns:
        ``dataset_fn(input_context=None) -> tf.data.Dataset`` of ``(x, y)`` or
        ``(x, y, sample_weight)`` batches at the per-replica size (no context: one replica).

    Raises:
        ConfigError: a bad ``global_batch_size``, ``shuffle`` without ``seed``; when called,
            a global batch not divisible by the replicas.

    Example:

    >>> import numpy as np
    >>> import tensorflow as tf
    >>> from seqkit.distribute import dataset_fn_from_arrays
    >>> x, y = np.arange(10.0).reshape(5, 2), np.arange(5.0)
    >>> fn = dataset_fn_from_arrays(x, y, global_batch_size=4)
    >>> [int(b[0].shape[0]) for b in fn()]  # one replica: batches of 4, then the rest
    [4, 1]
    >>> worker_1_of_2 = tf.distribute.InputContext(num_input_pipelines=2,
    ...     input_pipeline_id=1, num_replicas_in_sync=2)
    >>> [b[1].numpy().tolist() for b in fn(worker_1_of_2)]  # every other row, by 2
    [[1.0, 3.0]]
    """
    import tensorflow as tf

    global_batch_size = check_int("global_batch_size", global_batch_size)
    if shuffle and seed is None:
        raise ConfigError("shuffle=True needs a seed so that every worker shuffles alike")

    def dataset_fn(input_context=None):
        if input_context is None:
            input_context = tf.distribute.InputContext()
        replicas = input_context.num_replicas_in_sync
        if global_batch_size % replicas:
            raise ConfigError(
                f"global_batch_size={global_batch_size} is not divisible by the "
                f"{replicas} replicas in sync"
            )
        per_replica = global_batch_size // replicas
        parts = (x, y) if sample_weight is None else (x, y, sample_weight)
        ds = tf.data.Dataset.from_tensor_slices(parts)
        if input_context.num_input_pipelines > 1:
            ds = ds.shard(input_context.num_input_pipelines, input_context.input_pipeline_id)
        if shuffle:
            ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        return ds.batch(per_replica, drop_remainder=drop_remainder).prefetch(2)

    return dataset_fn


def distribute_dataset(strategy, data):
    """Hand ``data`` to ``strategy``: a distributed dataset that ``strategy.run`` steps take.

    Args:
        strategy: a ``tf.distribute.Strategy``.
        data: a ``dataset_fn(input_context)`` returning per-replica batches (see
            :func:`dataset_fn_from_arrays`; goes through
            ``strategy.distribute_datasets_from_function``), or a ``tf.data.Dataset``
            batched at the *global* batch size (``experimental_distribute_dataset`` with
            ``AutoShardPolicy.DATA``: every global batch is split between the workers, so
            each runs the same number of steps).

    Returns:
        A ``tf.distribute.DistributedDataset``; iterate it for per-replica batches.

    Raises:
        ConfigError: ``data`` is neither a callable nor a ``tf.data.Dataset``.

    Example:

    >>> import tensorflow as tf
    >>> from seqkit.distribute import distribute_dataset
    >>> ds = tf.data.Dataset.from_tensor_slices(([[1.0], [2.0], [3.0]], [0, 1, 0])).batch(2)
    >>> batches = distribute_dataset(tf.distribute.OneDeviceStrategy("/cpu:0"), ds)
    >>> [b[1].numpy().tolist() for b in batches]
    [[0, 1], [0]]
    """
    import tensorflow as tf

    if isinstance(data, tf.data.Dataset):
        # A dataset batched at the *global* batch size: split by data, not by file.
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA
        )
        return strategy.experimental_distribute_dataset(data.with_options(options))
    if callable(data):
        return strategy.distribute_datasets_from_function(data)
    raise ConfigError(
        "dataset_fn must be a callable taking a tf.distribute.InputContext (see "
        f"dataset_fn_from_arrays) or a tf.data.Dataset batched globally, got {type(data)}"
    )


def _is_element(value) -> bool:
    return isinstance(value, (tuple, list)) and len(value) in (2, 3)


def unpack_batch(batch) -> tuple:
    """``(x, y, sample_weight)`` from one dataset element.

    Args:
        batch: ``(x, y)`` or ``(x, y, sample_weight)`` (a tuple or list).

    Returns:
        ``(x, y, sample_weight)``, ``sample_weight`` None when the element has none.

    Raises:
        ConfigError: any other structure.

    Example:

    >>> from seqkit.distribute import unpack_batch
    >>> unpack_batch(("x", "y"))
    ('x', 'y', None)
    >>> unpack_batch(["x", "y", "w"])
    ('x', 'y', 'w')
    >>> unpack_batch({"x": 1})
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: each dataset element must be (x, y) or (x, y, \
sample_weight), got dict
    """
    if not _is_element(batch):
        raise ConfigError(f"{_ELEMENTS} {type(batch).__name__}")
    x, y, *rest = batch
    return x, y, (rest[0] if rest else None)


def _check_element_spec(distributed) -> None:
    """Fail early (before tracing a step) when the elements are not ``(x, y[, w])``."""
    spec = getattr(distributed, "element_spec", None)
    if spec is not None and not _is_element(spec):
        raise ConfigError(f"{_ELEMENTS} element_spec {spec}")
