"""Choosing a ``tf.distribute.Strategy`` by name: ``get_strategy`` and one builder per
name (TPU, GPUs, mirrored over GPUs or logical CPUs, multi-worker from ``TF_CONFIG``).

``TF_CONFIG``: read and validate the cluster description of a multi-worker run.

Every field error is a :class:`seqkit.errors.ConfigError` that reads
``TF_CONFIG <field> must be <what>, got <value!r>``, so the bad entry of a long cluster
list is named (``cluster.worker[1]``), before any strategy is created.

Questions about a ``tf.distribute.Strategy``: its kind, devices and workers, whether this
process is the chief, whether Keras ``fit`` works under it, and the global batch size.

Mixed precision per device kind: ``mixed_float16`` on GPUs, ``mixed_bfloat16`` on TPUs
and CPUs; set Keras' global dtype policy, or set it for a ``with`` block only.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import os
import socket
from collections.abc import Iterator
from typing import Any

from seqkit.errors import ConfigError
from seqkit.validation import check_int, fail

logger = logging.getLogger(__name__)

STRATEGY_NAMES = ("auto", "cpu", "gpu", "mirrored", "tpu", "multiworker")
# Seconds a TPU name lookup (GCE metadata / Cloud TPU API over urllib, which has no timeout
# of its own) may block before we call the TPU unreachable.
TPU_LOOKUP_TIMEOUT_S = 5.0


@contextlib.contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def _tpu_hint(tpu: str | None) -> str | None:
    """The TPU to try, or None when nothing suggests one is reachable (no network calls)."""
    if tpu:
        return tpu
    for var in ("TPU_NAME", "KUBE_GOOGLE_CLOUD_TPU_ENDPOINTS", "COLAB_TPU_ADDR"):
        value = os.environ.get(var)
        if value:
            return value if var != "COLAB_TPU_ADDR" else f"grpc://{value}"
    # A TPU VM: the chips are local devices (/dev/accel* on v2-v4, /dev/vfio/N on v5+).
    if glob.glob("/dev/accel[0-9]*") or glob.glob("/dev/vfio/[0-9]*"):
        return "local"
    return None


def _connect_tpu(tpu: str | None):
    """TPUClusterResolver -> connect_to_cluster -> initialize_tpu_system -> TPUStrategy.

    Raises ConfigError (never hangs on the lookup: TPU *names* are resolved through the GCE
    metadata server with urllib, bounded here by a socket timeout).
    """
    import tensorflow as tf

    target = _tpu_hint(tpu)
    if target is None:
        raise ConfigError(
            "strategy 'tpu': no TPU is reachable (no tpu= argument, TPU_NAME / "
            "KUBE_GOOGLE_CLOUD_TPU_ENDPOINTS / COLAB_TPU_ADDR unset, no /dev/accel* or "
            "/dev/vfio TPU devices). On a TPU VM pass tpu='local'; for a Cloud TPU node pass "
            "its name or 'grpc://ip:8470'"
        )
    try:
        with _socket_timeout(TPU_LOOKUP_TIMEOUT_S):
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=target)
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
    except Exception as exc:  # resolver / connection / init failures all mean "no TPU"
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ConfigError(
            f"strategy 'tpu': TPU {target!r} is not reachable: "
            f"{type(exc).__name__}: {first_line[:300]}"
        ) from exc
    return tf.distribute.TPUStrategy(resolver)


def _gpu_strategy(gpus: list):
    import tensorflow as tf

    if len(gpus) == 1:
        return tf.distribute.OneDeviceStrategy("/gpu:0")
    return tf.distribute.MirroredStrategy()


def _all_gpus_strategy():
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        found = ", ".join(d.name.replace("/physical_device:", "")
                          for d in tf.config.list_physical_devices()) or "none"
        raise ConfigError(
            f"strategy 'gpu': TensorFlow sees no GPU (devices found: {found}); "
            "check the CUDA install / CUDA_VISIBLE_DEVICES, or use 'cpu' or 'auto'"
        )
    return _gpu_strategy(gpus)


def _logical_cpus(n: int) -> list[str]:
    """The names of ``n`` logical CPU devices, splitting the CPU if it is not split yet."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is None or len(current) != n:
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
            )
        except RuntimeError as exc:
            have = len(tf.config.list_logical_devices("CPU"))
            if have != n:
                raise ConfigError(
                    f"num_cpu_replicas={n}: TensorFlow has already initialized its devices "
                    f"({have} logical CPU(s)), and logical devices can only be set before "
                    "that. Call get_strategy('mirrored', num_cpu_replicas=...) first thing, "
                    "before creating tensors, models or datasets (or run it in a fresh "
                    f"process). TensorFlow said: {exc}"
                ) from exc
    names = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(names) < n:  # pragma: no cover - defensive
        raise ConfigError(f"num_cpu_replicas={n}: only {len(names)} logical CPUs exist")
    return names[:n]


def _mirrored_strategy(num_cpu_replicas: int | None):
    import tensorflow as tf

    if num_cpu_replicas is not None:
        return tf.distribute.MirroredStrategy(devices=_logical_cpus(num_cpu_replicas))
    if tf.config.list_physical_devices("GPU"):
        return tf.distribute.MirroredStrategy()
    cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
    return tf.distribute.MirroredStrategy(devices=cpus)


def _multiworker_strategy():
    import tensorflow as tf

    info = parse_tf_config()
    try:
        return tf.distribute.MultiWorkerMirroredStrategy(
            cluster_resolver=tf.distribute.cluster_resolver.TFConfigClusterResolver()
        )
    except (RuntimeError, ValueError) as exc:
        raise ConfigError(
            f"strategy 'multiworker' (task {info['task_type']}:{info['task_index']} of "
            f"{info['num_workers']}): {exc}. MultiWorkerMirroredStrategy must be created at "
            "program start, before any other TensorFlow work, with TF_CONFIG already set"
        ) from exc


def _auto_strategy(tpu: str | None):
    import tensorflow as tf

    if os.environ.get("TF_CONFIG"):
        logger.warning("TF_CONFIG is set but strategy 'auto' ignores it; use 'multiworker'")
    if _tpu_hint(tpu) is not None:
        try:
            return _connect_tpu(tpu)
        except ConfigError as exc:
            if tpu is not None:  # the caller named a TPU: do not silently fall back
                raise
            logger.info("auto: no TPU (%s); trying GPUs", exc)
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return _gpu_strategy(gpus)
    return tf.distribute.OneDeviceStrategy("/cpu:0")


def _check_options(name, tpu, num_cpu_replicas) -> str:
    """The normalised strategy name, once the options fit it."""
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in STRATEGY_NAMES:
        fail("strategy", f"one of {STRATEGY_NAMES!r}", name)
    if num_cpu_replicas is not None:
        if key != "mirrored":
            raise ConfigError(
                f"num_cpu_replicas={num_cpu_replicas!r} only applies to strategy 'mirrored' "
                f"(got {key!r})"
            )
        check_int("num_cpu_replicas", num_cpu_replicas)
    if tpu is not None and key not in ("auto", "tpu"):
        raise ConfigError(f"tpu={tpu!r} only applies to strategies 'tpu' and 'auto'")
    return key


def get_strategy(name: str = "auto", *, tpu: str | None = None,
                 num_cpu_replicas: int | None = None):
    """A ``tf.distribute.Strategy`` chosen by name.

    - ``auto``: a TPU when one is reachable (only tried when ``tpu=`` is given, a TPU
      environment variable is set, or TPU devices exist locally: no network lookups
      otherwise), else ``MirroredStrategy`` over several GPUs, ``OneDeviceStrategy("/gpu:0")``
      for one GPU, else ``OneDeviceStrategy("/cpu:0")``. ``auto`` never picks multiworker.
    - ``cpu``: ``OneDeviceStrategy("/cpu:0")`` (chosen over the default strategy so that
      placement is explicit and ``describe_strategy`` can name the device; Keras ``fit``
      works with it).
    - ``gpu``: every visible GPU (one -> OneDevice, several -> Mirrored); ConfigError when
      TensorFlow sees no GPU, naming the devices it does see.
    - ``mirrored``: ``MirroredStrategy`` over all GPUs; with ``num_cpu_replicas=N`` over N
      logical CPU devices (must run before TensorFlow initializes its devices); with no GPU
      and no ``num_cpu_replicas`` over the logical CPUs that exist (usually one).
    - ``tpu``: ``TPUStrategy``; ConfigError (not a hang) when no TPU is reachable.
    - ``multiworker``: ``MultiWorkerMirroredStrategy`` from a validated ``TF_CONFIG``
      (:func:`seqkit.distribute.parse_tf_config`). Train with ``train_custom_loop`` under
      it: Keras' ``fit`` fails there (keras#20585).

    Args:
        name: one of ``STRATEGY_NAMES`` (any case, surrounding spaces ignored).
        tpu: for ``tpu`` / ``auto``: ``"local"`` on a TPU VM, a Cloud TPU name, or
            ``"grpc://ip:8470"``; None reads ``TPU_NAME`` and friends.
        num_cpu_replicas: for ``mirrored`` only: split the CPU into this many logical
            devices (call this first thing in the process).

    Returns:
        The strategy (not entered: use ``with strategy.scope():``).

    Raises:
        ConfigError: an unknown name, options that do not apply to it, or a device that is
            not there (no GPU, no TPU, no ``TF_CONFIG``, runtime already initialized).

    Example:

    >>> from seqkit.distribute import get_strategy
    >>> strategy = get_strategy(" CPU ")
    >>> type(strategy).__name__, strategy.num_replicas_in_sync
    ('OneDeviceStrategy', 1)
    >>> get_strategy("cpu", num_cpu_replicas=2)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: num_cpu_replicas=2 only applies to strategy 'mirrored' \
(got 'cpu')
    """
    name = _check_options(name, tpu, num_cpu_replicas)
    if name == "tpu":
        return _connect_tpu(tpu)
    if name == "multiworker":
        return _multiworker_strategy()
    if name == "mirrored":
        return _mirrored_strategy(num_cpu_replicas)
    if name == "gpu":
        return _all_gpus_strategy()
    if name == "cpu":
        import tensorflow as tf

        return tf.distribute.OneDeviceStrategy("/cpu:0")
    return _auto_strategy(tpu)


TASK_TYPES = ("chief", "worker", "evaluator")

_MISSING = (
    "strategy 'multiworker' needs the TF_CONFIG environment variable, e.g. "
    'TF_CONFIG=\'{"cluster":{"worker":["host1:12345","host2:12345"]},'
    '"task":{"type":"worker","index":0}}\' (one index per host)'
)


def _fail(field: str, what: str, value: Any):
    fail(f"TF_CONFIG {field}" if field else "TF_CONFIG", what, value)


def _load(raw: str | dict | None) -> dict:
    """The decoded ``TF_CONFIG`` object (from the environment when ``raw`` is None)."""
    if raw is None:
        raw = os.environ.get("TF_CONFIG")
        if raw is None or not raw.strip():
            raise ConfigError(_MISSING)
    config = raw
    if isinstance(raw, str):
        try:
            config = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"TF_CONFIG must be valid JSON ({exc}), got {raw[:200]!r}"
            ) from exc
    if not isinstance(config, dict):
        _fail("", "a JSON object", config)
    return config


def _check_address(field: str, address: Any) -> str:
    """``address`` if it is a ``'host:port'`` string with a port in 1..65535."""
    ok = isinstance(address, str) and ":" in address
    if ok:
        host, _, port = address.rpartition(":")
        ok = bool(host) and port.isdigit() and 0 < int(port) < 65536
    if not ok:
        _fail(field, "a 'host:port' string with a port in 1..65535", address)
    return address


def _check_job_names(cluster: Any) -> None:
    if not isinstance(cluster, dict) or not cluster:
        _fail("cluster", 'an object like {"worker": ["host1:port", "host2:port"]}', cluster)
    for job in cluster:
        if job == "ps":
            _fail("cluster job", "'worker' or 'chief' (parameter servers need "
                  "ParameterServerStrategy, which seqkit does not support)", job)
        if job not in TASK_TYPES:
            _fail("cluster job", f"one of {TASK_TYPES!r}", job)


def _check_jobs(cluster: dict) -> None:
    """Each job a list of distinct addresses; one ``chief`` / ``evaluator`` at most."""
    seen: set[str] = set()
    for job, addresses in cluster.items():
        single = job in ("chief", "evaluator")
        if not isinstance(addresses, list) or not addresses or (single and len(addresses) != 1):
            what = "a list of one 'host:port'" if single else "a non-empty list of 'host:port'"
            _fail(f"cluster.{job}", what, addresses)
        for i, address in enumerate(addresses):
            field = f"cluster.{job}[{i}]"
            if _check_address(field, address) in seen:
                _fail(field, "an address that appears once in the cluster", address)
            seen.add(address)


def _check_task(task: Any, cluster: dict) -> tuple[str, int]:
    """``(task.type, task.index)`` once they name an entry of ``cluster``."""
    if not isinstance(task, dict):
        _fail("task", 'an object like {"type": "worker", "index": 0}', task)
    task_type = task.get("type")
    if task_type not in cluster:
        _fail("task.type", f"a job of the cluster {sorted(cluster)}", task_type)
    index = task.get("index")
    n = len(cluster[task_type])
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        _fail("task.index", f"an integer index into cluster.{task_type} "
              f"({n} entr{'y' if n == 1 else 'ies'}: valid indices 0..{n - 1})", index)
    return task_type, index


def parse_tf_config(raw: str | dict | None = None) -> dict:
    """Validate ``TF_CONFIG`` (the environment variable when ``raw`` is None).

    Checked, in this order: JSON; ``cluster`` an object whose jobs are ``chief`` /
    ``worker`` / ``evaluator`` (``ps`` is refused: parameter servers are not supported);
    ``cluster.worker`` present; every job a non-empty list of distinct ``host:port``
    (``chief`` and ``evaluator`` one entry); ``task.type`` a job of the cluster;
    ``task.index`` an int in range.

    Args:
        raw: a JSON string, an already decoded dict, or None to read ``$TF_CONFIG``.

    Returns:
        ``{"cluster", "task_type", "task_index", "num_workers", "is_chief"}``, where
        ``num_workers`` counts chief + workers (the processes that train) and the chief is
        the ``chief`` task, or worker 0 when there is no ``chief`` job.

    Raises:
        ConfigError: naming the bad field (or saying that ``TF_CONFIG`` is unset).

    Example:

    >>> from seqkit.distribute import parse_tf_config
    >>> info = parse_tf_config('{"cluster": {"worker": ["h1:2222", "h2:2222"]},'
    ...                        ' "task": {"type": "worker", "index": 1}}')
    >>> info["task_type"], info["task_index"], info["num_workers"], info["is_chief"]
    ('worker', 1, 2, False)
    >>> parse_tf_config({"cluster": {"worker": ["h1:2222", "h2"]},
    ...                  "task": {"type": "worker", "index": 0}})
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: TF_CONFIG cluster.worker[1] must be a 'host:port' string \
with a port in 1..65535, got 'h2'
    """
    config = _load(raw)
    cluster = config.get("cluster")
    _check_job_names(cluster)
    workers = cluster.get("worker")
    if not isinstance(workers, list) or not workers:
        _fail("cluster.worker", "a non-empty list of 'host:port'", workers)
    _check_jobs(cluster)
    task_type, index = _check_task(config.get("task"), cluster)
    chief = task_type == "chief" or (
        task_type == "worker" and index == 0 and "chief" not in cluster
    )
    return {
        "cluster": cluster,
        "task_type": task_type,
        "task_index": index,
        "num_workers": len(workers) + len(cluster.get("chief", [])),
        "is_chief": chief,
    }


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
