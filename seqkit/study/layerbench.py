"""The study's layer-level section: the same cells in the Keras built-in, seqkit and PyTorch
(when importable), forward and train-step medians at the study's sizes.

This is the study's compact version of ``benchmarks/bench_layers.py`` (which has XLA,
TFLite, variants and more shapes): the same rows — model ``Input -> RNN -> Dense(1)``,
train step MSE + SGD in one ``tf.function`` (``loss.backward()`` + ``SGD.step()`` for
PyTorch), forward under ``torch.inference_mode`` — measured side by side in one process,
interleaved round-robin so load from other processes hits every row alike, each timed call
after one untimed one (bench_layers' ``--settle 1``: the previous row's thread pool, e.g.
TensorFlow's before PyTorch's, has gone idle). It answers
whether "the GRU is faster" is a property of the cell or of the kernel that runs it.
Run it in a fresh process: ``python -m seqkit.study.layerbench '{"units": [64]}'``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from seqkit.study.measure import mse_train_step

IMPLEMENTATIONS = ("keras", "seqkit", "torch")


def _tf_steps(layer, x, y):
    import keras
    import tensorflow as tf

    inputs = keras.Input(x.shape[1:])
    model = keras.Model(inputs, keras.layers.Dense(1)(layer(inputs)))
    optimizer = keras.optimizers.SGD(1e-3)
    optimizer.build(model.trainable_variables)

    @tf.function
    def forward(x):
        return model(x, training=False)

    train = mse_train_step(model, optimizer)

    return (lambda: forward(x).numpy()), (lambda: train(x, y).numpy())


def _torch_steps(torch, cell, units, x, y):
    rnn = getattr(torch.nn, cell.upper())(x.shape[2], units, batch_first=True)
    head = torch.nn.Linear(units, 1)
    params = list(rnn.parameters()) + list(head.parameters())
    optimizer = torch.optim.SGD(params, lr=1e-3)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def forward():
        with torch.inference_mode():
            return head(rnn(tx)[0][:, -1]).numpy()

    def train():
        optimizer.zero_grad()
        loss = torch.mean((head(rnn(tx)[0][:, -1]) - ty) ** 2)
        loss.backward()
        optimizer.step()
        return float(loss)

    return forward, train


def _rows(cells, units, implementations, x, y):
    import keras

    from seqkit.layers import make_rnn

    try:
        import torch
    except ImportError:
        torch = None
    builders = {"keras": lambda c, u: _tf_steps(getattr(keras.layers, c.upper())(u), x, y),
                "seqkit": lambda c, u: _tf_steps(make_rnn(c, u), x, y),
                "torch": (lambda c, u: _torch_steps(torch, c, u, x, y)) if torch else None}
    rows = []
    for impl in implementations:
        if builders.get(impl) is None:
            continue
        for u in units:
            for cell in cells:
                forward, train = builders[impl](cell, u)
                rows.append({"implementation": impl, "cell": cell, "units": u,
                             "steps": {"forward": forward, "train": train}})
    return rows, torch is not None


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
        repeats: timed calls per row and step kind (after two warm-up calls; each
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
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.random((batch, length, input_dim), dtype=np.float32)
    y = rng.random((batch, 1), dtype=np.float32)
    rows, _ = _rows(cells, units, implementations, x, y)
    times = {(i, kind): [] for i in range(len(rows)) for kind in ("forward", "train")}
    for _ in range(2):  # warm-up: tracing and first-call allocation
        for row in rows:
            row["steps"]["forward"](), row["steps"]["train"]()
    for _ in range(repeats):
        for i, row in enumerate(rows):
            for kind in ("forward", "train"):
                row["steps"][kind]()  # settle: the previous row's thread pool goes idle
                start = time.perf_counter()
                row["steps"][kind]()
                times[(i, kind)].append((time.perf_counter() - start) * 1e3)
    return [{"implementation": r["implementation"], "cell": r["cell"], "units": r["units"],
             "forward_ms": statistics.median(times[(i, "forward")]),
             "train_ms": statistics.median(times[(i, "train")]),
             "batch": batch, "length": length, "input_dim": input_dim}
            for i, r in enumerate(rows)]


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
