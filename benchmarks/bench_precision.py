"""bfloat16 serving on this CPU: a ``mixed_bfloat16`` copy of a trained model against the
float32 original, both exported as SavedModels and served in this process.

Issue 13, item 7. For each case (a CO2 LSTM forecaster and a digits GRU classifier from
``seqkit.fit`` at a small budget; ``--units`` sets their width):

1. train the float32 model;
2. rebuild it under the ``mixed_bfloat16`` policy with the same weights (every layer that
   has trainable weights and is not an output layer computes in bfloat16, variables stay
   float32; layers without weights, the scaling layers and the outputs stay float32, as
   Keras' mixed-precision guide keeps the last layer);
3. export both with :func:`seqkit.serving.export`, load each SavedModel and call its
   ``serving_default`` signature (what TF Serving runs) at batch 1 and 64, interleaved
   (fp32 b1, bf16 b1, fp32 b64, bf16 b64, ...), medians;
4. the output error of the bf16 SavedModel against the fp32 one on the test set: max
   absolute, normwise relative (``max|bf16 - fp32| / max|fp32|``, Higham 2002, §1.2) and
   the task metric of each (test MAE in ppm; accuracy and argmax agreement).

A line of matmul throughput (fp32 vs bf16, ``--matmul`` size) says whether the CPU's bf16
path is fast at all. Usage (about two minutes on 2 cores)::

    python benchmarks/bench_precision.py --epochs 3 --repeats 30 \\
        --json benchmarks/results/precision-<date>-<machine>.json
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


@dataclass
class Case:
    """One trained model, its test inputs and how to score its outputs."""

    name: str
    result: object
    x: np.ndarray
    truth: np.ndarray
    output: str  # the signature output compared


def co2_case(args) -> Case:
    import seqkit
    from seqkit.data.timeseries import check_series, load_series

    values = np.asarray(check_series(load_series("co2"), "interpolate").values, "float32")
    window, horizon = 104, 4
    origins = np.arange(len(values) - 340, len(values) - horizon + 1)  # the last 15%
    x = np.stack([values[o - window:o] for o in origins])
    y = np.stack([values[o:o + horizon] for o in origins])
    result = seqkit.fit_forecaster(values[:origins[0]], window=window, horizon=horizon,
                                   cell="lstm", units=args.units, epochs=args.epochs,
                                   test_size=0, baselines=(), verbose=0, seed=args.seed)
    return Case(f"co2 LSTM forecaster ({args.units} units)", result, x, y, "forecast")


def digits_case(args) -> Case:
    import seqkit
    from seqkit.data.sequences import load_sequence_dataset

    splits = load_sequence_dataset("digits", seed=args.seed)
    x_test, y_test = splits.test
    x = np.concatenate([splits.train[0], splits.val[0]])
    y = np.concatenate([splits.train[1], splits.val[1]])
    result = seqkit.fit_sequence_classifier(x, y, test=(x_test, y_test), cell="gru",
                                            units=args.units, epochs=args.epochs, verbose=0,
                                            seed=args.seed)
    names = [str(c) for c in result.class_names]
    truth = np.array([names.index(str(c)) for c in np.asarray(y_test)])
    return Case(f"digits GRU classifier ({args.units} units)", result,
                np.asarray(x_test, "float32"), truth, "probabilities")


def bfloat16_copy(model):
    """``model`` rebuilt under ``mixed_bfloat16`` (see the module docstring), same weights."""
    import keras

    outputs = {id(t._keras_history.operation) for t in model.outputs}  # noqa: SLF001

    def clone(layer):
        config = layer.get_config()
        if getattr(layer, "trainable_weights", None) and id(layer) not in outputs:
            config["dtype"] = "mixed_bfloat16"
        return layer.__class__.from_config(config)

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy


def serve(case: Case, model, folder: str, bf16: bool = False):
    """Export ``model`` and load its ``serving_default``; ``(signature, input key)``.

    The export's reload check compares at float32 tolerances (``rtol=1e-4``); a bf16 graph
    reloaded and re-optimised rounds differently (bf16's unit roundoff is 2**-8 = 3.9e-3),
    so for the bf16 copy the check runs at ``rtol=1e-2, atol=0.1`` here (its synthetic
    sample lies far outside the data: forecasts near 0 ppm); the error is measured below.
    """
    import importlib

    from seqkit.serving import export

    verify = importlib.import_module("seqkit.serving.verify")  # the module, not a name

    r = case.result
    saved = verify.TOLERANCES["saved_model"]
    if bf16:
        verify.TOLERANCES["saved_model"] = verify.Tolerance(atol=1e-1, rtol=1e-2,
                                                            equal_nan=True)
    try:
        info = export(model, folder, task=r.task, class_names=r.class_names, warmup=False,
                      step_signature=False)
    finally:
        verify.TOLERANCES["saved_model"] = saved
    signature = tf.saved_model.load(info.path).signatures["serving_default"]
    return signature, next(iter(info.inputs))


def outputs(signature, key: str, x: np.ndarray, output: str, batch: int = 256):
    return np.concatenate([signature(**{key: tf.constant(x[i:i + batch])})[output].numpy()
                           for i in range(0, len(x), batch)])


def errors(case: Case, ref: np.ndarray, got: np.ndarray) -> dict:
    diff = np.abs(got.astype("float64") - ref.astype("float64"))
    out = {"max_abs_error": float(diff.max()),
           "normwise_relative_error": float(diff.max() / np.abs(ref).max())}
    if case.output == "forecast":
        truth = case.truth.reshape(ref.shape)
        out["test_mae_fp32"] = float(np.mean(np.abs(ref - truth)))
        out["test_mae_bf16"] = float(np.mean(np.abs(got - truth)))
    else:
        out["accuracy_fp32"] = float(np.mean(ref.argmax(-1) == case.truth))
        out["accuracy_bf16"] = float(np.mean(got.argmax(-1) == case.truth))
        out["argmax_agreement"] = float(np.mean(ref.argmax(-1) == got.argmax(-1)))
    return out


def measure(case: Case, repeats: int, folder: str) -> dict:
    fp32 = case.result.model
    bf16 = bfloat16_copy(fp32)
    sig32, key = serve(case, fp32, f"{folder}/fp32")
    sig16, _ = serve(case, bf16, f"{folder}/bf16", bf16=True)
    row = errors(case, outputs(sig32, key, case.x, case.output),
                 outputs(sig16, key, case.x, case.output))
    fns = {}
    for b in (1, 64):
        inp = {key: tf.constant(case.x[:b])}
        fns[f"fp32 b{b}"] = lambda s=sig32, i=inp: s(**i)
        fns[f"bf16 b{b}"] = lambda s=sig16, i=inp: s(**i)
    times = _common.interleaved(fns, repeats=repeats, warmup=3)
    for b in (1, 64):
        f32, f16 = (_common.median(times[f"{p} b{b}"]) for p in ("fp32", "bf16"))
        row[f"b{b}_fp32_ms"], row[f"b{b}_bf16_ms"] = round(f32, 3), round(f16, 3)
        row[f"b{b}_bf16_over_fp32"] = round(f16 / f32, 3)
    row["policies"] = sorted({layer.dtype_policy.name for layer in bf16.layers})
    return row


def matmul_line(size: int, repeats: int) -> dict:
    """fp32 and bf16 ``[size, size]`` matmul throughput (GFLOP/s), interleaved."""
    a = tf.random.normal((size, size))
    fns = {"fp32": tf.function(lambda: tf.matmul(a, a)),
           "bf16": tf.function(lambda: tf.matmul(tf.cast(a, tf.bfloat16),
                                                 tf.cast(a, tf.bfloat16)))}
    times = _common.interleaved(fns, repeats=repeats, warmup=2)
    flops = 2 * size ** 3
    return {k: round(flops / (_common.median(v) / 1e3) / 1e9, 1) for k, v in times.items()}


def table(rows: dict) -> str:
    headers = ["case", "b1 fp32 ms", "b1 bf16 ms", "b1 ×", "b64 fp32 ms", "b64 bf16 ms",
               "b64 ×", "max abs err", "rel err", "task metric fp32 → bf16"]
    lines = []
    for name, r in rows.items():
        metric = (f"MAE {r['test_mae_fp32']:.4f} → {r['test_mae_bf16']:.4f} ppm"
                  if "test_mae_fp32" in r else
                  f"acc {r['accuracy_fp32']:.4f} → {r['accuracy_bf16']:.4f} (argmax agree "
                  f"{r['argmax_agreement']:.4f})")
        lines.append([name, r["b1_fp32_ms"], r["b1_bf16_ms"], f"{r['b1_bf16_over_fp32']:.2f}",
                      r["b64_fp32_ms"], r["b64_bf16_ms"], f"{r['b64_bf16_over_fp32']:.2f}",
                      f"{r['max_abs_error']:.2e}", f"{r['normwise_relative_error']:.2e}",
                      metric])
    return _common.markdown_table(headers, lines)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", nargs="+", default=["co2", "digits"], choices=["co2", "digits"])
    p.add_argument("--units", type=int, default=32)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--matmul", type=int, default=1024, help="matmul size (0: skip)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="write the results here")
    args = p.parse_args(argv)
    info = _common.machine()
    started = time.perf_counter()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases:
            case = {"co2": co2_case, "digits": digits_case}[name](args)
            rows[case.name] = measure(case, args.repeats, f"{tmp}/{name}")
    mm = matmul_line(args.matmul, 10) if args.matmul else None
    print(_common.machine_line(info))
    if mm:
        print(f"matmul {args.matmul}x{args.matmul}: fp32 {mm['fp32']} GFLOP/s, bf16 "
              f"{mm['bf16']} GFLOP/s (casts included)")
    print(f"serving_default of each SavedModel, in this process, medians of {args.repeats} "
          f"interleaved calls; errors over {len(case.x)} test inputs of the last case")
    print(table(rows))
    print(f"({time.perf_counter() - started:.0f} s)")
    payload = {"machine": info, "args": vars(args), "matmul_gflops": mm, "cases": rows}
    if args.json:
        _common.write_json(args.json, payload)
    return payload


if __name__ == "__main__":
    main()
