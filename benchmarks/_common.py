"""Shared helpers for the benchmark scripts: machine description, interleaved timing,
tables and JSON output. Pure Python on top of TensorFlow; PyTorch is optional.

Timing rule for this repository (shared, noisy CPU machines): every row of a table is
measured in the same process, round-robin (row 1, row 2, ..., row 1, row 2, ...), so that
load from other processes hits every row alike; tables report medians and ratios.
``interleaved`` and ``finish`` are :mod:`seqkit.study.layerbench`'s.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# benchmarks time fits: no TensorBoard logs unless asked (SEQKIT_TENSORBOARD=1)
os.environ.setdefault("SEQKIT_TENSORBOARD", "0")
warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")

# the round-robin timer, written once (the layer benchmark's, which the study also runs)
from seqkit.study.layerbench import finish, interleaved  # noqa: E402, F401


def try_import_torch():
    """``torch`` when installed (a benchmark-only dependency), else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cpu_flags() -> list[str]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_tile")
                            if f in flags]
    except OSError:
        pass
    return []


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def machine() -> dict:
    """What ran the benchmark: CPU, cores, memory, load, library versions."""
    import keras
    import numpy as np
    import tensorflow as tf

    torch = try_import_torch()
    try:
        load = [round(v, 2) for v in os.getloadavg()]
    except OSError:
        load = None
    return {
        "cpu": _cpu_model(),
        "cpu_flags": _cpu_flags(),
        "logical_cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "load_average_at_start": load,
        "gpu": [d.name for d in tf.config.list_logical_devices("GPU")] or None,
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "numpy": np.__version__,
        "torch": torch.__version__ if torch else None,
        "torch_threads": torch.get_num_threads() if torch else None,
    }


def machine_line(info: dict) -> str:
    flags = "/".join(info["cpu_flags"]) or "-"
    torch = f"torch {info['torch']} ({info['torch_threads']} threads)" if info["torch"] \
        else "torch not installed"
    return (f"machine: {info['cpu']} ({flags}), {info['logical_cores']} logical cores, "
            f"{info['memory_gib']} GiB, GPU: {info['gpu'] or 'none'}, load average "
            f"{info['load_average_at_start']}; Python {info['python']}, TF "
            f"{info['tensorflow']}, Keras {info['keras']} ({info['keras_backend']}), {torch}")


def median(values) -> float:
    return statistics.median(values)


def summary(values) -> dict:
    """Median, min and the 10th/90th percentiles (ms) of a list of timings."""
    ordered = sorted(values)
    n = len(ordered)
    return {"median_ms": round(statistics.median(ordered), 3),
            "min_ms": round(ordered[0], 3),
            "p10_ms": round(ordered[int(0.1 * (n - 1))], 3),
            "p90_ms": round(ordered[int(0.9 * (n - 1))], 3),
            "n": n}


def markdown_table(headers: list[str], rows: list[list], align: str | None = None) -> str:
    """A Markdown table; ``align`` like ``"llrr"`` (default: first column left, rest right)."""
    align = align or "l" + "r" * (len(headers) - 1)
    spec = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(spec) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def fmt_ratio(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def write_json(path: str, payload: dict) -> None:
    with open(path, "w") as f:
        json.dump(payload, f, indent=2)
        f.write("\n")
    print(f"wrote {path}")


def parse_shape(text: str) -> tuple[int, int, int, int]:
    """``"64x100x64x128"`` → (batch, steps, features, units)."""
    parts = tuple(int(v) for v in text.lower().split("x"))
    if len(parts) != 4:
        raise SystemExit(f"shape must be BxTxIxH, got {text!r}")
    return parts


def mse_train_step(model, optimizer, x, y, jit_compile=False):
    """A compiled train step (MSE loss, ``optimizer.apply``) on fixed inputs, the one every
    benchmark times or measures."""
    import tensorflow as tf

    @tf.function(jit_compile=jit_compile)
    def train():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        return loss

    return train
