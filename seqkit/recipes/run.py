"""One recipe run: train → evaluate → save → export → report, everything in one run folder.

``runs/<name>/`` gets ``config.json`` (the recipe's options and the fit's resolved
configuration), ``metrics.json``, ``history.png``, ``model/`` (the FitResult),
``progress.json`` (last finished epoch, rewritten atomically each epoch), ``summary.json``
(where everything went), and while training ``backup/`` (Keras ``BackupAndRestore``).
The export goes to ``saved_models/<name>/<version>/`` and its report beside it.

Resuming: run the same command again after a crash; training continues from the start
of the interrupted epoch (``BackupAndRestore`` semantics). ``--fresh`` starts over.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import keras

from seqkit.errors import ConfigError
from seqkit.recipes.config import ForecastConfig, SequenceConfig, TextConfig, to_dict


def write_json(path: Path, data) -> Path:
    """Write JSON atomically (temp file + rename): readers never see half a file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, default=str))
    os.replace(tmp, path)
    return path


class ProgressFile(keras.callbacks.Callback):
    """Records each finished epoch: ``progress.json`` holds the last one (rewritten
    atomically), ``progress.log`` one JSON line per epoch with the process id (so a
    resumed run shows where it picked up)."""

    def __init__(self, run_dir):
        super().__init__()
        self.run_dir = Path(run_dir)

    def on_epoch_end(self, epoch, logs=None):
        record = {"epoch": epoch + 1, "pid": os.getpid(), "time": time.time(),
                  "logs": {k: float(v) for k, v in (logs or {}).items()}}
        write_json(self.run_dir / "progress.json", record)
        with open(self.run_dir / "progress.log", "a") as log:
            log.write(json.dumps(record) + "\n")


def _fit_kwargs(config, strategy, run_dir: Path) -> dict:
    return {
        "cell": config.cell, "units": config.units, "layers": config.layers,
        "bidirectional": config.bidirectional, "dropout": config.dropout,
        "epochs": config.epochs, "learning_rate": config.learning_rate,
        "patience": config.patience, "seed": config.seed, "strategy": strategy,
        "batch_size": config.batch_size * getattr(strategy, "num_replicas_in_sync", 1),
        "backup_dir": str(run_dir / "backup"),
        "callbacks": [ProgressFile(run_dir)],
        "verbose": config.verbose,
    }


def fit_for(task: str, config, strategy, run_dir: Path):
    """Call the task's fit function with the recipe's options."""
    import seqkit

    common = _fit_kwargs(config, strategy, run_dir)
    if isinstance(config, TextConfig):
        return seqkit.fit_text_classifier(
            config.data, data_dir=config.data_dir, max_examples=config.max_examples,
            max_tokens=config.max_tokens, sequence_length=config.sequence_length,
            embedding_dim=config.embedding_dim, **common)
    if isinstance(config, ForecastConfig):
        return seqkit.fit_forecaster(
            config.data, columns=config.columns, time_column=config.time_column,
            window=config.window, horizon=config.horizon, stride=config.stride,
            nan_policy=config.nan_policy, period=config.period, **common)
    if isinstance(config, SequenceConfig):
        return seqkit.fit_sequence_classifier(config.data, **common)
    raise ConfigError(f"unknown recipe task {task!r}; expected text, forecast or sequences")


def run_recipe(task: str, config, *, echo=print) -> dict:
    """Run one recipe end to end and return its summary (also in ``summary.json``)."""
    from seqkit.distribute import describe_strategy, get_strategy, mixed_precision_scope

    name = config.name or f"{task}-{config.cell}"
    run_dir = Path(config.runs_dir) / name
    run_dir.mkdir(parents=True, exist_ok=True)
    if config.fresh:
        shutil.rmtree(run_dir / "backup", ignore_errors=True)
        (run_dir / "progress.log").unlink(missing_ok=True)
    resumed = (run_dir / "backup").exists()
    strategy = get_strategy(config.strategy)
    echo(f"[seqkit] {task} recipe '{name}': {config.cell} x{config.layers}, "
         f"{config.units} units, strategy {describe_strategy(strategy)['kind']}"
         + (" (resuming an interrupted run)" if resumed else ""))
    started = time.perf_counter()
    if config.mixed_precision:
        with mixed_precision_scope(strategy) as policy:
            echo(f"[seqkit] mixed precision: {policy}")
            result = fit_for(task, config, strategy, run_dir)
    else:
        result = fit_for(task, config, strategy, run_dir)
    train_seconds = time.perf_counter() - started

    outputs = {"run_dir": str(run_dir), "model": str(result.save(run_dir / "model")),
               "history_png": str(result.plot_history(run_dir / "history.png"))}
    write_json(run_dir / "config.json", {"recipe": task, "options": to_dict(config),
                                         "fit": result.config})
    write_json(run_dir / "metrics.json", result.metrics)
    if config.export:
        info = result.export(Path(config.saved_models_dir) / name)
        outputs["export"] = info.path
        if config.report:
            import seqkit

            rep = seqkit.report(info.path, tflite=config.tflite)
            outputs["report"] = rep["files"]["markdown"]
    summary = {"name": name, "task": result.task, "resumed": resumed,
               "train_seconds": round(train_seconds, 2), "metrics": result.metrics,
               "timing": result.timing, "outputs": outputs}
    write_json(run_dir / "summary.json", summary)
    echo(result.summary())
    for key, value in outputs.items():
        echo(f"[seqkit] {key:12s} {value}")
    return summary
