"""Choosing a ``tf.distribute.Strategy`` by name: ``get_strategy`` and one builder per
name (TPU, GPUs, mirrored over GPUs or logical CPUs, multi-worker from ``TF_CONFIG``)."""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import socket
from collections.abc import Iterator

from seqkit.distribute.tf_config import parse_tf_config
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
