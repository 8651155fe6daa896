"""Subprocess entry point for the distribute tests (not collected by pytest: strategies that
configure the TF runtime -- logical CPUs, multi-worker collectives -- need a fresh process).

    python worker_script.py MODE OUT_JSON [options]

MODE
  reference    single process: train_custom_loop under the default strategy, plain Keras
               ``model.fit`` (the independent reference), the same with SGD+clipnorm, and
               get_strategy("tpu", tpu="local") on a machine without a TPU, and
               get_strategy("multiworker") after TensorFlow has already run.
  multiworker  one worker of a MultiWorkerMirroredStrategy cluster (TF_CONFIG built from
               --index/--ports and set before the strategy exists); --try-fit also runs Keras
               ``fit`` under the strategy afterwards and records what happens (keras#20585).
  mirrored     MirroredStrategy over 2 logical CPUs: the same training, SGD+clipnorm, and a
               mixed_float16 step where only replica 1's half of the batch overflows.
  single       default strategy; --checkpoint-dir and --crash-after-epoch for resume tests.
Writes a JSON report to OUT_JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Fixed problem: 128 sequences of 8 steps x 3 features, a regression target; global batch 32
# -> 4 steps per epoch. Every mode trains on exactly this so the runs are comparable.
N, T, F = 128, 8, 3
GLOBAL_BATCH = 32
SEED = 1
LR = 0.01
CLIP_LR, CLIPNORM = 0.5, 0.05  # clipnorm small enough to be active on every step
CRASH_RC = 17


def make_data():
    import numpy as np

    rng = np.random.RandomState(0)
    x = rng.randn(N, T, F).astype("float32")
    y = (x[:, :, 0].mean(axis=1, keepdims=True) + 0.5 * x[:, -1, 1:2]).astype("float32")
    return x, y


def build_model():
    import keras

    return keras.Sequential([keras.Input((T, F)), keras.layers.LSTM(8), keras.layers.Dense(1)])


def adam():
    import keras

    return keras.optimizers.Adam(LR)


def sgd_clip():
    import keras

    return keras.optimizers.SGD(CLIP_LR, clipnorm=CLIPNORM)


def _weights(model):
    import numpy as np

    return [np.asarray(w, dtype="float64").tolist() for w in model.get_weights()]


def _custom(sd, strategy, optimizer_fn, epochs, **kwargs):
    x, y = make_data()
    hist = sd.train_custom_loop(
        build_model,
        sd.dataset_fn_from_arrays(x, y, global_batch_size=GLOBAL_BATCH),
        strategy=strategy,
        epochs=epochs,
        loss="mse",
        optimizer_fn=optimizer_fn,
        metrics=["mae"],
        seed=SEED,
        **kwargs,
    )
    return {
        "history": dict(hist),
        "initial_epoch": hist.initial_epoch,
        "steps": hist.steps,
        "examples": hist.examples,
        "weights": _weights(hist.model),
    }


def _fit(optimizer_fn, epochs):
    import keras

    x, y = make_data()
    keras.utils.set_random_seed(SEED)
    model = build_model()
    model.compile(optimizer_fn(), "mse", metrics=["mae"])
    hist = model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=epochs, shuffle=False, verbose=0)
    return {"history": {"epoch": list(range(1, epochs + 1)), **hist.history},
            "weights": _weights(model)}


class _Crash:
    """Simulated interruption: the process dies (no cleanup) right after epoch ``n``'s
    checkpoint was written."""

    def __init__(self, n):
        self.n = n

    def on_epoch_end(self, epoch, logs):
        if epoch + 1 == self.n:
            sys.stdout.flush()
            os._exit(CRASH_RC)


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["reference", "multiworker", "mirrored", "single"])
    p.add_argument("out")
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--checkpoint-dir", default=None)
    p.add_argument("--crash-after-epoch", type=int, default=None)
    p.add_argument("--index", type=int, default=0)
    p.add_argument("--ports", default="")
    p.add_argument("--try-fit", action="store_true")
    args = p.parse_args(argv)

    if args.mode == "multiworker":
        os.environ["TF_CONFIG"] = json.dumps({
            "cluster": {"worker": [f"localhost:{port}" for port in args.ports.split(",")]},
            "task": {"type": "worker", "index": args.index},
        })

    from seqkit import distribute as sd
    from seqkit.errors import ConfigError

    # Strategies that configure the runtime come first, before any other TF work.
    if args.mode == "multiworker":
        strategy = sd.get_strategy("multiworker")
    elif args.mode == "mirrored":
        strategy = sd.get_strategy("mirrored", num_cpu_replicas=2)
    else:
        import tensorflow as tf

        strategy = tf.distribute.get_strategy()

    out = {"strategy": sd.describe_strategy(strategy),
           "scaled_batch_16": sd.scaled_batch_size(16, strategy),
           "fit_supported": sd.fit_supported(strategy)}
    callbacks = [_Crash(args.crash_after_epoch)] if args.crash_after_epoch else None
    out["adam"] = _custom(sd, strategy, adam, args.epochs,
                          checkpoint_dir=args.checkpoint_dir, callbacks=callbacks)

    if args.mode == "reference":
        out["fit_adam"] = _fit(adam, args.epochs)
        out["fit_clip"] = _fit(sgd_clip, args.epochs)
        try:
            sd.get_strategy("tpu", tpu="local")
            out["tpu_local"] = "no error"
        except ConfigError as exc:
            out["tpu_local"] = f"ConfigError: {exc}"
        # Last: multiworker after TensorFlow already ran (must be a clear ConfigError).
        os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": ["localhost:1"]},
                                              "task": {"type": "worker", "index": 0}})
        try:
            sd.get_strategy("multiworker")
            out["multiworker_late"] = "no error"
        except ConfigError as exc:
            out["multiworker_late"] = f"ConfigError: {exc}"
    if args.mode == "mirrored":
        out["clip"] = _custom(sd, strategy, sgd_clip, args.epochs)
        out["overflow"] = _overflow_step(sd, strategy)
    if args.mode == "multiworker" and args.try_fit:
        out["fit_error"] = _try_fit(strategy)

    with open(args.out, "w") as fh:
        json.dump(out, fh)
    return 0


def _overflow_step(sd, strategy):
    """One mixed_float16 SGD step in which only replica 1's half of the global batch has
    huge targets, so only replica 1's float16 gradients overflow. The step must be skipped
    on every replica (weights unchanged and finite, loss scale halved)."""
    import keras
    import numpy as np

    x, y = make_data()
    y = y.copy()
    y[GLOBAL_BATCH // 2:GLOBAL_BATCH] = 6e4  # replica 1 of 2 gets rows 16..31 of batch 0
    with sd.mixed_precision_scope("gpu") as policy:
        keras.utils.set_random_seed(SEED)
        initial = [np.asarray(w) for w in build_model().get_weights()]
        hist = sd.train_custom_loop(
            build_model, sd.dataset_fn_from_arrays(x, y, global_batch_size=GLOBAL_BATCH),
            strategy=strategy, epochs=1, steps_per_epoch=1, loss="mse",
            optimizer_fn=lambda: keras.optimizers.SGD(0.01), seed=SEED)
        after = [np.asarray(w) for w in hist.model.get_weights()]
        opt = hist.optimizer
        return {
            "policy": policy,
            "optimizer": type(opt).__name__,
            "all_finite": bool(all(np.isfinite(w).all() for w in after)),
            "max_change": float(max(np.abs(a - b).max() for a, b in zip(after, initial))),
            "initial_scale": float(opt.initial_scale),
            "scale_after": float(np.asarray(opt.dynamic_scale)),
        }
    # (policy restored by the scope)


def _try_fit(strategy):
    import keras

    x, y = make_data()
    with strategy.scope():
        model = build_model()
        model.compile(adam(), "mse")
    try:
        model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=1, shuffle=False, verbose=0)
    except Exception as exc:  # keras#20585; keep the first and last line of the message
        lines = str(exc).strip().splitlines() or [""]
        return f"{type(exc).__name__}: {lines[0]} ... {lines[-1]}"
    del keras
    return None


if __name__ == "__main__":
    sys.exit(main())
