"""One-command GPU check of seqkit's layers on Keras' JAX or PyTorch backend (no TensorFlow).

    KERAS_BACKEND=torch python benchmarks/gpu_check.py       # or KERAS_BACKEND=jax
    python benchmarks/gpu_check.py --backend jax --repeats 20
    python benchmarks/gpu_check.py --batch 4 --steps 6 --features 3 --units 8 --repeats 2

The GPU machines have PyTorch and JAX but no TensorFlow (shared/design/traps.md, "The GPU
machine"); Keras 3.15's JAX and torch backends have their own cuDNN LSTM/GRU
(``keras/src/backend/{jax,torch}/rnn.py``). For every :data:`seqkit.layers.VARIANTS` name
(and the built-in math forced onto the explicit loop, ``use_cudnn=False``) it checks:

1. **path**: ``execution_path()`` is ``"fused"`` for the built-in math on a GPU and
   ``"explicit"`` for every variant (and everything on a CPU); the backend's fused
   ``lstm``/``gru`` is recorded as it runs: it must have run (not declined) for a fused
   row and never been reached by an explicit row.
2. **parity**: the built-in math against ``keras.layers.LSTM``/``GRU`` with the same
   weights (both paths), a variant against ``keras.layers.RNN`` stepping the same cell:
   max |Δ| ≤ 1e-4 in float32; under ``mixed_float16`` / ``mixed_bfloat16`` against the
   float32 layer within 5 units in the last place of the compute dtype (the tolerance of
   tests/layers/test_mixed_precision.py).
3. **time**: forward and train step (loss, gradient of every weight) of each row, medians
   of interleaved repeats, as ratios to Keras' own layer of the family (cuDNN on a GPU;
   the target of issue 13 is explicit ≤ 2× cuDNN for every variant).

Without a GPU it says so, runs the same checks on the CPU (the ratios are then to Keras'
generic loop, not cuDNN) and exits 0 when they pass; 1 when a check fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = 1e-4
MIXED_TOL = {"mixed_float16": 5 * 9.8e-4, "mixed_bfloat16": 5 * 7.8e-3}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["jax", "torch"],
                        help="Keras backend (default: $KERAS_BACKEND, else torch, else jax)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--variants", nargs="+", help="VARIANTS names (default: all)")
    parser.add_argument("--no-mixed", dest="mixed", action="store_false",
                        help="skip the mixed-precision parity checks")
    return parser.parse_args(argv)


def choose_backend(requested):
    """Set ``KERAS_BACKEND`` before Keras is imported; TensorFlow is refused."""
    backend = requested or os.environ.get("KERAS_BACKEND")
    if backend is None:
        import importlib.util

        backend = "torch" if importlib.util.find_spec("torch") else "jax"
    if backend not in ("jax", "torch"):
        raise SystemExit(f"gpu_check runs on Keras' jax or torch backend, got {backend!r}")
    os.environ["KERAS_BACKEND"] = backend
    return backend


class Backend:
    """What differs between JAX and torch: the device, a forward, a train step, a sync."""

    def __init__(self, name):
        self.name = name
        if name == "torch":
            import torch

            self.torch = torch
            self.gpu = torch.cuda.is_available()
            self.device = torch.cuda.get_device_name(0) if self.gpu else "CPU"
        else:
            import jax

            self.jax = jax
            self.gpu = jax.default_backend() == "gpu"
            self.device = str(jax.devices()[0]) if self.gpu else "CPU"

    def sync(self, value):
        if self.name == "torch":
            if self.gpu:
                self.torch.cuda.synchronize()
        else:
            self.jax.block_until_ready(value)
        return value

    def steps(self, layer, x):
        """(forward, train) callables of ``layer`` on ``x`` (train: mean-square loss and
        the gradient of every trainable weight)."""
        if self.name == "torch":
            torch = self.torch

            def forward():
                with torch.no_grad():
                    return layer(x)

            def train():
                loss = torch.mean(torch.square(layer(x, training=True)))
                loss.backward()
                return loss

            return forward, train
        jax = self.jax
        trainable = [v.value for v in layer.trainable_variables]
        fixed = [v.value for v in layer.non_trainable_variables]
        call = jax.jit(lambda tv, x: layer.stateless_call(tv, fixed, x)[0])

        def loss(tv, x):
            y, _ = layer.stateless_call(tv, fixed, x, training=True)
            return (y.astype("float32") ** 2).mean()

        grad = jax.jit(jax.grad(loss))
        return (lambda: call(trainable, x)), (lambda: grad(trainable, x))


def rows(variants, units):
    """``[(label, make layer, family, what its parity is checked against: "builtin" or
    the variant's cell options)]``."""
    import keras

    from seqkit.layers import VARIANTS, make_rnn

    out = []
    for name in variants:
        cls, options = VARIANTS[name]
        family = "lstm" if cls.__name__ == "ExplicitLSTM" else "gru"
        out.append((name, lambda n=name: make_rnn(n, units), family,
                    "builtin" if not options or name == "gru_reset_before" else options))
        if name in ("lstm", "gru"):
            out.append((f"{name} use_cudnn=False",
                        lambda n=name: make_rnn(n, units, use_cudnn=False), family, "builtin"))
    builtins = {"lstm": lambda: keras.layers.LSTM(units), "gru": lambda: keras.layers.GRU(units)}
    return out, builtins


def reference_output(layer, against, x):
    """The same math by another route: Keras' built-in layer, or keras.layers.RNN
    stepping a cell with the variant's options (``against``; ``Cell.call``, one step at a
    time). No ``get_config``: Keras' serialization imports TensorFlow where installed."""
    import keras

    if against == "builtin" and hasattr(layer.cell, "reset_after"):
        other = keras.layers.GRU(layer.units, reset_after=layer.cell.reset_after)
    elif against == "builtin":
        other = keras.layers.LSTM(layer.units)
    else:
        other = keras.layers.RNN(type(layer.cell)(layer.units, **against))
    other(x)
    other.set_weights(layer.get_weights())
    return other(x)


class FusedRecorder:
    """Wraps the backend's fused ``lstm``/``gru``: records "ran" or "declined"."""

    def __init__(self):
        from keras.src import backend as keras_backend

        self.backend, self.calls = keras_backend, []
        for name in ("lstm", "gru"):
            original = getattr(keras_backend, name)
            setattr(keras_backend, name, self._wrap(name, original))

    def _wrap(self, name, original):
        def fused(*args, **kwargs):
            try:
                out = original(*args, **kwargs)
            except NotImplementedError:
                self.calls.append((name, "declined"))
                raise
            self.calls.append((name, "ran"))
            return out

        return fused


def check_row(label, make, against, x, ctx):
    """Path and parity checks of one row; returns (layer, result dict)."""
    import numpy as np
    from keras import ops

    layer = make()
    ctx.recorder.calls.clear()
    out = layer(x)
    calls = list(ctx.recorder.calls)
    rng = np.random.default_rng(1)
    layer.set_weights([rng.normal(scale=0.3, size=w.shape).astype("float32")
                       for w in layer.get_weights()])
    path = layer.execution_path()
    fused_wanted = ctx.gpu and label in ("lstm", "gru")
    problems = []
    if path != ("fused" if fused_wanted else "explicit"):
        problems.append(f"path {path}")
    ran = [c for c in calls if c[1] == "ran"]
    if fused_wanted and not ran:
        problems.append(f"fused op did not run ({calls})")
    if not fused_wanted and ran:
        problems.append("explicit row reached the fused op")
    diff = float(np.abs(ops.convert_to_numpy(layer(x))
                        - ops.convert_to_numpy(reference_output(layer, against, x))).max())
    if not diff <= TOL:
        problems.append(f"parity {diff:.1e} > {TOL}")
    del out
    return layer, {"row": label, "path": path, "fused_calls": calls, "parity": diff,
                   "problems": problems}


def check_mixed(name, units, x_np):
    """max |mixed - float32| per policy for one variant, and the problems found."""
    import keras
    import numpy as np
    from keras import ops

    from seqkit.layers import make_rnn

    reference = make_rnn(name, units)
    want = ops.convert_to_numpy(reference(x_np))
    out, problems = {}, []
    for policy, tol in MIXED_TOL.items():
        keras.config.set_dtype_policy(policy)
        try:
            layer = make_rnn(name, units)
            layer(x_np)
            layer.set_weights(reference.get_weights())
            got = ops.convert_to_numpy(ops.cast(layer(x_np), "float32"))
        finally:
            keras.config.set_dtype_policy("float32")
        out[policy] = float(np.abs(got - want).max())
        if not out[policy] <= tol:
            problems.append(f"{policy} {out[policy]:.1e} > {tol:.1e}")
    return out, problems


def time_rows(fns, repeats, sync):
    """``{key: median ms}``: every callable ``repeats`` times, round-robin, after two
    warm-up rounds (JIT compilation, cuDNN plans)."""
    for _ in range(2):
        for fn in fns.values():
            sync(fn())
    times = {key: [] for key in fns}
    for _ in range(repeats):
        for key, fn in fns.items():
            start = time.perf_counter()
            sync(fn())
            times[key].append((time.perf_counter() - start) * 1e3)
    return {key: statistics.median(v) for key, v in times.items()}


def table(results, medians, builtin_of):
    def ratio(label, kind):
        ref = medians.get((f"keras {builtin_of[label]}", kind))
        return f"{medians[(label, kind)] / ref:.2f}" if ref else "–"

    lines = ["| row | path | fwd ms | fwd / Keras | train ms | train / Keras | parity | "
             "mixed f16 / bf16 | checks |", "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for label in [f"keras {f}" for f in ("lstm", "gru")] + [r["row"] for r in results]:
        if (label, "forward") not in medians:
            continue
        r = next((r for r in results if r["row"] == label), None)
        mixed = r and r.get("mixed")
        lines.append("| " + " | ".join([
            label, r["path"] if r else "Keras", f"{medians[(label, 'forward')]:.2f}",
            ratio(label, "forward") if r else "1.00", f"{medians[(label, 'train')]:.2f}",
            ratio(label, "train") if r else "1.00",
            f"{r['parity']:.1e}" if r else "–",
            " / ".join(f"{v:.1e}" for v in mixed.values()) if mixed else "–",
            ("FAIL: " + "; ".join(r["problems"])) if r and r["problems"] else "ok"]) + " |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    backend_name = choose_backend(args.backend)
    sys.path.insert(0, os.path.dirname(HERE))  # the repository root: seqkit
    import keras
    import numpy as np

    from seqkit.layers import VARIANTS

    ctx = Backend(backend_name)
    ctx.recorder = FusedRecorder()
    print(f"Keras {keras.__version__}, backend {backend_name}, device: {ctx.device}")
    if not ctx.gpu:
        print("no GPU visible: running on the CPU (every row takes the explicit loop; the "
              "ratios are to Keras' generic loop, not cuDNN)")
    shape = (args.batch, args.steps, args.features)
    x_np = np.random.default_rng(0).normal(size=shape).astype("float32")
    x = keras.ops.convert_to_tensor(x_np)
    specs, builtins = rows(args.variants or list(VARIANTS), args.units)
    results, fns, builtin_of = [], {}, {}
    for family, make in builtins.items():
        fns[(f"keras {family}", "forward")], fns[(f"keras {family}", "train")] = \
            ctx.steps(_built(make, x), x)
    for label, make, family, against in specs:
        layer, result = check_row(label, make, against, x, ctx)
        if args.mixed and label in ("lstm", "gru", "layernorm_lstm", "layernorm_gru"):
            result["mixed"], problems = check_mixed(label, args.units, x_np)
            result["problems"] += problems
        results.append(result)
        builtin_of[label] = family
        fns[(label, "forward")], fns[(label, "train")] = ctx.steps(layer, x)
    medians = time_rows(fns, args.repeats, ctx.sync)
    print(f"B={args.batch} T={args.steps} I={args.features} H={args.units} fp32, median of "
          f"{args.repeats} interleaved repeats; ratios to Keras' own layer of the family "
          f"({'cuDNN' if ctx.gpu else 'generic loop'})\n")
    print(table(results, medians, builtin_of))
    failed = [r["row"] for r in results if r["problems"]]
    if "tensorflow" in sys.modules:
        failed.append("TensorFlow was imported")
    print(f"\n{len(results) - len(failed)}/{len(results)} rows pass"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def _built(make, x):
    layer = make()
    layer(x)
    return layer


if __name__ == "__main__":
    sys.exit(main())
