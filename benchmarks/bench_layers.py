"""Forward and train-step time: Keras built-in vs seqkit (fast path, variants, gate trace),
optionally with XLA, a TFLite (XNNPACK) conversion and PyTorch's oneDNN LSTM/GRU.

Everything is measured side by side in one process, interleaved round-robin so that load
from other processes hits every row alike; the table gives medians and ratios to the Keras
built-in layer of the same family and, when PyTorch is installed, to PyTorch.

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
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from seqkit.layers import make_rnn  # noqa: E402

tf.get_logger().setLevel("ERROR")
warnings.filterwarnings("ignore", message=".*trackable_obj.*")

#: family -> (Keras built-in, seqkit rows (label, make_rnn name), torch module name,
#:            seqkit rows that also get XLA / TFLite rows)
FAMILIES = {
    "lstm": {
        "builtin": ("keras LSTM", keras.layers.LSTM),
        "seqkit": [("seqkit lstm", "lstm"), ("seqkit peephole", "peephole"),
                   ("seqkit cifg", "cifg"), ("seqkit layernorm_lstm", "layernorm_lstm")],
        "other_builtins": [],
        "trace": "lstm",
        "torch": "LSTM",
        "xla": ["lstm", "layernorm_lstm"],
        "tflite": ["lstm"],
    },
    "gru": {
        "builtin": ("keras GRU", keras.layers.GRU),
        "seqkit": [("seqkit gru", "gru"), ("seqkit gru_reset_before", "gru_reset_before"),
                   ("seqkit layernorm_gru", "layernorm_gru")],
        # the built-in with the same math as a variant: that variant's ratios use it
        "other_builtins": [("keras GRU reset_after=False", "gru_reset_before",
                            lambda u: keras.layers.GRU(u, reset_after=False))],
        "trace": "gru",
        "torch": "GRU",
        "xla": ["gru", "layernorm_gru"],
        "tflite": ["gru"],
    },
}


class Row:
    """One benchmark row: a label, what it runs, its forward/train callables and, for a TF
    graph, the ops per step of its while loops."""

    def __init__(self, label, path, forward=None, train=None, seqkit=False, note=None,
                 baseline=None):
        self.label, self.path = label, path
        self.forward, self.train = forward, train
        self.seqkit = seqkit
        self.note = note
        self.baseline = baseline  # label of the built-in row its ratios use (default: first)
        self.ops = {}  # "forward": [body ops], "train": [forward body, gradient body]
        for kind, fn in (("forward", forward), ("train", train)):
            if hasattr(fn, "get_concrete_function"):
                self.ops[kind] = while_body_ops(fn.get_concrete_function())


def while_body_ops(concrete) -> list[int]:
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


def matmul_peak(torch, size=2048, repeats=7) -> dict:
    """Median fp32 GFLOP/s of ``size``² matmuls (TF, and torch when installed)."""
    a = tf.random.normal((size, size))
    fns = {"tf": tf.function(lambda: tf.matmul(a, a))}
    if torch is not None:
        b = torch.randn(size, size)
        fns["torch"] = lambda: torch.mm(b, b)
    times = _common.interleaved(fns, repeats)
    return {k: round(2 * size**3 / _common.median(v) / 1e6, 1) for k, v in times.items()}


def matmul_gflop(family, shape, kind) -> float:
    """The built-in layer's matmul GFLOP for one call (train: forward + 2 for the grads)."""
    batch, steps, features, units = shape
    blocks = 4 if family == "lstm" else 3
    return 2 * batch * steps * (features + units) * blocks * units * (
        3 if kind == "train" else 1) / 1e9


def build_model(layer_fn, shape):
    batch, steps, features, units = shape
    inp = keras.Input((steps, features))
    layer = layer_fn(units)
    return keras.Model(inp, keras.layers.Dense(1)(layer(inp))), layer


def inputs(shape):
    batch, steps, features, _ = shape
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, steps, features)).astype("float32")
    y = rng.normal(size=(batch, 1)).astype("float32")
    return x, y


def tf_steps(model, x, y, jit_compile=False):
    """Compiled forward and train step of a Keras model on fixed inputs."""
    optimizer = keras.optimizers.SGD(1e-4)
    x, y = tf.constant(x), tf.constant(y)

    @tf.function(jit_compile=jit_compile)
    def forward():
        return model(x, training=False)

    train = _common.mse_train_step(model, optimizer, x, y, jit_compile=jit_compile)

    forward(), train()  # trace (and compile) outside the timed loop
    return forward, train


def tflite_forward(model, x):
    """A ``tf.lite.Interpreter`` call for ``model`` at the fixed shape of ``x``, plus the
    largest absolute difference to the Keras model's output."""
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

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
    return forward, diff


def torch_steps(torch, module_name, shape, x, y):
    batch, steps, features, units = shape
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

    return forward, train


def make_rows(family, shape, args, torch):
    spec = FAMILIES[family]
    x, y = inputs(shape)
    rows = []
    label, cls = spec["builtin"]
    model, _ = build_model(lambda u: cls(u), shape)
    rows.append(Row(label, "Keras generic loop (TF graph)", *tf_steps(model, x, y)))
    baselines = {}
    for label, variant, layer_fn in spec["other_builtins"]:
        model, _ = build_model(layer_fn, shape)
        rows.append(Row(label, "Keras generic loop (TF graph)", *tf_steps(model, x, y)))
        baselines[variant] = label
    for label, name in spec["seqkit"]:
        model, layer = build_model(lambda u, n=name: make_rnn(n, u), shape)
        path = layer.execution_path()
        rows.append(Row(label, f"seqkit {path} (TF graph)", *tf_steps(model, x, y),
                        seqkit=True, baseline=baselines.get(name),
                        note=baselines.get(name) and f"/ built-in = / {baselines[name]}"))
    model, layer = build_model(lambda u: make_rnn(spec["trace"], u), shape)
    tx = tf.constant(x)
    rows.append(Row(f"seqkit {spec['trace']} gate trace", "trace_gates() -> NumPy",
                    forward=lambda layer=layer: layer.trace_gates(tx)["h"], seqkit=True))
    if args.xla:
        model, _ = build_model(lambda u: cls(u), shape)
        rows.append(Row(f"{spec['builtin'][0]} XLA", "Keras generic loop, jit_compile",
                        *tf_steps(model, x, y, jit_compile=True)))
        for name in spec["xla"]:
            model, _ = build_model(lambda u, n=name: make_rnn(n, u), shape)
            rows.append(Row(f"seqkit {name} XLA", "seqkit explicit, jit_compile",
                            *tf_steps(model, x, y, jit_compile=True), seqkit=True))
    if args.tflite:
        for name in spec["tflite"]:
            model, _ = build_model(lambda u, n=name: make_rnn(n, u), shape)
            forward, diff = tflite_forward(model, x)
            rows.append(Row(f"seqkit {name} TFLite", "TFLite WHILE, XNNPACK",
                            forward=forward, seqkit=True,
                            note=f"max |TFLite - Keras| = {diff:.1e}"))
    if torch is not None:
        rows.append(Row(f"torch {spec['torch']}", "PyTorch oneDNN",
                        *torch_steps(torch, spec["torch"], shape, x, y)))
    return rows


def measure(rows, repeats, settle, clock="wall"):
    """``{(label, kind): [ms, ...]}``, round-robin over every row (``_common.interleaved``);
    ``clock="cpu"``: the process's CPU time per call instead of wall time."""
    fns = {}
    for row in rows:
        for kind in ("forward", "train"):
            if getattr(row, kind) is not None:
                fns[(row.label, kind)] = getattr(row, kind)
    if clock == "wall":
        return _common.interleaved(fns, repeats, settle=settle)
    for fn in fns.values():  # warm-up round, as _common.interleaved does
        _common.finish(fn())
    times = {key: [] for key in fns}
    for _ in range(repeats):
        for key, fn in fns.items():
            for _ in range(settle):
                _common.finish(fn())
            start = time.process_time()
            _common.finish(fn())
            times[key].append((time.process_time() - start) * 1e3)
    return times


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
            rows = make_rows(family, shape, args, torch)
            results += summarize(family, shape, rows,
                                 measure(rows, args.repeats, args.settle, args.clock))
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
