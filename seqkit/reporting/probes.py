"""What a measuring worker records about its process and machine: RSS and environment.

Standard library only (TensorFlow is passed in by the caller), so the worker can take the
``before_import`` reading before TensorFlow is imported.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import resource
import sys


def peak_rss() -> int:
    """Peak resident set size of this process so far, in bytes (``ru_maxrss``).

    Returns:
        Bytes (``ru_maxrss`` is KiB on Linux, bytes on macOS).

    Example:

    >>> peak_rss() > 0
    True
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def current_rss() -> int | None:
    """Resident set size now, in bytes (``/proc/self/statm``), or ``None`` off Linux.

    Returns:
        Bytes, or ``None``.

    Example:

    >>> rss = current_rss()
    >>> rss is None or rss > 0
    True
    """
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def rss_point() -> dict:
    """One reading: ``{"peak_bytes", "current_bytes"}``.

    Returns:
        :func:`peak_rss` and :func:`current_rss`.

    Example:

    >>> sorted(rss_point())
    ['current_bytes', 'peak_bytes']
    """
    return {"peak_bytes": peak_rss(), "current_bytes": current_rss()}


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``, else what ``platform`` says).

    Returns:
        E.g. ``"Intel(R) Xeon(R) CPU @ 2.20GHz"``.

    Example:

    >>> isinstance(cpu_model(), str)
    True
    """
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(tf, threads) -> dict:
    """Versions, CPU, TensorFlow thread settings and GPUs of this process.

    Args:
        tf: the imported ``tensorflow`` module.
        threads: the thread count asked for (``None``: TensorFlow's default).

    Returns:
        ``{"python", "tensorflow", "keras", "platform", "cpu_model", "cpu_count",
        "cpus_available", "threads_requested", "intra_op_threads", "inter_op_threads",
        "onednn_opts", "gpus", "keras_in_process"}``.

    Example:

    >>> import tensorflow as tf
    >>> env = environment(tf, threads=None)
    >>> env["tensorflow"] == tf.__version__, env["cpu_count"] >= 1
    (True, True)
    """
    try:
        keras_version = importlib.metadata.version("keras")
    except importlib.metadata.PackageNotFoundError:
        keras_version = None
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras_version,
        "platform": platform.platform(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_available": affinity,
        "threads_requested": threads,
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "onednn_opts": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"),
        "gpus": _gpu_names(tf),
        # TensorFlow's own import loads Keras when it is installed; the worker never
        # calls it (the SavedModel runs without Keras, see tests/serving/test_standalone).
        "keras_in_process": any(m.split(".")[0] == "keras" for m in sys.modules),
    }


def _gpu_names(tf) -> list[str]:
    gpus = []
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            details = tf.config.experimental.get_device_details(gpu)
        except Exception:  # noqa: BLE001
            details = {}
        gpus.append(details.get("device_name", gpu.name))
    return gpus
