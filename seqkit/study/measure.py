"""What one (task, cell, size, seed) process of the study measures, besides the task metric.

- **Counts** (:func:`model_counts`): the model's parameters and parameter bytes, and the
  recurrent layers' parameters and multiply-adds per step
  (:func:`seqkit.layers.factory.count_rnn`: kernel and recurrent-kernel matmuls, one
  example, one step).
- **Steady-state throughput** (:func:`steady_state`): from the fit's epoch wall times
  (:class:`seqkit.fit.train.TimingCallback`, validation pass included), the median over
  the epochs *after the first* — the first one also traces and compiles the step
  function, reported apart as ``first_epoch_extra_s`` — divided by the optimizer steps of
  an epoch (``timing["steps_run"] / timing["epochs_run"]``).
- **Training activation memory** (:func:`activation_memory`): the cell alone (one layer, a
  Dense head, Adam) at a batch and length where activations dominate. The step function is
  traced first on a tiny batch, so the variables, optimizer slots and graph already exist;
  then the peak resident set (Linux ``VmHWM``) is reset (``echo 5 >
  /proc/self/clear_refs``, proc(5)), the current resident set is the baseline, one training
  step runs, and the peak above the baseline is the memory the step's activations,
  gradients and temporaries took. With a GPU, the same with
  ``tf.config.experimental.reset_memory_stats`` / ``get_memory_info``'s ``peak``.
- **Its analytic estimate** (:func:`training_activation_estimate`): the values a textbook
  backward pass through time keeps per step and example (see there), × B × T × 4 bytes.
  :func:`seqkit.reporting.estimates.activation_estimate` is the serving-side counterpart
  (live state only, nothing kept for a backward pass).

Example:

>>> from seqkit.study.measure import steady_state, training_activation_estimate
>>> t = steady_state({"epoch_seconds": [9.0, 2.0, 2.2, 2.1], "epochs_run": 4,
...                   "steps_run": 40, "train_examples": 320})
>>> t["steady_epoch_s"], round(t["s_per_step"], 6), t["first_epoch_extra_s"]
(2.1, 0.21, 6.9)
>>> training_activation_estimate("gru", 10, input_dim=2, batch=4, length=5)["bytes"]
4160
"""

from __future__ import annotations

import gc
import os
import re
import statistics
from pathlib import Path

from seqkit.validation import check_int

#: values kept per step and example for the backward pass, in units of ``units``
KEPT_PER_STEP = {"lstm": 7, "gru": 5}


def steady_state(timing: dict) -> dict:
    """Steady-state throughput from ``FitResult.timing``, the first epoch left out.

    Args:
        timing: with ``epoch_seconds`` (one wall time per epoch), ``epochs_run``,
            ``steps_run`` and ``train_examples``.

    Returns:
        ``{"steady_epoch_s", "s_per_step", "examples_per_s", "first_epoch_extra_s",
        "steps_run", "epochs_run"}``; the first three are None with fewer than two epochs
        (no epoch free of tracing).

    Example:

    >>> steady_state({"epoch_seconds": [5.0], "epochs_run": 1, "steps_run": 3})["s_per_step"]
    """
    secs = list(timing.get("epoch_seconds") or [])
    epochs, steps = timing.get("epochs_run") or len(secs), timing.get("steps_run")
    out = {"steady_epoch_s": None, "s_per_step": None, "examples_per_s": None,
           "first_epoch_extra_s": None, "steps_run": steps, "epochs_run": epochs}
    if len(secs) < 2:
        return out
    steady = statistics.median(secs[1:])
    out["steady_epoch_s"] = steady
    out["first_epoch_extra_s"] = secs[0] - steady
    if steps and epochs:
        out["s_per_step"] = steady / (steps / epochs)
    if timing.get("train_examples"):
        out["examples_per_s"] = timing["train_examples"] / steady
    return out


def model_counts(model) -> dict:
    """Parameters, parameter bytes and the recurrent layers' counts of a built model.

    Args:
        model: a built Keras model.

    Returns:
        ``{"params", "param_bytes", "rnn_params", "macs_per_step", "rnn_units",
        "rnn_input_dim"}`` (the last two of the first recurrent layer).

    Example:

    >>> import keras
    >>> from seqkit.layers import make_rnn
    >>> x = keras.Input((5, 3))
    >>> m = keras.Model(x, keras.layers.Dense(1)(make_rnn("gru", 4)(x)))
    >>> c = model_counts(m)
    >>> c["params"], c["rnn_params"], c["macs_per_step"], c["param_bytes"]
    (113, 108, 84, 452)
    """
    from seqkit.layers.factory import count_rnn
    from seqkit.layers.walk import rnn_layers

    counts = [count_rnn(layer) for layer in rnn_layers(model)]
    param_bytes = sum(int(w.shape.num_elements() if hasattr(w.shape, "num_elements")
                          else _size(w.shape)) * _itemsize(w.dtype) for w in model.weights)
    return {"params": int(model.count_params()), "param_bytes": param_bytes,
            "rnn_params": sum(c["params"] for c in counts),
            "macs_per_step": sum(c["matmul_macs_per_step"] for c in counts),
            "rnn_units": counts[0]["units"] if counts else None,
            "rnn_input_dim": counts[0]["input_dim"] if counts else None}


def _size(shape) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n


def _itemsize(dtype) -> int:
    import numpy as np

    return np.dtype(str(dtype).replace("<dtype: '", "").rstrip("'>")).itemsize


def training_activation_estimate(family: str, units: int, *, input_dim: int, batch: int,
                                 length: int, dtype_bytes: int = 4) -> dict:
    """Values a backward pass through time keeps, per the textbook step equations.

    Per step and example: the input (``d``), and for the LSTM the gates i, f, g, o, the
    cell state c, tanh(c) and h (7·u); for the GRU (``reset_after``) z, r, the recurrent
    candidate term ``h·U_h``, the candidate h̃ and h (5·u). Total ``B·T·(d + k·u)·bytes``.
    A lower bound: the loop's own temporaries and the gradient buffers come on top.

    Args:
        family: ``"lstm"`` or ``"gru"``.
        units: the layer's units.
        input_dim: features per step.
        batch: examples per step.
        length: time steps.
        dtype_bytes: bytes per value.

    Returns:
        ``{"bytes", "mb", "per_step_values"}``.

    Example:

    >>> training_activation_estimate("lstm", 10, input_dim=2, batch=4, length=5)["bytes"]
    5760
    """
    per_step = input_dim + KEPT_PER_STEP[family] * units
    total = batch * length * per_step * dtype_bytes
    return {"bytes": total, "mb": total / 2**20, "per_step_values": per_step}


def _status_kb(key: str) -> int | None:
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(rf"^{key}:\s+(\d+)\s+kB", text, re.M)
    return int(found.group(1)) if found else None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def mse_train_step(model, optimizer, input_signature=None, jit_compile: bool = False):
    """One compiled training step on the mean squared error (what the study times and
    probes, and the layer benchmark times: the same step for every cell).

    Args:
        model: a built ``keras.Model``.
        optimizer: a Keras optimizer built on the model's trainable variables.
        input_signature: ``tf.function``'s, or None.
        jit_compile: ``tf.function``'s (XLA).

    Returns:
        ``train_step(x, y) -> loss``, a ``tf.function``.

    Example:

    >>> import keras, numpy as np
    >>> inputs = keras.Input((3,)); model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    >>> opt = keras.optimizers.SGD(0.1); opt.build(model.trainable_variables)
    >>> step = mse_train_step(model, opt)
    >>> x, y = np.ones((4, 3), "float32"), np.zeros((4, 1), "float32")
    >>> bool(step(x, y) >= step(x, y))  # the loss does not grow on a fixed batch
    True
    """
    import tensorflow as tf

    @tf.function(input_signature=input_signature, jit_compile=jit_compile)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    return train_step


def activation_memory(cell: str, units: int, *, input_dim: int = 32, batch: int = 64,
                      length: int = 200, seed: int = 0) -> dict:
    """Peak memory of one training step of ``cell`` above the process's baseline with the
    model built and its step traced (module docstring), beside the analytic estimate.

    Args:
        cell: a :data:`seqkit.layers.VARIANTS` name.
        units: the layer's units.
        input_dim: features per step.
        batch: examples in the step.
        length: time steps.
        seed: random seed of the weights and inputs.

    Returns:
        ``{"measured_mb" (None where /proc cannot reset the peak), "estimate_mb",
        "measured_over_estimate", "gpu_peak_mb" (None without a GPU), "batch", "length",
        "input_dim"}``.

    Example:

    >>> m = activation_memory("gru", 4, input_dim=2, batch=2, length=3)
    >>> m["estimate_mb"] == 2 * 3 * (2 + 5 * 4) * 4 / 2**20
    True
    """
    import keras
    import numpy as np
    import tensorflow as tf

    from seqkit.layers import make_rnn
    from seqkit.layers.factory import cell_family

    units, batch, length = (check_int(n, v) for n, v in
                            (("units", units), ("batch", batch), ("length", length)))
    keras.utils.set_random_seed(seed)
    layer = make_rnn(cell, units)
    inputs = keras.Input((None, input_dim))
    model = keras.Model(inputs, keras.layers.Dense(1)(layer(inputs)))
    optimizer = keras.optimizers.Adam()
    optimizer.build(model.trainable_variables)
    spec = [tf.TensorSpec([None, None, input_dim]), tf.TensorSpec([None, 1])]

    train_step = mse_train_step(model, optimizer, input_signature=spec)

    rng = np.random.default_rng(seed)
    train_step(rng.random((2, 3, input_dim), "float32"), np.zeros((2, 1), "float32"))
    x = rng.random((batch, length, input_dim), "float32")
    y = rng.random((batch, 1), "float32")
    gpus = tf.config.list_physical_devices("GPU")
    gc.collect()
    if gpus:
        tf.config.experimental.reset_memory_stats("GPU:0")
        gpu_base = tf.config.experimental.get_memory_info("GPU:0")["current"]
    can_reset = _reset_peak()
    base_kb = _status_kb("VmRSS")
    train_step(x, y).numpy()
    peak_kb = _status_kb("VmHWM")
    measured = (peak_kb - base_kb) / 1024 if can_reset and base_kb and peak_kb else None
    gpu_mb = ((tf.config.experimental.get_memory_info("GPU:0")["peak"] - gpu_base) / 2**20
              if gpus else None)
    estimate = training_activation_estimate(cell_family(layer), units, input_dim=input_dim,
                                            batch=batch, length=length)["mb"]
    return {"measured_mb": measured, "estimate_mb": estimate,
            "measured_over_estimate": measured / estimate if measured else None,
            "gpu_peak_mb": gpu_mb, "batch": batch, "length": length,
            "input_dim": input_dim, "pid": os.getpid()}
