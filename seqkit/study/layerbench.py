"""The layer benchmark: the same cells in the Keras built-in layer, seqkit's and PyTorch's,
forward and train step, timed side by side in one process.

Written once for both of its users: the study's layer-level section (:func:`time_layers`,
in a fresh process: ``python -m seqkit.study.layerbench '{"units": [64]}'``), which answers
whether "the GRU is faster" is a property of the cell or of the kernel that runs it, and
``benchmarks/bench_layers.py``, a command line over :func:`family_rows` and
:func:`time_rows` that adds seqkit's gate variants, gate traces, XLA and TFLite rows, ops
per step, GFLOP/s and issue 13's targets.

The method:

- model ``Input -> RNN -> Dense(1)`` on fixed normal inputs; train step MSE + SGD in one
  ``tf.function`` (:func:`seqkit.study.measure.mse_train_step`); PyTorch's rows
  ``nn.LSTM``/``nn.GRU`` + ``nn.Linear``, forward under ``torch.inference_mode``, train
  step ``loss.backward()`` + ``SGD.step()``;
- every row in one process, interleaved round-robin (:func:`interleaved`) so that load
  from other processes hits every row alike, after warm-up rounds, each timed call after
  ``settle`` untimed ones (1: the previous row's thread pool, e.g. TensorFlow's before
  PyTorch's, has gone idle; without it the row after a torch row is ~20% slower).

Example:

>>> rows = time_layers(cells=("gru",), units=(4,), batch=2, length=3, input_dim=2,
...                    repeats=1, implementations=("seqkit",))
>>> [(r["implementation"], r["cell"], r["units"], r["forward_ms"] > 0) for r in rows]
[('seqkit', 'gru', 4, True)]
"""

from __future__ import annotations

import functools
import json
import os
import statistics
import sys
import time

from seqkit.study.measure import mse_train_step

IMPLEMENTATIONS = ("keras", "seqkit", "torch")
KINDS = ("forward", "train")

#: family -> its Keras built-in (label, keras.layers class), seqkit rows (label, make_rnn
#: name), other built-ins with a variant's math (label, variant, class, arguments), the
#: gate-trace cell, the torch module, and the seqkit rows that also get XLA / TFLite rows
FAMILIES = {
    "lstm": {
        "builtin": ("keras LSTM", "LSTM"),
        "seqkit": [("seqkit lstm", "lstm"), ("seqkit peephole", "peephole"),
                   ("seqkit cifg", "cifg"), ("seqkit layernorm_lstm", "layernorm_lstm")],
        "other_builtins": [],
        "trace": "lstm",
        "torch": "LSTM",
        "xla": ["lstm", "layernorm_lstm"],
        "tflite": ["lstm"],
    },
    "gru": {
        "builtin": ("keras GRU", "GRU"),
        "seqkit": [("seqkit gru", "gru"), ("seqkit gru_reset_before", "gru_reset_before"),
                   ("seqkit layernorm_gru", "layernorm_gru")],
        # the built-in with the same math as a variant: that variant's ratios use it
        "other_builtins": [("keras GRU reset_after=False", "gru_reset_before", "GRU",
                            {"reset_after": False})],
        "trace": "gru",
        "torch": "GRU",
        "xla": ["gru", "layernorm_gru"],
        "tflite": ["gru"],
    },
}


class Row:
    """One benchmark row: a label, what it runs, its forward/train callables and, for a TF
    graph, the ops per step of its while loops.

    Args:
        label: the row's name in tables (unique within a measurement).
        path: what runs it (e.g. ``"Keras generic loop (TF graph)"``).
        forward: a callable timed as the forward pass, or None.
        train: a callable timed as one train step, or None.
        seqkit: whether the row runs seqkit's layer.
        note: a remark printed under the table, or None.
        baseline: the label of the built-in row its ratios use (None: the family's first).
        ops: ``{"forward": [body ops], "train": [forward body, gradient body]}``.

    Example:

    >>> row = Row("r", "a constant", forward=lambda: 1.0)
    >>> row.label, row.train, row.ops
    ('r', None, {})
    """

    def __init__(self, label, path, forward=None, train=None, seqkit=False, note=None,
                 baseline=None, ops=None):
        self.label, self.path = label, path
        self.forward, self.train = forward, train
        self.seqkit = seqkit
        self.note = note
        self.baseline = baseline
        self.ops = ops or {}


def finish(value):
    """Block until ``value`` (a TF/torch tensor, NumPy array or nest of them) is computed.

    Args:
        value: what a timed call returned.

    Returns:
        ``value`` (None for a list or tuple).

    Example:

    >>> finish(2.0), finish([1, 2])
    (2.0, None)
    """
    if isinstance(value, (list, tuple)):
        for v in value:
            finish(v)
        return
    if hasattr(value, "detach"):  # torch: CPU ops have finished when they return
        return value
    if hasattr(value, "numpy"):
        value.numpy()
    return value


def interleaved(fns: dict, repeats: int, warmup: int = 2, settle: int = 0,
                clock: str = "wall") -> dict:
    """``{name: [ms, ...]}``: every function called ``repeats`` times, round-robin.

    Args:
        fns: ``{name: callable}``, called in this order in every round.
        repeats: timed calls per function.
        warmup: untimed rounds first.
        settle: untimed calls of a function right before each of its timed calls (lets
            thread pools of another library go idle first).
        clock: ``"wall"`` (``time.perf_counter``) or ``"cpu"`` (the process's CPU time,
            steadier on a shared CPU; it counts every thread's spinning too).

    Returns:
        The milliseconds of each timed call, per name.

    Example:

    >>> calls = []
    >>> times = interleaved({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
    ...                     repeats=2, warmup=1)
    >>> "".join(calls), [len(v) for v in times.values()]
    ('ababab', [2, 2])
    """
    now = time.perf_counter if clock == "wall" else time.process_time
    for _ in range(warmup):
        for fn in fns.values():
            finish(fn())
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            for _ in range(settle):
                finish(fn())
            start = now()
            finish(fn())
            times[name].append((now() - start) * 1e3)
    return times


def time_rows(rows: list[Row], repeats: int, settle: int = 1, clock: str = "wall") -> dict:
    """Every row's forward and train step, interleaved (:func:`interleaved`).

    Args:
        rows: the rows, timed in this order (forward then train within a row).
        repeats: timed calls per row and kind.
        settle: untimed calls before each timed one.
        clock: ``"wall"``, or ``"cpu"`` (then one warm-up round instead of two).

    Returns:
        ``{(label, "forward" | "train"): [ms, ...]}`` for what each row has.

    Example:

    >>> times = time_rows([Row("r", "a constant", forward=lambda: 1.0)], repeats=3)
    >>> list(times), len(times[("r", "forward")])
    ([('r', 'forward')], 3)
    """
    fns = {(row.label, kind): getattr(row, kind) for row in rows for kind in KINDS
           if getattr(row, kind) is not None}
    return interleaved(fns, repeats, warmup=2 if clock == "wall" else 1, settle=settle,
                       clock=clock)


def _while_body_ops(concrete) -> list[int]:
    """Nodes per ``While`` body in a traced graph (``Const``/``Identity``/``NoOp`` left out),
    outer loops first: what one time step runs."""
    graph_def = concrete.graph.as_graph_def()
    library = {f.signature.name: f for f in graph_def.library.function}
    counts = []

    def visit(nodes):
        for node in nodes:
            if node.op in ("While", "StatelessWhile"):
                body = library[node.attr["body"].func.name]
                counts.append(sum(n.op not in ("Const", "Identity", "NoOp")
                                  for n in body.node_def))
                visit(body.node_def)

    visit(graph_def.node)
    return counts


def _inputs(shape):
    import numpy as np

    batch, steps, features, _ = shape
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, steps, features)).astype("float32")
    y = rng.normal(size=(batch, 1)).astype("float32")
    return x, y


def _build_model(layer, shape):
    import keras

    _, steps, features, _ = shape
    inp = keras.Input((steps, features))
    return keras.Model(inp, keras.layers.Dense(1)(layer(inp)))


def _tf_row(label, path, layer, shape, x, y, *, jit_compile=False, **row):
    """A row of a Keras model on fixed inputs: compiled forward and train step (traced,
    and compiled, outside the timed loop) and their ops per step."""
    import keras
    import tensorflow as tf

    model = _build_model(layer, shape)
    optimizer = keras.optimizers.SGD(1e-4)
    optimizer.build(model.trainable_variables)
    x, y = tf.constant(x), tf.constant(y)

    @tf.function(jit_compile=jit_compile)
    def forward():
        return model(x, training=False)

    step = mse_train_step(model, optimizer, jit_compile=jit_compile)
    train = functools.partial(step, x, y)
    forward(), train()
    ops = {"forward": _while_body_ops(forward.get_concrete_function()),
           "train": _while_body_ops(step.get_concrete_function(x, y))}
    return Row(label, path, forward, train, ops=ops, **row)


def _tflite_row(label, layer, shape, x):
    """A ``tf.lite.Interpreter`` (XNNPACK) forward row at the fixed shape of ``x``; its note
    gives the largest absolute difference to the Keras model's output."""
    import numpy as np
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    model = _build_model(layer, shape)
    fn = tf.function(lambda a: model(a, training=False),
                     input_signature=[tf.TensorSpec(x.shape, tf.float32)])
    frozen = convert_variables_to_constants_v2(fn.get_concrete_function())
    converter = tf.lite.TFLiteConverter.from_concrete_functions([frozen], model)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    interpreter = tf.lite.Interpreter(model_content=converter.convert(),
                                      num_threads=os.cpu_count())
    interpreter.allocate_tensors()
    in_index = interpreter.get_input_details()[0]["index"]
    out_index = interpreter.get_output_details()[0]["index"]

    def forward():
        interpreter.set_tensor(in_index, x)
        interpreter.invoke()
        return interpreter.get_tensor(out_index)

    diff = float(np.abs(forward() - model(x, training=False).numpy()).max())
    return Row(label, "TFLite WHILE, XNNPACK", forward=forward, seqkit=True,
               note=f"max |TFLite - Keras| = {diff:.1e}")


def _torch_row(label, torch, module_name, shape, x, y):
    """``torch.nn.LSTM/GRU`` (oneDNN) + ``nn.Linear``: forward under ``inference_mode``,
    train step MSE + SGD."""
    _, _, features, units = shape
    torch.manual_seed(0)
    rnn = getattr(torch.nn, module_name)(features, units, batch_first=True)
    head = torch.nn.Linear(units, 1)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    optimizer = torch.optim.SGD([*rnn.parameters(), *head.parameters()], lr=1e-4)

    def forward():
        with torch.inference_mode():
            out, _ = rnn(tx)
            return head(out[:, -1])

    def train():
        optimizer.zero_grad(set_to_none=True)
        out, _ = rnn(tx)
        loss = ((head(out[:, -1]) - ty) ** 2).mean()
        loss.backward()
        optimizer.step()
        return loss

    return Row(label, "PyTorch oneDNN", forward, train)


def _builtin_layer(class_name, units, **kwargs):
    import keras

    return getattr(keras.layers, class_name)(units, **kwargs)


def _seqkit_row(label, name, shape, x, y, **row):
    from seqkit.layers import make_rnn

    layer = make_rnn(name, shape[3])
    row = _tf_row(label, None, layer, shape, x, y, seqkit=True, **row)
    row.path = f"seqkit {layer.execution_path()} (TF graph)"  # once built, in its model
    return row


def family_rows(family: str, shape, *, xla: bool = False, tflite: bool = False,
                torch=None) -> list[Row]:
    """``benchmarks/bench_layers.py``'s rows of one cell family at one shape: the Keras
    built-in (first: the ratios' reference), seqkit's fast path and variants, its gate
    trace, optional XLA and TFLite rows, and PyTorch's.

    Args:
        family: a :data:`FAMILIES` key.
        shape: ``(batch, steps, features, units)``.
        xla: add ``jit_compile=True`` rows.
        tflite: add TFLite (LiteRT, XNNPACK) forward rows.
        torch: the ``torch`` module for PyTorch's row, or None.

    Returns:
        The rows, in the order they are timed.

    Example:

    >>> [r.label for r in family_rows("gru", (2, 3, 2, 4))]  # doctest: +NORMALIZE_WHITESPACE
    ['keras GRU', 'keras GRU reset_after=False', 'seqkit gru', 'seqkit gru_reset_before',
     'seqkit layernorm_gru', 'seqkit gru gate trace']
    """
    import tensorflow as tf

    from seqkit.layers import make_rnn

    spec, units = FAMILIES[family], shape[3]
    x, y = _inputs(shape)
    label, class_name = spec["builtin"]
    generic = "Keras generic loop (TF graph)"
    rows = [_tf_row(label, generic, _builtin_layer(class_name, units), shape, x, y)]
    baselines = {}
    for label, variant, class_name, kwargs in spec["other_builtins"]:
        rows.append(_tf_row(label, generic, _builtin_layer(class_name, units, **kwargs),
                            shape, x, y))
        baselines[variant] = label
    for label, name in spec["seqkit"]:
        rows.append(_seqkit_row(label, name, shape, x, y, baseline=baselines.get(name),
                                note=baselines.get(name) and
                                f"/ built-in = / {baselines[name]}"))
    layer, tx = make_rnn(spec["trace"], units), tf.constant(x)
    _build_model(layer, shape)
    rows.append(Row(f"seqkit {spec['trace']} gate trace", "trace_gates() -> NumPy",
                    forward=lambda: layer.trace_gates(tx)["h"], seqkit=True))
    if xla:
        label, class_name = spec["builtin"]
        rows.append(_tf_row(f"{label} XLA", "Keras generic loop, jit_compile",
                            _builtin_layer(class_name, units), shape, x, y,
                            jit_compile=True))
        rows += [_tf_row(f"seqkit {name} XLA", "seqkit explicit, jit_compile",
                         make_rnn(name, units), shape, x, y, jit_compile=True, seqkit=True)
                 for name in spec["xla"]]
    if tflite:
        rows += [_tflite_row(f"seqkit {name} TFLite", make_rnn(name, units), shape, x)
                 for name in spec["tflite"]]
    if torch is not None:
        rows.append(_torch_row(f"torch {spec['torch']}", torch, spec["torch"], shape, x, y))
    return rows


def matmul_gflop(family: str, shape, kind: str) -> float:
    """The built-in layer's matmul GFLOP for one call: ``2·B·T·(I+H)·g·H`` with ``g`` = 4
    (LSTM) / 3 (GRU) gate blocks, ×3 for a train step (forward + 2 for the gradients).

    Args:
        family: ``"lstm"`` or ``"gru"``.
        shape: ``(batch, steps, features, units)``.
        kind: ``"forward"`` or ``"train"``.

    Returns:
        GFLOP per call.

    Example:

    >>> matmul_gflop("gru", (1, 1, 1, 1), "forward") * 1e9
    12.0
    >>> matmul_gflop("lstm", (1, 1, 1, 1), "train") * 1e9
    48.0
    """
    batch, steps, features, units = shape
    blocks = 4 if family == "lstm" else 3
    return 2 * batch * steps * (features + units) * blocks * units * (
        3 if kind == "train" else 1) / 1e9


def matmul_peak(torch=None, size: int = 2048, repeats: int = 7) -> dict:
    """Median fp32 GFLOP/s of ``size``² matmuls (TF, and torch when given), interleaved.

    Args:
        torch: the ``torch`` module, or None.
        size: the square matrices' side.
        repeats: timed calls per library.

    Returns:
        ``{"tf": GFLOP/s[, "torch": GFLOP/s]}``.

    Example:

    >>> list(matmul_peak(size=8, repeats=1))
    ['tf']
    """
    import tensorflow as tf

    a = tf.random.normal((size, size))
    fns = {"tf": tf.function(lambda: tf.matmul(a, a))}
    if torch is not None:
        b = torch.randn(size, size)
        fns["torch"] = lambda: torch.mm(b, b)
    times = interleaved(fns, repeats)
    return {k: round(2 * size**3 / statistics.median(v) / 1e6, 1) for k, v in times.items()}


def _study_rows(cells, units, implementations, shape_of):
    """The study's rows: per implementation, size and cell (in that order), Keras'
    built-in, seqkit's layer and PyTorch's module (left out when not importable)."""
    try:
        import torch
    except ImportError:
        torch = None
    rows, labels = [], {}
    for impl in implementations:
        if impl == "torch" and torch is None:
            continue
        for u in units:
            shape = shape_of(u)
            x, y = _inputs(shape)
            for cell in cells:
                label = f"{impl} {cell} {u}u"
                if impl == "keras":
                    row = _tf_row(label, "keras", _builtin_layer(cell.upper(), u), shape, x, y)
                elif impl == "seqkit":
                    row = _seqkit_row(label, cell, shape, x, y)
                else:
                    row = _torch_row(label, torch, cell.upper(), shape, x, y)
                rows.append(row)
                labels[label] = (impl, cell, u)
    return rows, labels


def time_layers(cells=("lstm", "gru"), units=(64,), *, batch: int = 64, length: int = 100,
                input_dim: int = 64, repeats: int = 5,
                implementations=IMPLEMENTATIONS) -> list[dict]:
    """Median forward and train-step milliseconds of each (implementation, cell, units).

    Args:
        cells: ``"lstm"`` and/or ``"gru"``.
        units: the sizes.
        batch: examples per call.
        length: time steps.
        input_dim: features per step.
        repeats: timed calls per row and step kind (after two warm-up rounds; each
            timed call follows one untimed settle call).
        implementations: some of :data:`IMPLEMENTATIONS`; ``"torch"`` is left out when
            PyTorch is not importable.

    Returns:
        Rows ``{"implementation", "cell", "units", "forward_ms", "train_ms", "batch",
        "length", "input_dim"}``.

    Example:

    >>> rows = time_layers(units=(4,), batch=2, length=3, input_dim=2, repeats=1,
    ...                    implementations=("keras",))
    >>> [(r["implementation"], r["cell"], r["units"]) for r in rows]
    [('keras', 'lstm', 4), ('keras', 'gru', 4)]
    """
    rows, labels = _study_rows(cells, units, implementations,
                               lambda u: (batch, length, input_dim, u))
    times = time_rows(rows, repeats, settle=1)
    return [{"implementation": impl, "cell": cell, "units": u,
             "forward_ms": statistics.median(times[(label, "forward")]),
             "train_ms": statistics.median(times[(label, "train")]),
             "batch": batch, "length": length, "input_dim": input_dim}
            for label, (impl, cell, u) in labels.items()]


def gru_over_lstm(rows: list[dict]) -> list[dict]:
    """GRU/LSTM ratios of forward and train medians per (implementation, units).

    Args:
        rows: :func:`time_layers`' rows.

    Returns:
        ``{"implementation", "units", "forward_ratio", "train_ratio"}`` rows.

    Example:

    >>> rows = [{"implementation": "keras", "cell": c, "units": 8, "forward_ms": f,
    ...          "train_ms": 2 * f} for c, f in (("lstm", 4.0), ("gru", 3.0))]
    >>> gru_over_lstm(rows)
    [{'implementation': 'keras', 'units': 8, 'forward_ratio': 0.75, 'train_ratio': 0.75}]
    """
    by = {(r["implementation"], r["units"], r["cell"]): r for r in rows}
    out = []
    for (impl, u, cell), gru in by.items():
        lstm = by.get((impl, u, "lstm"))
        if cell == "gru" and lstm:
            out.append({"implementation": impl, "units": u,
                        "forward_ratio": gru["forward_ms"] / lstm["forward_ms"],
                        "train_ratio": gru["train_ms"] / lstm["train_ms"]})
    return out


if __name__ == "__main__":  # python -m seqkit.study.layerbench OPTIONS_JSON
    options = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    print("SEQKIT_LAYERBENCH " + json.dumps(time_layers(**options)), flush=True)
