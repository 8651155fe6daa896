"""The fit functions and the recipe CLI under ``strategy="multiworker"``: two worker
processes on 127.0.0.1 train through ``compile_and_fit``'s custom-loop path (Keras ``fit``
fails there, keras#20585) and must match single-process training.

The problem: 200 fixed sequences (6 steps x 2 features, class = sign of the first step),
split by ``fit_sequence_classifier`` into 140 train / 20 val / 40 test rows; units=8,
Adam(0.02), seed 0, 3 epochs, ``patience=None``. Every batch is full (140 is a multiple of
both global batch sizes used), so the last-partial-batch handling cannot differ.

Tolerances, and why:

- Two workers vs one process through the same custom loop (default strategy, global batch
  20 = 7 steps/epoch): the same float32 math on the same examples per step; only the
  reduction order differs (two 10-row partial sums all-reduced instead of one 20-row sum,
  ~6e-8 relative per operation, not amplified much by 21 Adam steps on this small,
  well-conditioned problem): ``TIGHT = 1e-5`` relative on the losses and metrics, 1e-4
  absolute on the weights.
- Two workers vs plain Keras ``fit`` (``strategy=None``): with one batch per epoch (global
  batch 140) the batch order cannot matter, so ``TIGHT`` again, every epoch. With 7 steps
  per epoch only epoch 1 is held to ``TIGHT``: Keras' epoch iterator creates a second
  iterator over the dataset at the end of every epoch (keras/src/trainers/epoch_iterator.py),
  which draws one more shuffle order (checked: fit's epochs 1-3 see the dataset's orders
  0, 2, 4), so from epoch 2 on Keras trains on other (equally random) orders than the loop
  (0, 1, 2). That is a different random run, not an error, so epochs 2-3 only get a
  ballpark check, ``LOOSE = 0.15`` relative.

Measured (keras 3.15.1, TF 2.21, 2 CPU cores): vs the single-process loop, the training
losses and metrics are bit-identical in float32, val_loss within 5e-8, weights within
9e-8; vs Keras fit with one batch per epoch the same, weights within 2.7e-7; with seven
steps per epoch epoch 1 is identical, epochs 2-3 differ by up to 8.4e-3 (loss), 1.9e-2
(accuracy), 9.4e-2 (val_loss). The table is in docs/distributed.md. Every process has a
time limit (``TIMEOUT_S``); stragglers are killed. The in-process tests at the end force
the loop under the one-device strategy and compare it with Keras fit on unshuffled data.

Run as a script this file is a worker: ``python test_fit_multiworker.py worker|reference
OUT.json`` (``worker`` with ``TF_CONFIG`` set).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

N, T, F = 200, 6, 2
STEP_BATCH, FULL_BATCH = 20, 140  # global batch sizes; 140 train rows
# frontend="patches": the FCN branch's BatchNorm keeps per-replica batch statistics, so
# two workers could not match one process step for step; no baselines: they are not
# under test here and cost each process aeon's import
COMMON = {"patience": None, "epochs": 3, "seed": 0, "units": 8, "learning_rate": 0.02,
          "verbose": 0, "frontend": "patches", "baselines": ()}
TIGHT, LOOSE, WEIGHT_ATOL = 1e-5, 0.15, 1e-4
TIMEOUT_S = 120  # per process


def make_data():
    rng = np.random.RandomState(0)
    x = rng.randn(N, T, F).astype("float32")
    y = np.where(x[:, 0, 0] > 0, "pos", "neg")
    return x, y


# --------------------------------------------------------------------------- worker side


def _report(result) -> dict:
    return {"history": result.history, "metrics": result.metrics, "timing": result.timing,
            "strategy": result.config["strategy"], "split": result.data_info["split_sizes"],
            "weights": [np.asarray(w, "float64").tolist() for w in result.model.get_weights()]}


def _worker(argv) -> int:
    mode, out = argv  # "worker" (TF_CONFIG set by the test) or "reference"
    assert (mode == "worker") == bool(os.environ.get("TF_CONFIG")), mode
    import seqkit

    x, y = make_data()
    report = {}
    if mode == "worker":
        # By name, first thing: the fit function creates the MultiWorkerMirroredStrategy.
        first = seqkit.fit_sequence_classifier(x, y, strategy="multiworker",
                                               batch_size=STEP_BATCH, **COMMON)
        report["steps"] = _report(first)
        # A second MWMS cannot be created in this process: reuse the model's strategy.
        strategy = first.model.distribute_strategy
        report["full"] = _report(seqkit.fit_sequence_classifier(
            x, y, strategy=strategy, batch_size=FULL_BATCH, **COMMON))
        # The other two fit functions, smoke only: a TextVectorization adapted under the
        # scope, and the forecaster's scaled training view.
        texts = [" ".join(["banana" if (i % 2 == 0 and j == i % 5) else f"w{(i * 7 + j) % 30}"
                           for j in range(6)]) for i in range(320)]
        labels = ["yes" if i % 2 == 0 else "no" for i in range(320)]  # val >= 20
        report["text"] = seqkit.fit_text_classifier(
            texts, labels, strategy=strategy, epochs=2, units=8, embedding_dim=8,
            max_tokens=100, batch_size=16, patience=None, verbose=0, baselines=(),
            wide=False).history
        t = np.arange(300, dtype="float32")
        series = 50 + 10 * np.sin(t / 6) + np.random.RandomState(0).randn(300)
        forecast = seqkit.fit_forecaster(
            series.astype("float32"), window=12, horizon=2, units=8, epochs=2,
            patience=None, batch_size=32, strategy=strategy, verbose=0)
        report["forecast"] = forecast.history
        report["forecast_served"] = forecast.metrics["combination"]
    else:  # reference: one process
        import seqkit.fit.train as train

        report["fit_steps"] = _report(seqkit.fit_sequence_classifier(
            x, y, strategy=None, batch_size=STEP_BATCH, **COMMON))
        report["fit_full"] = _report(seqkit.fit_sequence_classifier(
            x, y, strategy=None, batch_size=FULL_BATCH, **COMMON))
        train._fit_supported = lambda strategy: False  # force the custom loop
        report["loop_steps"] = _report(seqkit.fit_sequence_classifier(
            x, y, strategy="cpu", batch_size=STEP_BATCH, **COMMON))
    Path(out).write_text(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1:]))


# --------------------------------------------------------------------------- test side

from conftest import _env, _tail, free_ports, wait_all  # noqa: E402

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve()


def _launch(argv, log_path: Path, *, cwd=None, env=None) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - closed by wait_all via proc.log
    proc = subprocess.Popen(argv, cwd=cwd or HERE.parent.parent.parent, env=env or _env(),
                            stdout=log, stderr=subprocess.STDOUT)
    proc.log, proc.log_path = log, log_path
    return proc


def _run_cluster(tmp: Path, make_argv, *, cwd=None, env_extra=None, attempts=2):
    """Two processes with TF_CONFIG for 127.0.0.1 ports (retried once on a port race)."""
    for attempt in range(attempts):
        ports = free_ports(2)
        procs = []
        for i in range(2):
            env = _env()
            env.update(env_extra or {})
            env["TF_CONFIG"] = json.dumps({
                "cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                "task": {"type": "worker", "index": i}})
            procs.append(_launch(make_argv(i), tmp / f"worker{i}.log", cwd=cwd,
                                 env=env))
        codes = wait_all(procs, timeout=TIMEOUT_S)
        logs = [_tail(p.log_path) for p in procs]
        if codes == [0, 0]:
            return procs
        if not any("already in use" in log.lower() for log in logs) or \
                attempt == attempts - 1:
            pytest.fail(f"workers exited {codes} (None = killed after {TIMEOUT_S}s)\n"
                        + "\n----\n".join(logs))
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The two workers and the single-process reference, run side by side."""
    tmp = tmp_path_factory.mktemp("fit_multiworker")
    reference = _launch([sys.executable, str(HERE), "reference", tmp / "reference.json"],
                        tmp / "reference.log")
    try:
        _run_cluster(tmp, lambda i: [sys.executable, str(HERE), "worker",
                                     str(tmp / f"worker{i}.json")])
    finally:
        (rc,) = wait_all([reference], timeout=TIMEOUT_S)
    assert rc == 0, f"reference exited {rc}\n{_tail(reference.log_path)}"
    load = lambda name: json.loads((tmp / f"{name}.json").read_text())  # noqa: E731
    return {"workers": [load("worker0"), load("worker1")], "reference": load("reference")}


def _close(a, b, rtol, what):
    if "accuracy" in what and rtol == LOOSE:
        # a proportion of 20 validation examples moves in steps of 0.05: the ballpark of
        # another random order is LOOSE in absolute terms (3 examples), not relative
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=LOOSE + 1e-6,
                                   err_msg=what)
        return
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=0, err_msg=what)


def _weights_close(a, b):
    assert len(a) == len(b)
    for wa, wb in zip(a, b):
        np.testing.assert_allclose(np.asarray(wa), np.asarray(wb), rtol=0, atol=WEIGHT_ATOL)


def test_two_workers_match_the_single_process_custom_loop(runs):
    loop = runs["reference"]["loop_steps"]
    for worker in runs["workers"]:
        got = worker["steps"]
        assert got["split"] == {"train": 140, "val": 20, "test": 40}
        assert sorted(got["history"]) == ["accuracy", "loss", "val_accuracy", "val_loss"]
        for key, values in loop["history"].items():
            _close(got["history"][key], values, TIGHT, key)
        _weights_close(got["weights"], loop["weights"])
        _close(got["metrics"]["accuracy"], loop["metrics"]["accuracy"], TIGHT, "accuracy")


def test_two_workers_match_keras_fit(runs):
    ref = runs["reference"]
    for worker in runs["workers"]:
        full, fit_full = worker["full"]["history"], ref["fit_full"]["history"]
        assert sorted(full) == sorted(fit_full)  # same keys as Keras' History
        for key in fit_full:  # one batch per epoch: the shuffle order cannot matter
            _close(full[key], fit_full[key], TIGHT, key)
        _weights_close(worker["full"]["weights"], ref["fit_full"]["weights"])
        steps, fit_steps = worker["steps"]["history"], ref["fit_steps"]["history"]
        assert sorted(steps) == sorted(fit_steps)
        for key in fit_steps:
            _close(steps[key][:1], fit_steps[key][:1], TIGHT, key)  # same first order
            _close(steps[key], fit_steps[key], LOOSE, key)  # other orders: ballpark


def test_losses_decrease_and_the_chief_is_sane(runs):
    chief, other = runs["workers"]
    for run in (chief["steps"], chief["full"]):  # (full batch: only 3 Adam steps in all)
        loss = np.asarray(run["history"]["loss"])
        assert np.all(np.diff(loss) < 0), loss
    val_loss = chief["steps"]["history"]["val_loss"]
    assert np.all(np.diff(val_loss) < 0), val_loss
    assert chief["steps"]["history"]["loss"][-1] < 0.95 * chief["steps"]["history"]["loss"][0]
    metrics = chief["steps"]["metrics"]
    assert metrics["n"] == 40 and metrics["class_names"] == ["neg", "pos"]
    assert metrics["accuracy"] >= 0.75, metrics
    assert metrics["accuracy"] > metrics["majority_baseline"]
    assert np.asarray(metrics["confusion_matrix"]).sum() == 40
    timing = chief["steps"]["timing"]
    assert timing["epochs_run"] == 3 and timing["best_epoch"] is None
    assert len(timing["epoch_seconds"]) == 3 and timing["train_examples"] == 140
    # Globally reduced numbers: both workers report the same.
    assert chief["steps"]["history"] == other["steps"]["history"]
    assert chief["steps"]["metrics"] == other["steps"]["metrics"]


def test_text_and_forecast_fit_functions_run_too(runs):
    w0, w1 = runs["workers"]
    for key, names in (("text", ["accuracy", "loss", "val_accuracy", "val_loss"]),
                       ("forecast", ["loss", "mae", "val_loss", "val_mae"])):
        assert sorted(w0[key]) == names
        assert w0[key] == w1[key]  # globally reduced
        assert all(len(v) == 2 and np.all(np.isfinite(v)) for v in w0[key].values())
        assert w0[key]["loss"][1] < w0[key]["loss"][0]
    assert w0["forecast"]["loss"][0] < 2.0  # standardised targets: the training view
    # no Keras fit under multi-worker, so no smoothing constants: the RNN alone, said so
    assert w0["forecast_served"]["chosen"] == "rnn"
    assert "multi-worker" in w0["forecast_served"]["why"]


def test_strategy_is_recorded(runs):
    for index, worker in enumerate(runs["workers"]):
        info = worker["steps"]["strategy"]
        assert info["kind"] == "multiworker" and info["replicas"] == 2
        assert info["num_workers"] == 2 and info["task_id"] == index
        assert info["is_chief"] is (index == 0)
        assert worker["full"]["strategy"] == info


def test_recipe_cli_only_the_chief_writes(tmp_path):
    """``seqkit train sequence_classification --strategy multiworker`` as two processes in
    one folder."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    procs = _run_cluster(
        tmp_path,
        lambda i: [sys.executable, "-m", "seqkit.cli", "train", "sequence_classification",
                          "--strategy", "multiworker", "--name", "mw", "--epochs", "2",
                          "--units", "8", "--batch-size", "32", "--no-report",
                          "--verbose", "0", "--frontend", "patches", "--baselines", "none"],
        cwd=tmp_path, env_extra={"TMPDIR": str(tmpdir)})
    run_dir = tmp_path / "runs" / "mw"
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["task"] == "sequence_classification"
    assert summary["timing"]["epochs_run"] >= 1
    assert 0.0 <= summary["metrics"]["accuracy"] <= 1.0
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["mw"]
    assert (run_dir / "progress.json").is_file()
    assert not (run_dir / "backup").exists()  # deleted by the chief when training ended
    assert sorted(p.name for p in (tmp_path / "saved_models").iterdir()) == ["mw"]
    assert sorted(p.name for p in (tmp_path / "saved_models" / "mw").iterdir()) == ["1"]
    assert list(tmpdir.iterdir()) == []  # the other worker's temp outputs are gone
    worker1 = procs[1].log_path.read_text()
    assert "not the chief: outputs go to a temp dir" in worker1
    assert str(tmp_path / "runs") not in worker1.replace(str(tmpdir), "")



# ------------------------------------------------- the custom-loop path in this process
# compile_and_fit takes it whenever fit_supported(strategy) is False; forcing it under the
# one-device CPU strategy checks what does not need two processes against Keras fit (with
# unshuffled data the two see the same batches every epoch: TIGHT in every epoch).


def _with_loop(monkeypatch, loop: bool):
    import seqkit.fit.train as train

    monkeypatch.setattr(train, "_fit_supported", lambda strategy: not loop)
    return train


def _early_stopping_run(train, tmp_path, backup=False, crash_after=None):
    """Validation labels are the training labels flipped: as training improves, val_loss
    rises, so patience=2 stops after epoch 3 and restores epoch 1's weights."""
    import keras
    import tensorflow as tf

    from seqkit.classification.models import build_sequence_model
    from seqkit.fit.options import RNNSpec

    x, y = make_data()
    ids = (y == "pos").astype("int64")
    keras.utils.set_random_seed(0)
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    with strategy.scope():
        model = build_sequence_model(F, 2, rnn=RNNSpec("lstm", 8))
    train_ds = tf.data.Dataset.from_tensor_slices((x[:160], ids[:160])).batch(40)
    val_ds = tf.data.Dataset.from_tensor_slices((x[160:], 1 - ids[160:])).batch(40)
    seen = []

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((sorted(logs), self.model.get_weights()))
            if crash_after == epoch + 1:
                raise KeyboardInterrupt("simulated interruption")

    history, timing = train.compile_and_fit(
        model, train_ds, val_ds, epochs=6, learning_rate=0.05, patience=2,
        callbacks=[Record()], verbose=0, strategy=strategy, train_examples=160,
        backup_dir=tmp_path / "backup" if backup else None)
    return model, history, timing, seen


def test_loop_early_stopping_and_history_match_keras_fit(monkeypatch, tmp_path):
    model, history, timing, seen = _early_stopping_run(_with_loop(monkeypatch, True),
                                                       tmp_path)
    k_model, k_history, k_timing, _ = _early_stopping_run(_with_loop(monkeypatch, False),
                                                          tmp_path)
    assert sorted(history) == sorted(k_history) == \
        ["accuracy", "loss", "val_accuracy", "val_loss"]
    for key in k_history:
        _close(history[key], k_history[key], TIGHT, key)
    assert timing["epochs_run"] == k_timing["epochs_run"] == 3
    assert timing["best_epoch"] == k_timing["best_epoch"] == 1
    assert seen[0][0] == ["accuracy", "loss", "val_accuracy", "val_loss"]  # val in logs
    _weights_close(model.get_weights(), seen[0][1])  # epoch 1's weights are back
    _weights_close(model.get_weights(), k_model.get_weights())
    assert not np.allclose(model.get_weights()[0], seen[-1][1][0])


def test_loop_backup_resumes_after_an_interruption(monkeypatch, tmp_path):
    train = _with_loop(monkeypatch, True)
    with pytest.raises(KeyboardInterrupt):
        _early_stopping_run(train, tmp_path, backup=True, crash_after=2)
    assert (tmp_path / "backup" / "checkpoint").is_file()
    model, history, timing, _ = _early_stopping_run(train, tmp_path, backup=True)
    assert not (tmp_path / "backup").exists()  # deleted once training ended normally
    full, full_history, _, _ = _early_stopping_run(train, tmp_path)
    # Resumed at epoch 3 with epoch 2's weights and optimizer state: epoch 3 is the same.
    # (Early stopping starts afresh, as with Keras' BackupAndRestore: epoch 3 is its first
    # and best epoch, so it runs on to epoch 5 instead of stopping after epoch 3.)
    assert len(history["loss"]) == timing["epochs_run"] == 3
    assert timing["best_epoch"] == 3  # 1-based over the whole run, like Keras
    _close(history["loss"][0], full_history["loss"][2], TIGHT, "loss")
    _close(history["val_loss"][0], full_history["val_loss"][2], TIGHT, "val_loss")


def test_loop_trains_the_forecasters_scaled_view(monkeypatch):
    """fit_forecaster trains forecast_training_view (standardised targets) in both paths:
    epoch 1 sees the same shuffle order, so its losses agree; a model trained in original
    units would be off by the target variance (~100x here)."""
    import seqkit

    t = np.arange(300, dtype="float32")
    series = 50 + 10 * np.sin(t / 6) + np.random.RandomState(0).randn(300).astype("float32")
    kw = {"window": 12, "horizon": 2, "units": 8, "epochs": 2, "patience": None,
          "seed": 0, "verbose": 0, "batch_size": 32}
    _with_loop(monkeypatch, True)
    loop = seqkit.fit_forecaster(series, strategy="cpu", **kw)
    _with_loop(monkeypatch, False)
    fit = seqkit.fit_forecaster(series, strategy=None, **kw)
    assert sorted(loop.history) == sorted(fit.history) == ["loss", "mae", "val_loss",
                                                            "val_mae"]
    for key in fit.history:
        _close(loop.history[key][:1], fit.history[key][:1], TIGHT, key)
    assert loop.history["loss"][0] < 2.0  # standardised units
    assert loop.model.optimizer is not None  # compiled with the optimizer that trained
    assert np.isfinite(loop.metrics["mae"]) and loop.metrics["mase"] < 2.0
