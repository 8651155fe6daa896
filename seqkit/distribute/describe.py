"""Questions about a ``tf.distribute.Strategy``: its kind, devices and workers, whether this
process is the chief, whether Keras ``fit`` works under it, and the global batch size."""

from __future__ import annotations

from seqkit.validation import check_int, fail

DEVICE_KINDS = ("cpu", "gpu", "tpu")

# Class name (any class in the strategy's MRO) -> the kind describe_strategy reports.
_KINDS = {
    "TPUStrategy": "tpu",
    "TPUStrategyV2": "tpu",
    "MirroredStrategy": "mirrored",
    "OneDeviceStrategy": "one_device",
    "CollectiveAllReduceStrategy": "multiworker",
    "MultiWorkerMirroredStrategy": "multiworker",
    "_DefaultDistributionStrategy": "default",
}


def _kind(strategy) -> str:
    for cls in type(strategy).__mro__:
        if cls.__name__ in _KINDS:
            return _KINDS[cls.__name__]
    return type(strategy).__name__


def _devices(strategy) -> list[str]:
    try:
        return [str(d) for d in strategy.extended.worker_devices]
    except (RuntimeError, AttributeError, NotImplementedError):
        import tensorflow as tf

        # The default strategy has no device list: TF places ops on GPU:0 when one exists.
        return ["/gpu:0" if tf.config.list_physical_devices("GPU") else "/cpu:0"]


def _worker_info(strategy) -> dict:
    resolver = getattr(strategy, "cluster_resolver", None)
    if _kind(strategy) != "multiworker" or resolver is None:
        return {"num_workers": 1, "task_type": None, "task_id": None, "is_chief": True}
    spec = resolver.cluster_spec().as_dict()
    task_type, task_id = resolver.task_type, resolver.task_id
    chief = task_type in (None, "chief") or (
        task_type == "worker" and task_id == 0 and "chief" not in spec
    )
    n = len(spec.get("worker", [])) + len(spec.get("chief", []))
    return {"num_workers": max(n, 1), "task_type": task_type, "task_id": task_id,
            "is_chief": chief}


def describe_strategy(strategy) -> dict:
    """A summary of ``strategy`` for logs and reports.

    Args:
        strategy: a ``tf.distribute.Strategy`` (the default strategy included).

    Returns:
        ``{"kind", "class", "replicas", "devices", "device_kind", "num_workers",
        "task_type", "task_id", "is_chief"}``; ``kind`` is one of ``default``,
        ``one_device``, ``mirrored``, ``multiworker``, ``tpu`` (or the class name);
        ``task_type`` / ``task_id`` are None outside a multi-worker cluster.

    Example:

    >>> import tensorflow as tf
    >>> from seqkit.distribute import describe_strategy
    >>> info = describe_strategy(tf.distribute.OneDeviceStrategy("/cpu:0"))
    >>> info["kind"], info["replicas"], info["device_kind"], info["is_chief"]
    ('one_device', 1, 'cpu', True)
    >>> info["devices"]
    ['/job:localhost/replica:0/task:0/device:CPU:0']
    """
    info = {
        "kind": _kind(strategy),
        "class": type(strategy).__name__,
        "replicas": int(strategy.num_replicas_in_sync),
        "devices": _devices(strategy),
        "device_kind": device_kind(strategy),
    }
    info.update(_worker_info(strategy))
    return info


def is_chief(strategy=None) -> bool:
    """Whether this process is the chief (the one that writes checkpoints and reports).

    Args:
        strategy: a ``tf.distribute.Strategy``; None means the strategy in scope.

    Returns:
        True unless ``strategy`` is multi-worker and this process is not its chief (the
        ``chief`` task, or worker 0 when the cluster has no ``chief`` job).

    Example:

    >>> from seqkit.distribute import is_chief
    >>> is_chief()  # no multi-worker strategy in scope
    True
    """
    if strategy is None:
        import tensorflow as tf

        strategy = tf.distribute.get_strategy()
    return _worker_info(strategy)["is_chief"]


def fit_supported(strategy) -> bool:
    """Whether Keras 3 ``model.fit`` works under ``strategy``.

    It does not under ``MultiWorkerMirroredStrategy`` (keras-team/keras#20585, see
    :mod:`seqkit.distribute.custom_loop`): callers train with ``train_custom_loop`` then.

    Args:
        strategy: a ``tf.distribute.Strategy``.

    Returns:
        False for a multi-worker strategy, True otherwise.

    Example:

    >>> import tensorflow as tf
    >>> from seqkit.distribute import fit_supported
    >>> fit_supported(tf.distribute.get_strategy())
    True
    """
    return _kind(strategy) != "multiworker"


def device_kind(strategy_or_device_kind) -> str:
    """The kind of device a strategy computes on.

    Args:
        strategy_or_device_kind: a ``tf.distribute.Strategy``, or one of ``"cpu"``,
            ``"gpu"``, ``"tpu"`` (any case, surrounding spaces ignored).

    Returns:
        ``"cpu"``, ``"gpu"`` or ``"tpu"``.

    Raises:
        ConfigError: for any other string or object.

    Example:

    >>> import tensorflow as tf
    >>> from seqkit.distribute import device_kind
    >>> device_kind(" GPU ")
    'gpu'
    >>> device_kind(tf.distribute.OneDeviceStrategy("/cpu:0"))
    'cpu'
    >>> device_kind("npu")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: strategy_or_device_kind must be a tf.distribute.Strategy or \
one of ('cpu', 'gpu', 'tpu'), got 'npu'
    """
    value = strategy_or_device_kind
    kind = value.strip().lower() if isinstance(value, str) else None
    if kind not in DEVICE_KINDS and not hasattr(value, "num_replicas_in_sync"):
        fail("strategy_or_device_kind",
             f"a tf.distribute.Strategy or one of {DEVICE_KINDS!r}", value)
    if kind is not None:
        return kind
    if _kind(value) == "tpu":
        return "tpu"
    devices = " ".join(_devices(value)).upper()
    if "TPU" in devices:
        return "tpu"
    return "gpu" if "GPU" in devices else "cpu"


def scaled_batch_size(per_replica_batch: int, strategy) -> int:
    """The global batch size: ``per_replica_batch`` on every replica of every worker.

    Args:
        per_replica_batch: the batch size one replica (one GPU, one worker...) sees.
        strategy: anything with ``num_replicas_in_sync`` (a ``tf.distribute.Strategy``).

    Returns:
        ``per_replica_batch * strategy.num_replicas_in_sync``.

    Example:

    >>> import types
    >>> from seqkit.distribute import scaled_batch_size
    >>> scaled_batch_size(16, types.SimpleNamespace(num_replicas_in_sync=8))
    128
    >>> scaled_batch_size(0, types.SimpleNamespace(num_replicas_in_sync=8))
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: per_replica_batch must be an integer >= 1, got 0
    """
    per_replica_batch = check_int("per_replica_batch", per_replica_batch)
    return per_replica_batch * int(strategy.num_replicas_in_sync)
