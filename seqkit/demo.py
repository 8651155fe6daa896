"""A two-minute tour of seqkit's layers on synthetic data (``make demo`` until recipes land).

Shows: the explicit LSTM/GRU equal Keras' built-ins weight for weight, which path each
layer takes, the GRU/LSTM parameter ratio, a gate variant training on a memory task,
and a gate-trace heatmap.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import seqkit  # noqa: E402
from seqkit.layers import count_rnn, make_rnn  # noqa: E402


def memory_task(n=2000, steps=10, seed=0):
    """Label = sign of the first step's first feature; the rest is noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, steps, 3)).astype("float32")
    return x, (x[:, 0, 0] > 0).astype("int32")


def main(out_dir="runs/demo"):
    os.makedirs(out_dir, exist_ok=True)
    keras.utils.set_random_seed(0)
    x, y = memory_task()
    print("1. Same weights, same math as Keras")
    for name, builtin in (("lstm", keras.layers.LSTM(32)), ("gru", keras.layers.GRU(32))):
        ours = make_rnn(name, 32)
        builtin(x[:8])
        ours(x[:8])
        ours.set_weights(builtin.get_weights())
        diff = np.abs(np.asarray(ours(x[:8])) - np.asarray(builtin(x[:8]))).max()
        print(f"   {name}: max |seqkit - keras| = {diff:.1e}; path here: "
              f"{ours.execution_path()}")
    lstm, gru = count_rnn(make_rnn("lstm", 128), 64), count_rnn(make_rnn("gru", 128), 64)
    print(f"2. Parameters at 128 units, 64 inputs: LSTM {lstm['params']:,}, GRU "
          f"{gru['params']:,} (GRU/LSTM = {gru['params'] / lstm['params']:.3f})")
    print("3. Train three cells on a task that needs memory (first step decides the label)")
    models = {}
    for cell in ("lstm", "gru", "cifg"):
        inp = keras.Input((None, 3))
        out = keras.layers.Dense(2, activation="softmax")(make_rnn(cell, 16)(inp))
        model = keras.Model(inp, out)
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x[:1600], y[:1600], epochs=10, batch_size=32, verbose=0)
        acc = model.evaluate(x[1600:], y[1600:], verbose=0)[1]
        print(f"   {cell:5s} test accuracy {acc:.3f}")
        models[cell] = model
    trace = seqkit.trace_gates(models["lstm"], x[1600:1604])
    png = seqkit.plot_gate_trace(trace, os.path.join(out_dir, "lstm_gates.png"))
    print(f"4. Gate trace of the LSTM: {trace.names}, each {trace['i'].shape}; heatmap {png}")


if __name__ == "__main__":
    main()
