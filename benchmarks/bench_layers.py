"""Forward and train-step time: Keras built-in vs seqkit (built-in math) vs seqkit variants.

Everything is measured side by side in one run, interleaved round-robin so that machine
noise hits every row alike; the table gives medians and ratios to the built-in layer of
the same family.

    python benchmarks/bench_layers.py                    # B=64 T=100 I=64 H=128 and a larger shape
    python benchmarks/bench_layers.py --shapes 64x100x64x128 --repeats 30 --json out.json

Paths: on a CPU no fused op exists, so Keras' built-in runs its generic loop (one input
and one recurrent matmul per step) and seqkit runs its explicit loop (input projection
hoisted out of the loop). On a GPU the seqkit built-in-math rows take the fused (cuDNN) op.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from seqkit.layers import make_rnn  # noqa: E402

ROWS = {
    "lstm": [("keras LSTM", lambda h: keras.layers.LSTM(h)),
             ("seqkit lstm", lambda h: make_rnn("lstm", h)),
             ("seqkit peephole", lambda h: make_rnn("peephole", h)),
             ("seqkit cifg", lambda h: make_rnn("cifg", h)),
             ("seqkit layernorm_lstm", lambda h: make_rnn("layernorm_lstm", h))],
    "gru": [("keras GRU", lambda h: keras.layers.GRU(h)),
            ("seqkit gru", lambda h: make_rnn("gru", h)),
            ("seqkit layernorm_gru", lambda h: make_rnn("layernorm_gru", h))],
}


def machine() -> str:
    cpu = platform.processor() or "cpu"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    gpus = [d.name for d in tf.config.list_logical_devices("GPU")]
    return (f"{cpu}; {os.cpu_count()} cores; GPU: {gpus or 'none'}; "
            f"TF {tf.__version__}, Keras {keras.__version__}")


def make_steps(layer_fn, batch, steps, features, units):
    """Compiled forward and train-step functions for one layer on fixed inputs."""
    inp = keras.Input((steps, features))
    model = keras.Model(inp, keras.layers.Dense(1)(layer_fn(units)(inp)))
    optimizer = keras.optimizers.SGD(1e-4)
    x = tf.random.normal((batch, steps, features), seed=0)
    y = tf.random.normal((batch, 1), seed=1)

    @tf.function
    def forward():
        return model(x, training=False)

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        return loss

    forward(), train_step()  # trace and warm up
    return {"forward": forward, "train": train_step}


def time_once(fn) -> float:
    start = time.perf_counter()
    out = fn()
    np.asarray(out)  # make sure the work finished
    return (time.perf_counter() - start) * 1e3


def run(shapes, repeats):
    results = []
    for shape in shapes:
        batch, steps, features, units = shape
        for family, rows in ROWS.items():
            fns = {name: make_steps(fn, batch, steps, features, units) for name, fn in rows}
            times = {(name, kind): [] for name in fns for kind in ("forward", "train")}
            for _ in range(repeats):  # round-robin: noise hits every row alike
                for name, f in fns.items():
                    for kind in ("forward", "train"):
                        times[(name, kind)].append(time_once(f[kind]))
            base = rows[0][0]
            for name, _ in rows:
                row = {"shape": "x".join(map(str, shape)), "family": family, "layer": name}
                for kind in ("forward", "train"):
                    median = statistics.median(times[(name, kind)])
                    row[f"{kind}_ms"] = round(median, 3)
                    row[f"{kind}_ratio"] = round(
                        median / statistics.median(times[(base, kind)]), 3)
                results.append(row)
    return results


def table(results) -> str:
    lines = ["| shape BxTxIxH | layer | forward ms | fwd / built-in | train ms | "
             "train / built-in |", "|---|---|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['shape']} | {r['layer']} | {r['forward_ms']:.2f} | "
                     f"{r['forward_ratio']:.2f} | {r['train_ms']:.2f} | {r['train_ratio']:.2f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=["64x100x64x128", "128x200x128x256"],
                        help="BxTxIxH shapes (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    shapes = [tuple(int(v) for v in s.lower().split("x")) for s in args.shapes]
    results = run(shapes, args.repeats)
    print(f"machine: {machine()}")
    print(f"median of {args.repeats} interleaved repeats; ratios vs the Keras built-in of the "
          "same family")
    print(table(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine(), "repeats": args.repeats, "results": results}, f,
                      indent=2)


if __name__ == "__main__":
    main()
