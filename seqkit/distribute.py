"""Devices and scale: strategy selection, batch scaling, mixed precision, and a custom
training loop that works under every ``tf.distribute`` strategy.

Public API
----------
- ``get_strategy(name="auto", *, tpu=None, num_cpu_replicas=None)``
- ``describe_strategy(strategy)`` -> ``{"kind", "class", "replicas", "devices", ...}``
- ``parse_tf_config(raw=None)`` -> validated ``TF_CONFIG``
- ``is_chief(strategy=None)``, ``fit_supported(strategy)``
- ``scaled_batch_size(per_replica_batch, strategy)``
- ``mixed_precision_policy_for(strategy_or_device_kind)``,
  ``set_mixed_precision(strategy_or_device_kind)``,
  ``mixed_precision_scope(strategy_or_device_kind=None)`` (restores the previous policy)
- ``dataset_fn_from_arrays(x, y, *, global_batch_size, ...)``
- ``train_custom_loop(build_model_fn, dataset_fn, *, strategy, epochs, loss, optimizer_fn, ...)``

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
and the collective strategy cannot reduce that eager ``PerReplica``. ``fit`` is fine under
the default, ``OneDeviceStrategy`` and ``MirroredStrategy`` (also over logical CPUs), so
callers can ask ``fit_supported(strategy)`` and fall back to ``train_custom_loop``.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from seqkit.errors import ConfigError

logger = logging.getLogger(__name__)

STRATEGY_NAMES = ("auto", "cpu", "gpu", "mirrored", "tpu", "multiworker")
DEVICE_KINDS = ("cpu", "gpu", "tpu")
_POLICY_FOR_KIND = {"gpu": "mixed_float16", "tpu": "mixed_bfloat16", "cpu": "mixed_bfloat16"}
_TF_CONFIG_TASK_TYPES = ("chief", "worker", "evaluator")
# Seconds a TPU name lookup (GCE metadata / Cloud TPU API over urllib, which has no timeout
# of its own) may block before we call the TPU unreachable.
TPU_LOOKUP_TIMEOUT_S = 5.0


def _tf():
    import tensorflow as tf

    return tf


# --------------------------------------------------------------------------------------
# TF_CONFIG
# --------------------------------------------------------------------------------------


def _check_address(field: str, address: Any) -> str:
    if not isinstance(address, str) or ":" not in address:
        raise ConfigError(f"TF_CONFIG {field}={address!r} is not a 'host:port' string")
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"TF_CONFIG {field}={address!r}: expected 'host:port' with a port in 1..65535"
        )
    return address


def parse_tf_config(raw: str | dict | None = None) -> dict:
    """Validate ``TF_CONFIG`` (the environment variable when ``raw`` is None).

    Returns ``{"cluster", "task_type", "task_index", "num_workers", "is_chief"}`` where
    ``num_workers`` counts chief + workers (the processes that train). Raises ``ConfigError``
    naming the bad field: not JSON, ``cluster`` / ``cluster.worker`` missing or not a list of
    ``host:port``, ``task.type`` not in the cluster, ``task.index`` not an int in range.
    """
    if raw is None:
        raw = os.environ.get("TF_CONFIG")
        if raw is None or not raw.strip():
            raise ConfigError(
                "strategy 'multiworker' needs the TF_CONFIG environment variable, e.g. "
                'TF_CONFIG=\'{"cluster":{"worker":["host1:12345","host2:12345"]},'
                '"task":{"type":"worker","index":0}}\' (one index per host)'
            )
    if isinstance(raw, str):
        try:
            config = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"TF_CONFIG is not valid JSON ({exc}): {raw[:200]!r}") from exc
    else:
        config = raw
    if not isinstance(config, dict):
        raise ConfigError(f"TF_CONFIG must be a JSON object, got {type(config).__name__}")

    cluster = config.get("cluster")
    if not isinstance(cluster, dict) or not cluster:
        raise ConfigError(
            f"TF_CONFIG cluster={cluster!r}: expected an object like "
            '{"worker": ["host1:port", "host2:port"]}'
        )
    for job in cluster:
        if job == "ps":
            raise ConfigError(
                "TF_CONFIG cluster.ps: parameter servers need ParameterServerStrategy, which "
                "seqkit does not support; use only 'worker' (and optionally one 'chief')"
            )
        if job not in _TF_CONFIG_TASK_TYPES:
            raise ConfigError(
                f"TF_CONFIG cluster.{job}: unknown job name; expected one of "
                f"{list(_TF_CONFIG_TASK_TYPES)}"
            )
    workers = cluster.get("worker")
    if not isinstance(workers, list) or not workers:
        raise ConfigError(
            f"TF_CONFIG cluster.worker={workers!r}: expected a non-empty list of 'host:port'"
        )
    seen: set[str] = set()
    for job, addresses in cluster.items():
        if not isinstance(addresses, list) or not addresses:
            raise ConfigError(f"TF_CONFIG cluster.{job}={addresses!r}: expected a non-empty list")
        if job in ("chief", "evaluator") and len(addresses) != 1:
            raise ConfigError(
                f"TF_CONFIG cluster.{job} has {len(addresses)} entries; at most one allowed"
            )
        for i, address in enumerate(addresses):
            _check_address(f"cluster.{job}[{i}]", address)
            if address in seen:
                raise ConfigError(f"TF_CONFIG cluster.{job}[{i}]={address!r} appears twice")
            seen.add(address)

    task = config.get("task")
    if not isinstance(task, dict):
        raise ConfigError(
            f"TF_CONFIG task={task!r}: expected an object like "
            '{"type": "worker", "index": 0}'
        )
    task_type = task.get("type")
    if task_type not in cluster:
        raise ConfigError(
            f"TF_CONFIG task.type={task_type!r} is not a job in cluster "
            f"(jobs: {sorted(cluster)})"
        )
    index = task.get("index")
    if isinstance(index, bool) or not isinstance(index, int):
        raise ConfigError(f"TF_CONFIG task.index={index!r}: expected an integer")
    n = len(cluster[task_type])
    if not 0 <= index < n:
        raise ConfigError(
            f"TF_CONFIG task.index={index} is out of range for cluster.{task_type} "
            f"({n} entr{'y' if n == 1 else 'ies'}: valid indices 0..{n - 1})"
        )
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


# --------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------


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
    tf = _tf()
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


def _physical(kind: str) -> list:
    return _tf().config.list_physical_devices(kind)


def _found_devices() -> str:
    devices = _tf().config.list_physical_devices()
    return ", ".join(d.name.replace("/physical_device:", "") for d in devices) or "none"


def _gpu_strategy(gpus: list):
    tf = _tf()
    if len(gpus) == 1:
        return tf.distribute.OneDeviceStrategy("/gpu:0")
    return tf.distribute.MirroredStrategy()


def _logical_cpus(n: int) -> list[str]:
    tf = _tf()
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(f"num_cpu_replicas={n!r}: expected an integer >= 1")
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


def _multiworker_strategy():
    tf = _tf()
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


def get_strategy(name: str = "auto", *, tpu: str | None = None,
                 num_cpu_replicas: int | None = None):
    """Return a ``tf.distribute.Strategy`` for ``auto|cpu|gpu|mirrored|tpu|multiworker``.

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
    - ``multiworker``: ``MultiWorkerMirroredStrategy`` from a validated ``TF_CONFIG``.
      Use ``train_custom_loop`` with it: Keras' ``fit`` fails there (keras#20585).
    """
    if not isinstance(name, str) or name.strip().lower() not in STRATEGY_NAMES:
        raise ConfigError(
            f"unknown strategy {name!r}; expected one of: {', '.join(STRATEGY_NAMES)}"
        )
    name = name.strip().lower()
    if num_cpu_replicas is not None and name != "mirrored":
        raise ConfigError(
            f"num_cpu_replicas={num_cpu_replicas!r} only applies to strategy 'mirrored' "
            f"(got {name!r})"
        )
    if tpu is not None and name not in ("auto", "tpu"):
        raise ConfigError(f"tpu={tpu!r} only applies to strategies 'tpu' and 'auto'")
    tf = _tf()

    if name == "tpu":
        return _connect_tpu(tpu)
    if name == "multiworker":
        return _multiworker_strategy()
    if name == "mirrored":
        if num_cpu_replicas is not None:
            return tf.distribute.MirroredStrategy(devices=_logical_cpus(num_cpu_replicas))
        if _physical("GPU"):
            return tf.distribute.MirroredStrategy()
        cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices=cpus)
    if name == "gpu":
        gpus = _physical("GPU")
        if not gpus:
            raise ConfigError(
                f"strategy 'gpu': TensorFlow sees no GPU (devices found: {_found_devices()}); "
                "check the CUDA install / CUDA_VISIBLE_DEVICES, or use 'cpu' or 'auto'"
            )
        return _gpu_strategy(gpus)
    if name == "cpu":
        return tf.distribute.OneDeviceStrategy("/cpu:0")

    # auto
    if os.environ.get("TF_CONFIG"):
        logger.warning("TF_CONFIG is set but strategy 'auto' ignores it; use 'multiworker'")
    if _tpu_hint(tpu) is not None:
        try:
            return _connect_tpu(tpu)
        except ConfigError as exc:
            if tpu is not None:  # the caller named a TPU: do not silently fall back
                raise
            logger.info("auto: no TPU (%s); trying GPUs", exc)
    gpus = _physical("GPU")
    if gpus:
        return _gpu_strategy(gpus)
    return tf.distribute.OneDeviceStrategy("/cpu:0")


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
        # The default strategy has no device list: TF places ops on GPU:0 when one exists.
        return ["/gpu:0" if _physical("GPU") else "/cpu:0"]


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
    """``{"kind", "class", "replicas", "devices", "device_kind", "num_workers", "task_type",
    "task_id", "is_chief"}`` for logs and reports. ``kind`` is one of default, one_device,
    mirrored, multiworker, tpu (or the class name)."""
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
    """True unless ``strategy`` is multi-worker and this process is not the chief."""
    if strategy is None:
        strategy = _tf().distribute.get_strategy()
    return _worker_info(strategy)["is_chief"]


def fit_supported(strategy) -> bool:
    """Whether Keras 3 ``model.fit`` works under ``strategy`` (False for multi-worker,
    keras#20585): callers use ``train_custom_loop`` otherwise."""
    return _kind(strategy) != "multiworker"


def device_kind(strategy_or_device_kind) -> str:
    """'cpu', 'gpu' or 'tpu' for a strategy or a device-kind string."""
    value = strategy_or_device_kind
    if isinstance(value, str):
        kind = value.strip().lower()
        if kind not in DEVICE_KINDS:
            raise ConfigError(
                f"device kind {value!r}: expected one of {', '.join(DEVICE_KINDS)} "
                "or a tf.distribute.Strategy"
            )
        return kind
    if not hasattr(value, "num_replicas_in_sync"):
        raise ConfigError(
            f"expected a tf.distribute.Strategy or one of {', '.join(DEVICE_KINDS)}, "
            f"got {type(value).__name__}"
        )
    if _kind(value) == "tpu":
        return "tpu"
    devices = " ".join(_devices(value)).upper()
    if "TPU" in devices:
        return "tpu"
    return "gpu" if "GPU" in devices else "cpu"


# --------------------------------------------------------------------------------------
# Batch size and mixed precision
# --------------------------------------------------------------------------------------


def scaled_batch_size(per_replica_batch: int, strategy) -> int:
    """Global batch = per-replica batch x ``strategy.num_replicas_in_sync`` (all workers)."""
    if isinstance(per_replica_batch, bool) or not isinstance(per_replica_batch, int) \
            or per_replica_batch < 1:
        raise ConfigError(f"per_replica_batch={per_replica_batch!r}: expected an integer >= 1")
    return per_replica_batch * int(strategy.num_replicas_in_sync)


def mixed_precision_policy_for(strategy_or_device_kind) -> str:
    """``mixed_float16`` on GPU, ``mixed_bfloat16`` on TPU and CPU."""
    return _POLICY_FOR_KIND[device_kind(strategy_or_device_kind)]


def set_mixed_precision(strategy_or_device_kind) -> str:
    """Set Keras' global dtype policy for the device kind; return the policy name.

    This changes global state: prefer ``with mixed_precision_scope(...)`` where it must not
    leak (tests, libraries). Note: on CPUs without bf16 instructions (AVX512-BF16 / AMX)
    ``mixed_bfloat16`` is correct but slower than float32.
    """
    import keras

    policy = mixed_precision_policy_for(strategy_or_device_kind)
    keras.mixed_precision.set_global_policy(policy)
    return policy


@contextlib.contextmanager
def mixed_precision_scope(strategy_or_device_kind=None) -> Iterator[str]:
    """Restore Keras' global dtype policy on exit; set the device's mixed policy on entry
    when ``strategy_or_device_kind`` is given. Yields the policy name in force."""
    import keras

    previous = keras.mixed_precision.global_policy()
    try:
        if strategy_or_device_kind is None:
            yield previous.name
        else:
            yield set_mixed_precision(strategy_or_device_kind)
    finally:
        keras.mixed_precision.set_global_policy(previous)


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


def dataset_fn_from_arrays(x, y, *, global_batch_size: int, shuffle: bool = False,
                           seed: int | None = None, drop_remainder: bool = False,
                           sample_weight=None) -> Callable:
    """A ``dataset_fn(input_context)`` for ``strategy.distribute_datasets_from_function``.

    Each input pipeline (one per worker) keeps every ``num_input_pipelines``-th example
    (``shard`` before ``batch``) and batches at the per-replica size, so one step's global
    batch is the same set of examples as a single process batching at ``global_batch_size``
    (with ``shuffle=False``; with ``shuffle`` pass a ``seed`` so that workers agree).
    """
    tf = _tf()
    if isinstance(global_batch_size, bool) or not isinstance(global_batch_size, int) \
            or global_batch_size < 1:
        raise ConfigError(f"global_batch_size={global_batch_size!r}: expected an integer >= 1")
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


def _distribute(strategy, data):
    tf = _tf()
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


# --------------------------------------------------------------------------------------
# Custom training loop
# --------------------------------------------------------------------------------------


def _per_example_loss(loss):
    """A callable ``(y_true, y_pred) -> per-example losses`` (no reduction)."""
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
    if isinstance(loss, str):
        try:
            fn = keras.losses.get(loss)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"unknown loss {loss!r}") from exc
        if isinstance(fn, keras.losses.Loss):
            return _per_example_loss(fn)
        return fn
    if callable(loss):
        return loss
    raise ConfigError(f"loss={loss!r}: expected a name, a keras Loss or a function")


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
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"unknown metric {m!r}") from exc
        if not isinstance(obj, keras.metrics.Metric):
            obj = keras.metrics.MeanMetricWrapper(obj, name=name)
        out.append((name, obj))
    keys = [k for k, _ in out]
    if len(set(keys)) != len(keys) or "loss" in keys or "epoch" in keys:
        raise ConfigError(f"metric names must be unique and not 'loss'/'epoch': {keys}")
    return out


def weighted_per_example_loss(loss_fn, y, y_pred, sample_weight=None):
    """``(loss_fn(y, y_pred) * sample_weight, y_pred in float32)``: losses are computed in
    float32 even under a mixed policy (as Keras' Loss objects do), and the weights are
    broadcast over the loss's trailing axes."""
    tf = _tf()
    pred32 = tf.nest.map_structure(
        lambda t: tf.cast(t, tf.float32) if t.dtype.is_floating else t, y_pred)
    per_example = tf.cast(loss_fn(y, pred32), tf.float32)
    if sample_weight is not None:
        weights = tf.cast(sample_weight, tf.float32)
        while len(weights.shape) < len(per_example.shape):
            weights = weights[..., None]
        per_example = per_example * weights
    return per_example, pred32



def _unpack(batch):
    if isinstance(batch, (tuple, list)):
        if len(batch) == 2:
            return batch[0], batch[1], None
        if len(batch) == 3:
            return batch[0], batch[1], batch[2]
    raise ConfigError(
        "each dataset element must be (x, y) or (x, y, sample_weight), got "
        f"{type(batch).__name__}"
    )


def _clip_options(optimizer) -> dict:
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    return {k: getattr(inner, k, None) for k in ("clipnorm", "clipvalue", "global_clipnorm")}


class TrainHistory(dict):
    """Per-epoch logs (``{"epoch": [...], "loss": [...], ...}``) plus ``.model``,
    ``.optimizer``, ``.initial_epoch`` (epochs a restored checkpoint had already done),
    ``.steps`` and ``.examples`` per epoch."""

    model: Any = None
    optimizer: Any = None
    initial_epoch: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps: list[int] = []  # steps run per epoch
        self.examples: list[int] = []  # examples seen per epoch, summed over all replicas


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
) -> dict:
    """Train with ``strategy.run`` in a ``tf.function`` step; works under every strategy.

    - ``build_model_fn()`` / ``optimizer_fn()`` are called under ``strategy.scope()``; the
      model must come back built (give it a ``keras.Input``).
    - ``dataset_fn``: ``fn(input_context) -> per-replica-batched tf.data.Dataset`` (passed to
      ``distribute_datasets_from_function``; see ``dataset_fn_from_arrays``) or a
      ``tf.data.Dataset`` batched at the global size (``experimental_distribute_dataset``,
      ``AutoShardPolicy.DATA``). Elements are ``(x, y)`` or ``(x, y, sample_weight)``.
    - Loss: per-example losses, summed on each replica and divided by the *global* number of
      loss elements in the step (an all-reduced count, so a short last batch is weighted
      right: the ``tf.nn.compute_average_loss`` rule without assuming full batches); the
      optimizer sums gradients over replicas, which gives the gradient of the global mean.
      Regularization losses are scaled by ``1 / num_replicas_in_sync``.
    - ``checkpoint_dir``: the chief writes ``tf.train.CheckpointManager`` checkpoints
      (model, optimizer, epoch) after every epoch; other workers write to a temp dir that
      is deleted (all workers must take part in a save). A later call with the same
      directory restores the latest checkpoint and continues with the next epoch.
    - ``callbacks``: objects with optional ``set_model(model)``,
      ``on_train_begin(logs)``, ``on_epoch_begin(epoch, logs)``,
      ``on_epoch_end(epoch, logs)``, ``on_train_end(logs)`` (Keras callbacks qualify);
      ``model.stop_training = True`` stops after the epoch. ``epoch`` is 0-based like Keras.

    Returns a ``TrainHistory`` (a dict: ``{"epoch": [1-based epochs run], "loss": [...],
    <metric>: [...]}``, with the trained ``.model`` and ``.optimizer``, ``.initial_epoch``, and per
    epoch ``.steps`` and ``.examples`` (global));
    every worker returns the same (globally reduced) numbers.
    """
    import keras

    tf = _tf()
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ConfigError(f"epochs={epochs!r}: expected an integer >= 1")
    if steps_per_epoch is not None and (
        isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, int)
        or steps_per_epoch < 1
    ):
        raise ConfigError(f"steps_per_epoch={steps_per_epoch!r}: expected an integer >= 1")
    if seed is not None:
        keras.utils.set_random_seed(seed)
    loss_fn = _per_example_loss(loss)
    SUM = tf.distribute.ReduceOp.SUM

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
    loss_scaling = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    replicas = int(strategy.num_replicas_in_sync)
    clip = _clip_options(optimizer)
    # Keras 3 clips each replica's *local* gradients before its own all-reduce
    # (BaseOptimizer._backend_apply_gradients -> _clip_gradients -> TFOptimizer.
    # _backend_update_step -> _all_reduce_sum_gradients), so clipnorm/global_clipnorm/
    # clipvalue mean something else with several replicas. Work-around: all-reduce here,
    # clip the global gradient, hand each replica 1/replicas of it with clipping switched
    # off (the optimizer's own SUM then rebuilds the clipped global gradient).
    own_clip = replicas > 1 and any(v is not None for v in clip.values())

    def _global_clip(grads):
        if clip["clipvalue"] is not None:
            grads = [None if g is None else tf.clip_by_value(g, -clip["clipvalue"],
                                                             clip["clipvalue"])
                     for g in grads]
        if clip["clipnorm"] is not None:
            grads = [None if g is None else tf.clip_by_norm(g, clip["clipnorm"])
                     for g in grads]
        if clip["global_clipnorm"] is not None:
            present = [g for g in grads if g is not None]
            clipped, _ = tf.clip_by_global_norm(present, clip["global_clipnorm"])
            it = iter(clipped)
            grads = [None if g is None else next(it) for g in grads]
        return grads

    @contextlib.contextmanager
    def _clipping_off():
        inner = getattr(optimizer, "inner_optimizer", optimizer)
        saved = {k: getattr(inner, k) for k in clip if hasattr(inner, k)}
        try:
            for k in saved:
                setattr(inner, k, None)
            yield
        finally:
            for k, v in saved.items():
                setattr(inner, k, v)

    def replica_step(batch):
        x, y, w = _unpack(batch)
        ctx = tf.distribute.get_replica_context()
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            per_example, pred32 = weighted_per_example_loss(loss_fn, y, y_pred, w)
            local_sum = tf.reduce_sum(per_example)
            local_count = tf.cast(tf.size(per_example), tf.float32)
            global_count = tf.stop_gradient(ctx.all_reduce(SUM, local_count))
            step_loss = local_sum / tf.maximum(global_count, 1.0)
            if model.losses:
                reg = tf.add_n([tf.cast(v, tf.float32) for v in model.losses])
                step_loss += tf.nn.scale_regularization_loss(reg)
            to_differentiate = optimizer.scale_loss(step_loss) if loss_scaling else step_loss
        variables = model.trainable_variables
        grads = tape.gradient(to_differentiate, variables)
        if loss_scaling and replicas > 1:
            # LossScaleOptimizer checks *local* gradients for inf/nan before the all-reduce
            # and branches on it; replicas that disagree would take different branches
            # (one waits in the all-reduce forever). Make them agree: if any replica is
            # non-finite, all of them are.
            # (Keras' merge_call path under MirroredStrategy instead decides from replica
            # 0 alone, applying an all-reduced inf when only another replica overflowed.)
            finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(g))
                                    for g in grads if g is not None])
            bad = ctx.all_reduce(SUM, 1.0 - tf.cast(finite, tf.float32))
            grads = [None if g is None else
                     tf.where(bad < 0.5, g, tf.fill(tf.shape(g), float("nan")))
                     for g in grads]
        if own_clip:
            if loss_scaling:
                scale = tf.cast(optimizer.scale_loss(tf.constant(1.0)), tf.float32)
                grads = [None if g is None else g / scale for g in grads]
            present = [g for g in grads if g is not None]
            summed = iter(ctx.all_reduce(SUM, present))
            grads = _global_clip([None if g is None else next(summed) for g in grads])
            if loss_scaling:
                grads = [None if g is None else g * scale for g in grads]
            grads = [None if g is None else g / replicas for g in grads]
            with _clipping_off():
                optimizer.apply(grads, variables)
        else:
            optimizer.apply(grads, variables)
        for _, metric in metric_objs:
            metric.update_state(y, pred32, sample_weight=w)
        n_examples = tf.cast(tf.shape(y_pred)[0], tf.float32)
        return step_loss, n_examples

    @tf.function
    def train_step(batch):
        step_loss, n = strategy.run(replica_step, args=(batch,))
        # Sum over replicas of (local sum / global count) + reg / replicas = global loss.
        return strategy.reduce(SUM, step_loss, axis=None), strategy.reduce(SUM, n, axis=None)

    # ---- checkpoints --------------------------------------------------------------
    epoch_var = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, epoch=epoch_var)
    manager = None
    write_dir = None
    chief = is_chief(strategy)
    initial_epoch = 0
    if checkpoint_dir is not None:
        checkpoint_dir = os.fspath(checkpoint_dir)
        latest = tf.train.latest_checkpoint(checkpoint_dir)
        if latest:
            checkpoint.restore(latest).assert_existing_objects_matched()
            initial_epoch = int(epoch_var.numpy())
            logger.info("restored %s (epoch %d)", latest, initial_epoch)
        if chief:
            write_dir = checkpoint_dir
        else:
            task = _worker_info(strategy)["task_id"]
            write_dir = tempfile.mkdtemp(prefix=f"seqkit-ckpt-worker{task}-")
        manager = tf.train.CheckpointManager(checkpoint, write_dir, max_to_keep=max_to_keep)

    history = TrainHistory(epoch=[], loss=[])
    for key, _ in metric_objs:
        history[key] = []
    history.initial_epoch = initial_epoch
    callbacks = list(callbacks or ())
    model.stop_training = False
    for cb in callbacks:
        if hasattr(cb, "set_model"):
            cb.set_model(model)
        if hasattr(cb, "on_train_begin"):
            cb.on_train_begin({})

    dist_data = _distribute(strategy, dataset_fn)
    spec = getattr(dist_data, "element_spec", None)
    if spec is not None and not (isinstance(spec, (tuple, list)) and len(spec) in (2, 3)):
        raise ConfigError(
            "each dataset element must be (x, y) or (x, y, sample_weight), got "
            f"element_spec {spec}"
        )
    iterator = iter(dist_data) if steps_per_epoch is not None else None
    try:
        for epoch in range(initial_epoch, epochs):
            for cb in callbacks:
                if hasattr(cb, "on_epoch_begin"):
                    cb.on_epoch_begin(epoch, {})
            for _, metric in metric_objs:
                metric.reset_state()
            total = tf.constant(0.0)
            count = tf.constant(0.0)
            steps = 0
            if steps_per_epoch is None:
                for batch in dist_data:
                    step_loss, n = train_step(batch)
                    total += step_loss * n
                    count += n
                    steps += 1
            else:
                for _ in range(steps_per_epoch):
                    try:
                        batch = next(iterator)
                    except (StopIteration, tf.errors.OutOfRangeError):
                        logger.warning(
                            "epoch %d: data ran out after %d of %d steps; restarting it for "
                            "the next epoch (repeat() the dataset to avoid this)",
                            epoch + 1, steps, steps_per_epoch)
                        iterator = iter(dist_data)
                        break
                    step_loss, n = train_step(batch)
                    total += step_loss * n
                    count += n
                    steps += 1
            if steps == 0:
                raise ConfigError(f"epoch {epoch + 1}: the dataset produced no batches")
            logs = {"loss": float(total / count)}
            for key, metric in metric_objs:
                logs[key] = float(metric.result())
            epoch_var.assign(epoch + 1)
            if manager is not None:
                manager.save(checkpoint_number=epoch + 1)
                if not chief:
                    shutil.rmtree(write_dir, ignore_errors=True)
            history["epoch"].append(epoch + 1)
            history.steps.append(steps)
            history.examples.append(int(round(float(count))))
            for key, value in logs.items():
                history[key].append(value)
            if verbose:
                print(f"epoch {epoch + 1}/{epochs} " +
                      " ".join(f"{k}={v:.6g}" for k, v in logs.items()), flush=True)
            for cb in callbacks:
                if hasattr(cb, "on_epoch_end"):
                    cb.on_epoch_end(epoch, logs)
            if getattr(model, "stop_training", False):
                break
    finally:
        if write_dir is not None and not chief:
            shutil.rmtree(write_dir, ignore_errors=True)
    for cb in callbacks:
        if hasattr(cb, "on_train_end"):
            cb.on_train_end({})
    history.model = model
    history.optimizer = optimizer
    return history


__all__ = [
    "STRATEGY_NAMES",
    "TrainHistory",
    "describe_strategy",
    "device_kind",
    "dataset_fn_from_arrays",
    "fit_supported",
    "get_strategy",
    "is_chief",
    "mixed_precision_policy_for",
    "mixed_precision_scope",
    "parse_tf_config",
    "scaled_batch_size",
    "set_mixed_precision",
    "train_custom_loop",
]
