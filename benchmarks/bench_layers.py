"""Forward and train-step time: Keras built-in vs seqkit (fast path, variants, gate trace),
optionally with XLA, a TFLite (XNNPACK) conversion and PyTorch's oneDNN LSTM/GRU.

Everything is measured side by side in one process, interleaved round-robin so that load
from other processes hits every row alike; the table gives medians and ratios to the Keras
built-in layer of the same family and, when PyTorch is installed, to PyTorch. The rows and
their timing are ``seqkit.study.layerbench``'s (the study's layer-level section measures
the same way); this script is its command line and its tables.

    python benchmarks/bench_layers.py              # issue-13 shapes: B=64 T=100 I=64 H=128,
                                                   # batch 1, small B=32 T=104 I=1 H=32
    python benchmarks/bench_layers.py --large      # + B=256 T=200 I=128 H=256 (slow on 2 cores)
    python benchmarks/bench_layers.py --clock cpu  # process CPU time: steadier on a shared CPU
    python benchmarks/bench_layers.py --xla --json layers.json
    python benchmarks/bench_layers.py --shapes 64x100x64x128 --families lstm --repeats 30
    python benchmarks/bench_layers.py --no-torch --no-tflite   # TensorFlow rows only

The top line gives the machine's measured fp32 matmul peak (median of 2048² matmuls, TF and
torch). Each TF-graph row also gives its ops per step (nodes of the ``While`` bodies of the
traced graph, ``Const``/``Identity``/``NoOp`` left out; train: forward body + gradient
body) and its achieved GFLOP/s (the built-in layer's matmul FLOPs, ``2·B·T·(I+H)·g·H``
with ``g`` = 4 (LSTM) / 3 (GRU) gate blocks, ×3 for a train step, over the median time).
The last table checks issue 13's targets: each target, the ratio reached, met or missed.

Rows (model: ``Input -> RNN -> Dense(1)``; train step: MSE, SGD, one ``tf.function``):

- ``keras LSTM``/``keras GRU``: the built-in layer. On a CPU no fused op exists, so it runs
  Keras' generic while loop over its cell.
- ``seqkit lstm``/``seqkit gru``: seqkit's layer with the built-in math, the "fast path"
  (fused cuDNN op on a GPU; on a CPU seqkit's explicit loop).
- ``seqkit <variant>``: gate variants, always seqkit's explicit loop. ``gru_reset_before``
  is compared with ``keras GRU reset_after=False`` (the same math), the others with the
  family's default built-in.
- ``seqkit ... gate trace``: ``layer.trace_gates(x)``, the public API, NumPy out
  (forward only; it returns every gate at every step: 6x (LSTM) / 4x (GRU) the bytes
  of ``return_sequences=True``).
- ``... XLA`` (``--xla``): the same ``tf.function`` with ``jit_compile=True``.
- ``... TFLite`` (LiteRT): the model frozen with batch and time fixed, converted with TFLite
  builtins (the loop becomes a ``WHILE``), run by ``tf.lite.Interpreter`` (XNNPACK).
- ``torch LSTM``/``torch GRU``: ``torch.nn.LSTM/GRU`` (oneDNN) + ``nn.Linear``; forward
  under ``inference_mode``; train step MSE + SGD. Skipped when torch is not installed.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402
import tensorflow as tf  # noqa: E402

from seqkit.study.layerbench import (  # noqa: E402
    FAMILIES,
    family_rows,
    matmul_gflop,
    matmul_peak,
    time_rows,
)

tf.get_logger().setLevel("ERROR")
warnings.filterwarnings("ignore", message=".*trackable_obj.*")


def summarize(family, shape, rows, times):
    """Per-row medians, ratios to the built-in and to torch, ops per step, GFLOP/s."""
    med = {key: _common.median(v) for key, v in times.items()}
    base = rows[0].label
    torch_label = next((r.label for r in rows if r.label.startswith("torch")), None)

    def ratio(label, kind, ref):
        if ref is None or (label, kind) not in med or (ref, kind) not in med:
            return None
        return round(med[(label, kind)] / med[(ref, kind)], 3)

    out = []
    for row in rows:
        entry = {"shape": "x".join(map(str, shape)), "family": family, "row": row.label,
                 "path": row.path, "seqkit": row.seqkit, "note": row.note,
                 "builtin": row.baseline or base, "ops_per_step": row.ops}
        for kind in ("forward", "train"):
            if (row.label, kind) in times:
                entry[kind] = _common.summary(times[(row.label, kind)])
                entry[f"{kind}_vs_builtin"] = ratio(row.label, kind, entry["builtin"])
                entry[f"{kind}_vs_torch"] = ratio(row.label, kind, torch_label)
                entry[f"{kind}_gflops"] = round(
                    matmul_gflop(family, shape, kind) / med[(row.label, kind)] * 1e3, 1)
        out.append(entry)
    return out


#: issue 13's targets: (name, shape, kind, goal, which rows, compared with)
TARGETS = [
    ("served TF graph forward / torch", "64x100x64x128", "forward",
     {"lstm": 1.2, "gru": 0.9}, "fast", "torch"),
    ("train step / torch", "64x100x64x128", "train", 0.8, "fast", "torch"),
    ("worst variant or gate trace / built-in, forward", "64x100x64x128", "forward", 1.25,
     "explicit", "builtin"),
    ("worst variant / built-in, train", "64x100x64x128", "train", 1.25, "explicit",
     "builtin"),
    ("small shape forward / torch", "32x104x1x32", "forward", 2.0, "fast", "torch"),
    ("fast path / built-in, forward", "64x100x64x128", "forward", 1.02, "fast", "builtin"),
    ("fast path / built-in, train", "64x100x64x128", "train", 1.02, "fast", "builtin"),
    ("LiteRT / torch", "64x100x64x128", "forward", 0.8, "tflite", "torch"),
]


def targets(results, clock="wall"):
    """Each issue-13 target per cell: the ratio reached (worst row for "explicit"), met?
    With ``clock="cpu"`` the ratios to torch are not judged: PyTorch's OpenMP threads spin
    while they wait, which CPU time counts (measured: 8x its wall time under load)."""
    out = []
    for name, shape, kind, goal, which, ref in TARGETS:
        for family in FAMILIES:
            goal_here = goal[family] if isinstance(goal, dict) else goal
            rows = [r for r in results if r["shape"] == shape and r["family"] == family
                    and r.get(f"{kind}_vs_{ref}") is not None and _is(r, which, family)]
            best = max(rows, key=lambda r: r[f"{kind}_vs_{ref}"], default=None)
            value = best and best[f"{kind}_vs_{ref}"]
            judged = value is not None and not (clock == "cpu" and ref == "torch")
            out.append({"target": name, "shape": shape, "family": family,
                        "row": best and best["row"], "value": value, "goal": goal_here,
                        "met": value <= goal_here if judged else None})
    out.append({"target": "GPU: explicit / cuDNN, every variant", "shape": "-",
                "family": "both", "row": "benchmarks/gpu_check.py", "value": None,
                "goal": 2.0, "met": None})
    return out


def _is(entry, which, family):
    label = entry["row"]
    if which == "fast":
        return label == f"seqkit {family}"
    if which == "tflite":
        return label == f"seqkit {family} TFLite"
    return entry["seqkit"] and "XLA" not in label and "TFLite" not in label


def _ops(entry, kind):
    ops = entry["ops_per_step"].get(kind)
    return "+".join(map(str, ops)) if ops else None


def print_tables(results, target_rows):
    headers = ["shape BxTxIxH", "row", "fwd ms", "×built-in", "×torch", "fwd ops/step",
               "fwd GFLOP/s", "train ms", "×built-in", "×torch", "train ops/step",
               "train GFLOP/s"]
    body = []
    for r in results:
        f, t = r.get("forward"), r.get("train")
        body.append([r["shape"], r["row"], f and f["median_ms"], r.get("forward_vs_builtin"),
                     r.get("forward_vs_torch"), _ops(r, "forward"), r.get("forward_gflops"),
                     t and t["median_ms"], r.get("train_vs_builtin"),
                     r.get("train_vs_torch"), _ops(r, "train"), r.get("train_gflops")])
    print(_common.markdown_table(headers, body, align="llrrrrrrrrrr"))
    notes = sorted({f"{r['row']}: {r['note']}" for r in results if r.get("note")})
    if notes:
        print("\n" + "; ".join(notes))
    print("\ntrain ops/step: forward while body + gradient while body\n")
    rows = [[t["target"], t["shape"], t["family"], t["row"],
             "–" if t["value"] is None else f"{t['value']:.3f}", f"≤ {t['goal']}",
             {True: "met", False: "missed",
              None: "not judged" if t["value"] is not None else "not measured"}[t["met"]]]
            for t in target_rows]
    print(_common.markdown_table(["issue-13 target", "shape", "cell", "row", "ratio", "goal",
                                  ""], rows, align="llllrll"))


DEFAULT_SHAPES = ["64x100x64x128", "1x100x64x128", "32x104x1x32"]
LARGE_SHAPE = "256x200x128x256"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=DEFAULT_SHAPES,
                        help="BxTxIxH shapes (default: %(default)s)")
    parser.add_argument("--large", action="store_true", help=f"also {LARGE_SHAPE}")
    parser.add_argument("--families", nargs="+", default=list(FAMILIES),
                        choices=list(FAMILIES))
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--settle", type=int, default=1,
                        help="untimed calls right before each timed call (default 1: the "
                             "previous row's thread pool, e.g. torch's after TF's, has "
                             "gone idle; measured: without it the row after a torch row "
                             "is ~20%% slower)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall time (default) or the process's CPU time per call "
                             "(steadier when other processes share the CPU; counts every "
                             "thread's spinning too, so ratios across libraries lean)")
    parser.add_argument("--xla", action="store_true", help="add jit_compile=True rows")
    parser.add_argument("--no-tflite", dest="tflite", action="store_false")
    parser.add_argument("--no-torch", dest="torch", action="store_false")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    torch = _common.try_import_torch() if args.torch else None
    info = _common.machine()
    peak = matmul_peak(torch)
    print(_common.machine_line(info))
    print("fp32 matmul peak (median of 2048² matmuls): " + ", ".join(
        f"{k} {v} GFLOP/s" for k, v in peak.items()), flush=True)
    results = []
    for shape_text in args.shapes + ([LARGE_SHAPE] if args.large else []):
        shape = _common.parse_shape(shape_text)
        for family in args.families:
            rows = family_rows(family, shape, xla=args.xla, tflite=args.tflite, torch=torch)
            results += summarize(family, shape, rows,
                                 time_rows(rows, args.repeats, args.settle, args.clock))
    target_rows = targets(results, args.clock)
    print(f"median of {args.repeats} interleaved repeats ({args.clock} clock, ms; "
          f"{args.settle} untimed call before each timed one); ratios of medians")
    if torch is None:
        print("PyTorch rows skipped (" + ("--no-torch" if not args.torch else
                                          "torch not installed") + ")")
    print()
    print_tables(results, target_rows)
    if args.json:
        _common.write_json(args.json, {
            "benchmark": "bench_layers", "command": " ".join(sys.argv), "machine": info,
            "matmul_peak_gflops": peak, "clock": args.clock, "repeats": args.repeats,
            "settle": args.settle, "results": results, "targets": target_rows})


if __name__ == "__main__":
    main()
