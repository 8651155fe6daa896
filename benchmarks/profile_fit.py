"""Where one fit's time goes: the parts of a ``fit_forecaster`` epoch, side by side per cell.

Issue 13, item 5. The fit is set up exactly as :func:`seqkit.fit_forecaster` sets it up
(the ``Forecasting`` task's data, model, training view and datasets; Adam, the task's loss
and metrics; the callbacks :func:`seqkit.fit.train.compile_and_fit` adds), then each part
is timed on its own, round-robin over the cells (LSTM part, GRU part, LSTM part, ...):

- **input pipeline**: one pass over the training dataset alone (``Dataset.reduce``, in
  the graph, as Keras' ``train_function`` pulls batches).
- **train step**: ``model.train_function`` on one fixed full batch, milliseconds per
  step, and that times the steps of an epoch; once from a dataset whose batch dimension
  is static (``[32, W, F]``) and once from one where it is unknown (``[None, W, F]``, what
  ``Dataset.batch`` without ``drop_remainder`` gives and every fit traced before
  ``ForecastData.dataset(full_batches=True)``).
- **validation**: one ``model.evaluate`` pass over the validation dataset.
- **callbacks**: the fit's callbacks (``TimingCallback``, ``EarlyStopping`` with
  ``restore_best_weights``, the schedule, ...) driven through one epoch's hooks with real
  logs, no model work.
- **epoch (fit)**: ``model.fit`` one epoch with those callbacks; probes first and last in
  the callback list split it into the train loop (per step: the step itself and the gap
  between steps), validation and the epoch-end callbacks.

``--compare-dynamic`` adds a second setup per cell whose training batches keep the
unknown batch dimension (``Forecasting.full_training_batches = False``), the fit as it
was, timed in the same rounds.

It also prints each RNN layer's ``execution_path()``, the GRU's ``reset_after``, and how
often ``train_step``/``test_step`` were traced (a Python counter runs only while tracing).

Usage (about a minute on 2 cores)::

    python benchmarks/profile_fit.py --series co2 --window 104 --horizon 4 --units 32 \\
        --batch-size 32 --cells lstm gru --repeats 7 --compare-dynamic \\
        --json benchmarks/results/profile-co2.json
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402


@dataclass
class Setup:
    """One cell's fit, ready to be timed part by part."""

    cell: str
    task: object
    model: keras.Model
    train_ds: object
    val_ds: object
    callbacks: list
    steps: int
    batch: tuple
    traces: dict = field(default_factory=lambda: {"train_step": 0, "test_step": 0})
    times: dict = field(default_factory=dict)

    def add(self, part: str, seconds: float) -> None:
        self.times.setdefault(part, []).append(seconds)


def _count_traces(model, traces: dict) -> None:
    """Wrap ``train_step``/``test_step``: their Python body runs only while tracing."""
    for name in ("train_step", "test_step"):
        step = getattr(model, name)

        def counted(data, _step=step, _name=name):
            traces[_name] += 1
            return _step(data)

        setattr(model, name, counted)


def fit_callbacks(task, plan, learning_rate: float) -> list:
    """The callbacks :func:`seqkit.fit.train.compile_and_fit` gives ``model.fit``."""
    from seqkit.fit.train import (
        TimingCallback,
        schedule_callbacks,
        stopping_patience,
        watched_quantity,
    )

    watch = watched_quantity(task.monitor, task.val_dataset is not None)
    cbs = [TimingCallback()]
    stop_after = stopping_patience(watch, plan.patience, plan.epochs)
    if stop_after is not None:
        cbs.append(keras.callbacks.EarlyStopping(monitor=watch, patience=stop_after,
                                                 restore_best_weights=True))
    cbs += schedule_callbacks(watch=watch, patience=plan.patience, lr_schedule="plateau",
                              learning_rate=learning_rate, max_seconds=plan.max_seconds)
    return cbs


def make_setup(cell: str, args, full_batches: bool = True) -> Setup:
    """The fit of ``cell`` as ``fit_forecaster`` builds it, compiled, not yet trained."""
    from seqkit.fit.options import RNNSpec
    from seqkit.fit.train import plan_training
    from seqkit.forecasting.task import Forecasting

    task = Forecasting(series=args.series, window=args.window, horizon=args.horizon,
                       nan_policy="interpolate", baselines=())
    task.check()
    task.full_training_batches = full_batches
    keras.utils.set_random_seed(args.seed)
    task.load(args.seed)
    plan = plan_training(epochs=args.epochs, batch_size=args.batch_size, patience="auto",
                         max_seconds=None, train_examples=task.train_examples)
    model = task.training_model(task.build_model(RNNSpec(cell, units=args.units)))
    train_ds, val_ds = task.datasets(plan.batch_size, args.seed)
    model.compile(optimizer=keras.optimizers.Adam(args.learning_rate), loss=task.loss,
                  metrics=list(task.metrics))
    name = cell if full_batches else f"{cell} (batch None)"
    setup = Setup(name, task, model, train_ds, val_ds,
                  fit_callbacks(task, plan, args.learning_rate), plan.steps_per_epoch,
                  next(iter(train_ds)))
    _count_traces(model, setup.traces)
    return setup


class Probe(keras.callbacks.Callback):
    """Timestamps of one fit's hooks; one probe goes first in the list, one last."""

    def __init__(self):
        super().__init__()
        self.marks: dict[str, list[float]] = {}

    def _mark(self, name):
        self.marks.setdefault(name, []).append(time.perf_counter())

    def on_epoch_begin(self, epoch, logs=None):
        self._mark("epoch_begin")

    def on_epoch_end(self, epoch, logs=None):
        self._mark("epoch_end")

    def on_train_batch_begin(self, batch, logs=None):
        self._mark("batch_begin")

    def on_train_batch_end(self, batch, logs=None):
        self._mark("batch_end")

    def on_test_begin(self, logs=None):
        self._mark("test_begin")

    def on_test_end(self, logs=None):
        self._mark("test_end")


def time_fit_epoch(s: Setup) -> None:
    """One ``model.fit`` epoch with the fit's callbacks, split by the probes."""
    first, last = Probe(), Probe()
    s.model.fit(s.train_ds, validation_data=s.val_ds, epochs=1, verbose=0, shuffle=False,
                callbacks=[first, *s.callbacks, last])
    f, la = first.marks, last.marks
    begin, end = f["epoch_begin"][0], la["epoch_end"][0]
    steps = [e - b for b, e in zip(f["batch_begin"], la["batch_end"])]
    gaps = [b - e for e, b in zip(la["batch_end"], f["batch_begin"][1:])]
    s.add("epoch (fit)", end - begin)
    s.add("fit: train loop", la["batch_end"][-1] - begin)
    s.add("fit: steps", sum(steps))
    s.add("fit: between steps", sum(gaps) + (f["batch_begin"][0] - begin))
    s.add("fit: last step", steps[-1])
    if s.val_ds is not None:
        s.add("fit: validation", la["test_end"][0] - f["test_begin"][0])
        s.add("fit: train end -> validation", f["test_begin"][0] - la["batch_end"][-1])
        s.add("fit: epoch-end callbacks", end - f["epoch_end"][0])


def time_parts(s: Setup, round_index: int) -> None:
    """The isolated parts, once each."""
    start = time.perf_counter()
    s.train_ds.reduce(tf.constant(0, tf.int64), lambda n, _: n + 1).numpy()
    s.add("input pipeline", time.perf_counter() - start)

    s.model.make_train_function()
    static = tf.data.Dataset.from_tensors(s.batch).repeat()
    dynamic = tf.data.Dataset.from_tensor_slices(s.batch).batch(len(s.batch[1])).repeat()
    for label, ds in (("static batch", static), ("batch None", dynamic)):
        batches, per_step = iter(ds), []
        for _ in range(s.steps):
            start = time.perf_counter()
            _common.finish(list(s.model.train_function(batches).values()))
            per_step.append(time.perf_counter() - start)
        s.add(f"train step, {label} (ms)", statistics.median(per_step) * 1e3)
        s.add(f"train steps of an epoch, {label}", statistics.median(per_step) * s.steps)

    if s.val_ds is not None:
        start = time.perf_counter()
        s.model.evaluate(s.val_ds, verbose=0)
        s.add("validation", time.perf_counter() - start)

    s.add("callbacks", _time_callbacks(s, round_index))


def _time_callbacks(s: Setup, round_index: int) -> float:
    """One epoch of the fit's callback hooks (an improving val_loss: EarlyStopping copies
    the weights, as in early training)."""
    cbs = keras.callbacks.CallbackList(list(s.callbacks), add_history=True,
                                       add_progbar=False, model=s.model, epochs=1,
                                       steps=s.steps)
    logs = {"loss": tf.constant(1.0), "mae": tf.constant(1.0)}
    epoch_logs = {"loss": 1.0, "mae": 1.0, "val_loss": 1.0 / (round_index + 1),
                  "val_mae": 1.0, "learning_rate": 1e-3}
    cbs.on_train_begin()
    start = time.perf_counter()
    cbs.on_epoch_begin(0)
    for step in range(s.steps):
        cbs.on_train_batch_begin(step)
        cbs.on_train_batch_end(step, logs)
    cbs.on_test_begin()
    cbs.on_test_end(epoch_logs)
    cbs.on_epoch_end(0, epoch_logs)
    seconds = time.perf_counter() - start
    s.model.stop_training = False
    return seconds


def describe_layers(s: Setup) -> str:
    rnns = [layer for layer in s.model.layers if hasattr(layer, "execution_path")]
    parts = []
    for layer in rnns:
        extra = f", reset_after={layer.cell.reset_after}" if hasattr(layer.cell, "reset_after") \
            else ""
        parts.append(f"{layer.name}: {type(layer).__name__} {layer.execution_path()}{extra}")
    return "; ".join(parts)


PARTS = ["input pipeline", "train step, static batch (ms)", "train step, batch None (ms)",
         "train steps of an epoch, static batch", "train steps of an epoch, batch None",
         "validation",
         "callbacks", "epoch (fit)", "fit: train loop", "fit: steps", "fit: between steps",
         "fit: last step", "fit: train end -> validation", "fit: validation",
         "fit: epoch-end callbacks"]


def table(setups: list[Setup]) -> str:
    """Medians per part; ratios of each later column to the first."""
    cells = [s.cell for s in setups]
    headers = ["part (s unless ms)", *cells, *[f"{c}/{cells[0]}" for c in cells[1:]]]
    rows = []
    for part in PARTS:
        if part not in setups[0].times:
            continue
        meds = [statistics.median(s.times[part]) for s in setups]
        rows.append([part, *[f"{m:.3f}" for m in meds],
                     *[_common.fmt_ratio(m / meds[0] if meds[0] else None) for m in meds[1:]]])
    return _common.markdown_table(headers, rows)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--series", default="co2")
    p.add_argument("--window", type=int, default=104)
    p.add_argument("--horizon", type=int, default=4)
    p.add_argument("--units", type=int, default=32)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=30, help="the plan's epochs (patience)")
    p.add_argument("--learning-rate", type=float, default=3e-3)
    p.add_argument("--cells", nargs="+", default=["lstm", "gru"])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs-only", action="store_true",
                   help="time only the whole fit epochs (finer interleaving)")
    p.add_argument("--compare-dynamic", action="store_true",
                   help="also time each cell with training batches of unknown size")
    p.add_argument("--json", help="write the timings here")
    args = p.parse_args(argv)
    info = _common.machine()
    setups = [make_setup(cell, args) for cell in args.cells]
    if args.compare_dynamic:
        setups += [make_setup(cell, args, full_batches=False) for cell in args.cells]
    for s in setups:  # trace everything once, untimed
        time_parts(s, 0)
        time_fit_epoch(s)
        s.times.clear()
    for r in range(args.repeats):
        for s in setups:
            time_fit_epoch(s)
        for s in setups if not args.epochs_only else ():
            time_parts(s, r + 1)
    print(_common.machine_line(info))
    print(f"series {args.series}, window {args.window}, horizon {args.horizon}, units "
          f"{args.units}, batch {args.batch_size}; {setups[0].task.train_examples} training "
          f"windows = {setups[0].steps} steps; medians of {args.repeats} rounds, round-robin")
    for s in setups:
        print(f"{s.cell}: {describe_layers(s)}; traces {s.traces}")
    print(table(setups))
    payload = {"machine": info, "args": vars(args),
               "layers": {s.cell: describe_layers(s) for s in setups},
               "traces": {s.cell: s.traces for s in setups},
               "times": {s.cell: s.times for s in setups}}
    if args.json:
        _common.write_json(args.json, payload)
    return payload


if __name__ == "__main__":
    main()
