"""Forward and train-step time: Keras built-in vs seqkit (fast path, variants, gate trace),
optionally with XLA, a TFLite (XNNPACK) conversion and PyTorch's oneDNN LSTM/GRU.

Everything is measured side by side in one process, interleaved round-robin so that load
from other processes hits every row alike; the table gives medians and ratios to the Keras
built-in layer of the same family and, when PyTorch is installed, to PyTorch.

    python benchmarks/bench_layers.py                        # B=64 T=100 I=64 H=128
    python benchmarks/bench_layers.py --xla --json layers.json
    python benchmarks/bench_layers.py --shapes 64x100x64x128 128x200x128x256 --repeats 30
    python benchmarks/bench_layers.py --no-torch --no-tflite   # TensorFlow rows only

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
- ``... TFLite``: the model frozen with batch and time fixed, converted with TFLite
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
        "tflite": ["lstm", "layernorm_lstm"],
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
        "tflite": ["gru", "layernorm_gru"],
    },
}


class Row:
    """One benchmark row: a label, what it runs, and its forward/train callables."""

    def __init__(self, label, path, forward=None, train=None, seqkit=False, note=None,
                 baseline=None):
        self.label, self.path = label, path
        self.forward, self.train = forward, train
        self.seqkit = seqkit
        self.note = note
        self.baseline = baseline  # label of the built-in row its ratios use (default: first)


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
        model, _ = build_model(lambda u: cls(u), shape)
        forward, diff = tflite_forward(model, x)
        rows.append(Row(f"{spec['builtin'][0]} TFLite", "TFLite WHILE, XNNPACK",
                        forward=forward, note=f"max |TFLite - Keras| = {diff:.1e}"))
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


def measure(rows, repeats, settle):
    fns = {}
    for row in rows:
        for kind in ("forward", "train"):
            if getattr(row, kind) is not None:
                fns[(row.label, kind)] = getattr(row, kind)
    return _common.interleaved(fns, repeats, settle=settle)


def summarize(family, shape, rows, times):
    """Per-row medians and ratios, plus the issue's targets for this family and shape."""
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
                 "path": row.path, "seqkit": row.seqkit, "note": row.note}
        for kind in ("forward", "train"):
            if (row.label, kind) in times:
                entry[kind] = _common.summary(times[(row.label, kind)])
                entry[f"{kind}_vs_builtin"] = ratio(row.label, kind, row.baseline or base)
                entry["builtin"] = row.baseline or base
                entry[f"{kind}_vs_torch"] = ratio(row.label, kind, torch_label)
        out.append(entry)

    fast = f"seqkit {family}"
    explicit = [r.label for r in rows if r.seqkit and "XLA" not in r.label
                and "TFLite" not in r.label]

    baseline_of = {r.label: r.baseline or base for r in rows}

    def worst(kind):
        vals = [(ratio(lbl, kind, baseline_of[lbl]), lbl) for lbl in explicit
                if ratio(lbl, kind, baseline_of[lbl]) is not None]
        return max(vals) if vals else (None, None)

    def best_vs_torch(kind):
        vals = [(ratio(r.label, kind, torch_label), r.label) for r in rows if r.seqkit
                and "trace" not in r.label and r.label.split(" ")[1] == family
                and ratio(r.label, kind, torch_label) is not None]
        return min(vals) if vals else (None, None)

    targets = []
    for kind in ("forward", "train"):
        targets.append({"target": f"1. fast path / built-in ({kind})", "value":
                        ratio(fast, kind, base), "goal": 1.02, "row": fast})
    for kind in ("forward", "train"):
        value, label = worst(kind)
        targets.append({"target": f"2. worst explicit row / built-in ({kind})",
                        "value": value, "goal": 1.25, "row": label})
    value, label = best_vs_torch("forward")
    targets.append({"target": "3. best seqkit inference / torch", "value": value,
                    "goal": 1.5 if family == "lstm" else 0.7, "row": label})
    value, label = best_vs_torch("train")
    targets.append({"target": "4. best seqkit train step / torch", "value": value,
                    "goal": 1.0, "row": label})
    for t in targets:
        t["met"] = None if t["value"] is None else t["value"] <= t["goal"]
        t.update(family=family, shape="x".join(map(str, shape)))
    return out, targets


def print_tables(results, targets):
    headers = ["shape BxTxIxH", "row", "path", "fwd ms", "fwd / built-in", "fwd / torch",
               "train ms", "train / built-in", "train / torch"]
    body = []
    for r in results:
        f, t = r.get("forward"), r.get("train")
        body.append([r["shape"], r["row"], r["path"],
                     f and f["median_ms"], r.get("forward_vs_builtin"),
                     r.get("forward_vs_torch"), t and t["median_ms"],
                     r.get("train_vs_builtin"), r.get("train_vs_torch")])
    print(_common.markdown_table(headers, body, align="lllrrrrrr"))
    notes = [f"{r['row']}: {r['note']}" for r in results if r.get("note")]
    if notes:
        print("\n" + "; ".join(notes))
    print()
    rows = [[t["shape"], t["family"], t["target"], t["row"],
             "–" if t["value"] is None else f"{t['value']:.3f}", f"≤ {t['goal']}",
             {True: "met", False: "NOT met", None: "–"}[t["met"]]] for t in targets]
    print(_common.markdown_table(["shape", "cell", "target", "row", "ratio", "goal", ""],
                                 rows, align="lllllll"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=["64x100x64x128"],
                        help="BxTxIxH shapes (default: %(default)s)")
    parser.add_argument("--families", nargs="+", default=list(FAMILIES),
                        choices=list(FAMILIES))
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--settle", type=int, default=1,
                        help="untimed calls right before each timed call (default 1: the "
                             "previous row's thread pool, e.g. torch's after TF's, has "
                             "gone idle; measured: without it the row after a torch row "
                             "is ~20%% slower)")
    parser.add_argument("--xla", action="store_true", help="add jit_compile=True rows")
    parser.add_argument("--no-tflite", dest="tflite", action="store_false")
    parser.add_argument("--no-torch", dest="torch", action="store_false")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    torch = _common.try_import_torch() if args.torch else None
    info = _common.machine()
    results, targets = [], []
    for shape_text in args.shapes:
        shape = _common.parse_shape(shape_text)
        for family in args.families:
            rows = make_rows(family, shape, args, torch)
            times = measure(rows, args.repeats, args.settle)
            res, tgt = summarize(family, shape, rows, times)
            results += res
            targets += tgt
    print(_common.machine_line(info))
    print(f"median of {args.repeats} interleaved repeats (ms; {args.settle} untimed call "
          "before each timed one); ratios of medians")
    if torch is None:
        print("PyTorch rows skipped (" + ("--no-torch" if not args.torch else
                                          "torch not installed") + ")")
    print()
    print_tables(results, targets)
    if args.json:
        _common.write_json(args.json, {
            "benchmark": "bench_layers", "command": " ".join(sys.argv),
            "machine": info, "repeats": args.repeats, "settle": args.settle, "results": results,
            "targets": targets})


if __name__ == "__main__":
    main()
