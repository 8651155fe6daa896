"""Scaling of the forward pass: time vs sequence length T (linear fit, R²) and per-example
throughput vs batch size B, for the Keras built-in layers and seqkit's.

All (row, T) and (row, B) combinations are measured in one process, interleaved
round-robin; tables give medians.

    python benchmarks/bench_scaling.py            # T = 25..800 at B=64; B = 1..256 at T=100
    python benchmarks/bench_scaling.py --json scaling.json --repeats 10
    python benchmarks/bench_scaling.py --rows "keras LSTM" "seqkit lstm" --lengths 25 100 400

Targets (from the performance issue): forward time linear in T over 25..800 (R² ≥ 0.98);
per-example throughput at B=256 ≥ 10x that at B=1.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from seqkit.layers import make_rnn  # noqa: E402

tf.get_logger().setLevel("ERROR")

ROWS = {
    "keras LSTM": lambda u: keras.layers.LSTM(u),
    "seqkit lstm": lambda u: make_rnn("lstm", u),
    "seqkit layernorm_lstm": lambda u: make_rnn("layernorm_lstm", u),
    "keras GRU": lambda u: keras.layers.GRU(u),
    "seqkit gru": lambda u: make_rnn("gru", u),
}
DEFAULT_ROWS = ["keras LSTM", "seqkit lstm", "keras GRU", "seqkit gru"]


def forward_fn(layer_fn, batch, steps, features, units):
    inp = keras.Input((steps, features))
    model = keras.Model(inp, keras.layers.Dense(1)(layer_fn(units)(inp)))
    x = tf.constant(np.random.default_rng(0).normal(size=(batch, steps, features)),
                    tf.float32)

    @tf.function
    def forward():
        return model(x, training=False)

    forward()
    return forward


def linear_fit(xs, ys) -> dict:
    """Least squares ``y = a + b x``; returns a, b and R²."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    b, a = np.polyfit(xs, ys, 1)
    pred = a + b * xs
    ss_res = float(((ys - pred) ** 2).sum())
    ss_tot = float(((ys - ys.mean()) ** 2).sum())
    return {"intercept_ms": round(float(a), 4), "ms_per_step": round(float(b), 5),
            "r2": round(1.0 - ss_res / ss_tot, 5) if ss_tot else None}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", default=DEFAULT_ROWS, choices=list(ROWS))
    parser.add_argument("--lengths", nargs="+", type=int,
                        default=[25, 50, 100, 200, 400, 800])
    parser.add_argument("--batches", nargs="+", type=int, default=[1, 4, 16, 64, 256])
    parser.add_argument("--batch", type=int, default=64, help="B for the T sweep")
    parser.add_argument("--steps", type=int, default=100, help="T for the B sweep")
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--settle", type=int, default=1)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    info = _common.machine()
    fi, un = args.features, args.units

    def batch_key(row, b):  # the T sweep's point when it is the same configuration
        if b == args.batch and args.steps in args.lengths:
            return (row, "T", args.steps)
        return (row, "B", b)

    fns = {}
    for row in args.rows:
        for t in args.lengths:
            fns[(row, "T", t)] = forward_fn(ROWS[row], args.batch, t, fi, un)
        for b in args.batches:
            if batch_key(row, b) not in fns:
                fns[batch_key(row, b)] = forward_fn(ROWS[row], b, args.steps, fi, un)
    times = _common.interleaved(fns, args.repeats, settle=args.settle)
    med = {k: _common.median(v) for k, v in times.items()}

    def batch_ms(row, b):
        return med[batch_key(row, b)]

    length_rows, batch_rows, fits, targets = [], [], {}, []
    for row in args.rows:
        ms = [med[(row, "T", t)] for t in args.lengths]
        fits[row] = linear_fit(args.lengths, ms)
        length_rows.append([row, *ms, fits[row]["ms_per_step"] * 1e3,
                            fits[row]["intercept_ms"], f"{fits[row]['r2']:.4f}"])
        thr = [b / batch_ms(row, b) * 1e3 for b in args.batches]
        batch_rows.append([row, *[f"{batch_ms(row, b):.2f} ({t:,.0f}/s)"
                                  for b, t in zip(args.batches, thr)],
                           thr[-1] / thr[0]])
        targets.append({"row": row, "target": f"5a. R² of T={args.lengths[0]}.."
                        f"{args.lengths[-1]} fit", "value": fits[row]["r2"],
                        "goal": ">= 0.98", "met": fits[row]["r2"] >= 0.98})
        targets.append({"row": row, "target": f"5b. throughput B={args.batches[-1]} / "
                        f"B={args.batches[0]}", "value": round(thr[-1] / thr[0], 2),
                        "goal": ">= 10", "met": thr[-1] / thr[0] >= 10})

    print(_common.machine_line(info))
    print(f"forward pass (Input -> RNN -> Dense(1), tf.function), I={fi} H={un}; median of "
          f"{args.repeats} interleaved repeats, {args.settle} untimed call before each")
    print()
    print(f"Forward ms vs sequence length T (B={args.batch}); linear fit ms = a + b*T")
    print(_common.markdown_table(
        ["row", *[f"T={t}" for t in args.lengths], "b (µs/step)", "a (ms)", "R²"],
        length_rows))
    print()
    print(f"Forward ms (examples/s) vs batch size B (T={args.steps})")
    print(_common.markdown_table(
        ["row", *[f"B={b}" for b in args.batches],
         f"throughput B={args.batches[-1]} / B={args.batches[0]}"], batch_rows))
    print()
    print(_common.markdown_table(
        ["row", "target", "value", "goal", ""],
        [[t["row"], t["target"], f"{t['value']:.4g}", t["goal"],
          "met" if t["met"] else "NOT met"]
         for t in targets], align="lllll"))
    if args.json:
        _common.write_json(args.json, {
            "benchmark": "bench_scaling", "command": " ".join(sys.argv), "machine": info,
            "repeats": args.repeats, "settle": args.settle,
            "config": {"batch_for_length_sweep": args.batch,
                       "steps_for_batch_sweep": args.steps, "features": fi, "units": un},
            "length_sweep": {row: {str(t): _common.summary(times[(row, "T", t)])
                                   for t in args.lengths} for row in args.rows},
            "batch_sweep": {row: {str(b): _common.summary(times[batch_key(row, b)])
                                  for b in args.batches} for row in args.rows},
            "fits": fits, "targets": targets})


if __name__ == "__main__":
    main()
