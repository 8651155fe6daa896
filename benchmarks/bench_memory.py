"""Peak training memory, LSTM vs GRU at equal units (Keras built-in and seqkit).

Each configuration runs in its own fresh subprocess (a memory high-water mark cannot be
reset within one process), round-robin ``--repeats`` times; tables give medians.

Measure: the process's peak RSS after ``--steps`` train steps minus its RSS after
imports, model build and tracing of the train step (before its first execution), with
the peak reset there (Linux ``VmHWM`` and ``/proc/self/clear_refs``; ``ru_maxrss``
elsewhere, see :func:`peak_rss_kib`). That delta also holds what the first execution sets up once
(Grappler's optimized graphs, kernels, thread pools), about the same for both cells, so
each configuration also runs at ``--long-factor`` times the length: the difference
between the two deltas is the memory that grows with the sequence (activations the while
loop keeps for the backward pass), reported per time step. The ratio GRU / LSTM is given
for both the per-step growth and the whole delta at the longer length.

(TensorFlow's allocator statistics, ``get_memory_info("CPU:0")``, do not see the while
loop's TensorList buffers on this build: 2.7 MiB at T=100, 8 MiB at T=400 for an LSTM
whose RSS grows by 83 MiB between the two; they are not used.)

    python benchmarks/bench_memory.py                        # B=64 T=100,400 I=64 H=128
    python benchmarks/bench_memory.py --shapes 64x100x64x128 128x100x64x256 --json mem.json

Target (from the performance issue): peak training memory GRU / LSTM ≤ 0.8 at equal units.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402

CONFIGS = {
    "keras LSTM": ("keras", "LSTM"),
    "keras GRU": ("keras", "GRU"),
    "seqkit lstm": ("seqkit", "lstm"),
    "seqkit gru": ("seqkit", "gru"),
}
PAIRS = [("keras GRU", "keras LSTM"), ("seqkit gru", "seqkit lstm")]


def child(config: str, shape: str, steps: int) -> dict:
    """Runs in the subprocess: build, trace, baseline, train ``steps`` times, report."""
    import keras
    import numpy as np
    import tensorflow as tf

    from seqkit.layers import make_rnn

    batch, length, features, units = _common.parse_shape(shape)
    source, name = CONFIGS[config]
    layer = getattr(keras.layers, name)(units) if source == "keras" else make_rnn(name, units)
    inp = keras.Input((length, features))
    model = keras.Model(inp, keras.layers.Dense(1)(layer(inp)))
    optimizer = keras.optimizers.SGD(1e-4)
    optimizer.build(model.trainable_variables)
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(batch, length, features)).astype("float32"))
    y = tf.constant(rng.normal(size=(batch, 1)).astype("float32"))

    train = _common.mse_train_step(model, optimizer, x, y)

    train.get_concrete_function()  # trace now, outside the measured part
    base_rss = peak_rss_kib(reset=True)
    for _ in range(steps):
        float(train())
    peak_rss = peak_rss_kib()
    params = int(sum(np.prod(v.shape) for v in model.trainable_variables))
    return {"config": config, "shape": shape, "params": params,
            "rss_mib": (peak_rss - base_rss) / 1024, "baseline_rss_mib": base_rss / 1024}


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def peak_rss_kib(reset: bool = False) -> float:
    """This process's peak RSS in KiB.

    Linux: ``VmHWM`` from ``/proc/self/status``; ``reset=True`` first resets it to the
    current RSS (``echo 5 > /proc/self/clear_refs``) and returns that. Not
    ``ru_maxrss``: Linux carries it over from the parent across fork/exec, so a child
    of a parent that imported TensorFlow (~700 MiB) reports the parent's peak until it
    grows past it. Elsewhere: ``ru_maxrss`` (kilobytes on Linux, bytes on macOS).
    """
    if _status_kib("VmHWM") is not None:
        if reset:
            try:
                with open("/proc/self/clear_refs", "w") as f:
                    f.write("5")
            except OSError:
                pass
        return _status_kib("VmHWM")
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform == "darwin" else peak


def run_child(config, shape, steps) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", config, "--shapes", shape,
         "--steps", str(steps)], capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{config} {shape} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def longer(shape: str, factor: int) -> str:
    batch, steps, features, units = _common.parse_shape(shape)
    return f"{batch}x{steps * factor}x{features}x{units}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=["64x100x64x128"],
                        help="BxTxIxH shapes (default: %(default)s)")
    parser.add_argument("--long-factor", type=int, default=4,
                        help="also run each shape at this many times its T (default 4)")
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--repeats", type=int, default=2, help="subprocesses per config")
    parser.add_argument("--steps", type=int, default=3, help="train steps per subprocess")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.shapes[0], args.steps)))
        return

    info = _common.machine()
    shapes = [(s, longer(s, args.long_factor)) for s in args.shapes]
    runs = {(c, s): [] for pair in shapes for s in pair for c in args.configs}
    for _ in range(args.repeats):  # round-robin over fresh processes
        for pair in shapes:
            for shape in pair:
                for config in args.configs:
                    runs[(config, shape)].append(run_child(config, shape, args.steps))

    def rss(config, shape):
        return _common.median([r["rss_mib"] for r in runs[(config, shape)]])

    rows, results, targets = [], [], []
    for short, long in shapes:
        extra_steps = _common.parse_shape(long)[1] - _common.parse_shape(short)[1]
        per_step = {}
        for config in args.configs:
            per_step[config] = (rss(config, long) - rss(config, short)) / extra_steps
            entry = {"shape": short, "long_shape": long, "config": config,
                     "params": runs[(config, short)][0]["params"],
                     "rss_mib": round(rss(config, short), 2),
                     "rss_mib_long": round(rss(config, long), 2),
                     "kib_per_step": round(per_step[config] * 1024, 1),
                     "baseline_rss_mib": round(_common.median(
                         [r["baseline_rss_mib"] for r in runs[(config, short)]]), 1),
                     "runs": runs[(config, short)] + runs[(config, long)]}
            results.append(entry)
            rows.append([short, config, f"{entry['params']:,}", entry["baseline_rss_mib"],
                         entry["rss_mib"], entry["rss_mib_long"], entry["kib_per_step"]])
        for gru, lstm in PAIRS:
            if gru in args.configs and lstm in args.configs:
                for label, value in (
                        ("growth per time step", per_step[gru] / per_step[lstm]),
                        (f"whole delta at {long}", rss(gru, long) / rss(lstm, long))):
                    targets.append({"shape": short, "pair": f"{gru} / {lstm}",
                                    "measure": label, "value": round(value, 3),
                                    "goal": 0.8, "met": value <= 0.8})

    long_t = _common.parse_shape(shapes[0][1])[1]
    print(_common.machine_line(info))
    print(f"training memory: peak RSS above the baseline (after build + tracing), median of "
          f"{args.repeats} fresh processes, {args.steps} train steps each (SGD, MSE)")
    print()
    print(_common.markdown_table(
        ["shape BxTxIxH", "config", "params", "baseline RSS MiB", "Δ RSS MiB",
         f"Δ RSS MiB at T={long_t}", "growth KiB / step"], rows, align="llrrrrr"))
    print()
    print(_common.markdown_table(
        ["shape", "ratio", "measure", "value", "goal", ""],
        [[t["shape"], t["pair"], t["measure"], f"{t['value']:.3f}", f"≤ {t['goal']}",
          "met" if t["met"] else "NOT met"] for t in targets], align="llllll"))
    if args.json:
        _common.write_json(args.json, {
            "benchmark": "bench_memory", "command": " ".join(sys.argv), "machine": info,
            "repeats": args.repeats, "steps": args.steps, "results": results,
            "targets": targets})


if __name__ == "__main__":
    main()
