"""One recipe run: train → evaluate → save → export → report, everything in one run folder.

``runs/<name>/`` gets ``config.json`` (the recipe's options and the fit's resolved
configuration), ``metrics.json``, ``history.png``, ``model/`` (the FitResult),
``progress.json`` (last finished epoch, rewritten atomically each epoch), ``summary.json``
(where everything went), ``tensorboard/`` (:mod:`seqkit.fit.tensorboard`: epoch scalars
and a gate-trace heatmap; off with ``--no-tensorboard`` or ``SEQKIT_TENSORBOARD=0``), and
while training ``backup/`` (:class:`seqkit.fit.train.AtomicBackupAndRestore`).
The export goes to ``saved_models/<name>/<version>/`` and its report beside it.

Resuming: run the same command again after a crash; training continues from the start
of the interrupted epoch (Keras ``BackupAndRestore`` semantics, with atomic writes).
``--fresh`` starts over.

Multi-worker (``--strategy multiworker``, one process per worker with its ``TF_CONFIG``):
every worker trains, only the chief writes. The others put the run folder's files (model,
plot, JSON, summary) and the export in a temp dir deleted at the end (they still save and
export, in step with the chief, in case TensorFlow needs every worker for that), skip the
report and ``progress.*``, and read the chief's ``backup/`` to resume but never write or
delete it (the fit functions' custom loop checkpoints through the chief only). So two
workers on one machine do not fight over ``runs/<name>`` and ``saved_models/<name>``; on
several machines put ``runs_dir`` on a shared file system if workers should resume.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import keras

from seqkit import tasks
from seqkit.errors import ConfigError
from seqkit.fileio import write_json_atomic
from seqkit.fit.tensorboard import default_enabled
from seqkit.recipes.config import to_dict


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
        write_json_atomic(self.run_dir / "progress.json", record)
        with open(self.run_dir / "progress.log", "a") as log:
            log.write(json.dumps(record) + "\n")


def _fit_kwargs(config, strategy, run_dir: Path, backup_dir: Path | None = None,
                progress: bool = True) -> dict:
    """The fit function's shared keyword arguments: the recipe's checked fit options with
    what exists only at run time (the strategy, the global batch, backup, callbacks)."""
    options = config.fit_options(
        strategy=strategy,
        batch_size=(config.batch_size if config.batch_size == "auto" else
                    config.batch_size * getattr(strategy, "num_replicas_in_sync", 1)),
        backup_dir=str(backup_dir if backup_dir is not None else run_dir / "backup"),
        callbacks=[ProgressFile(run_dir)] if progress else [],
        tensorboard=tensorboard_dir(config, run_dir))
    return options.kwargs()


def tensorboard_dir(config, run_dir: Path) -> str | bool:
    """Where a recipe's TensorBoard logs go: ``run_dir/tensorboard``, or False when the
    recipe's ``tensorboard`` option or ``SEQKIT_TENSORBOARD=0`` turns them off.

    Args:
        config: the recipe's configuration.
        run_dir: the run folder.

    Returns:
        The folder as ``str``, or False.

    Example:

    >>> import os
    >>> from seqkit.recipes.config import SequenceConfig
    >>> os.environ["SEQKIT_TENSORBOARD"] = "1"
    >>> tensorboard_dir(SequenceConfig(), Path("runs/digits"))
    'runs/digits/tensorboard'
    >>> os.environ["SEQKIT_TENSORBOARD"] = "0"
    >>> tensorboard_dir(SequenceConfig(), Path("runs/digits"))
    False
    """
    if not getattr(config, "tensorboard", True) or not default_enabled():
        return False
    return str(run_dir / "tensorboard")


def fit_for(task: str, config, strategy, run_dir: Path, *, backup_dir: Path | None = None,
            progress: bool = True):
    """Call the task's fit function with the recipe's options (``backup_dir`` defaults to
    ``run_dir/backup``; ``progress=False`` leaves out ``progress.json``).

    Args:
        task: the registered task name.
        config: its recipe configuration (:func:`seqkit.recipes.config.config_class`).
        strategy: the resolved ``tf.distribute.Strategy`` (or None).
        run_dir: the run folder.
        backup_dir: where the resumable backup goes.
        progress: write ``progress.json`` after every epoch.

    Returns:
        The :class:`seqkit.fit.FitResult`.
    """
    cls = tasks.task_class(task)
    if getattr(config, "task", None) != task:
        raise ConfigError(f"a {type(config).__name__} does not configure task {task!r}")
    common = _fit_kwargs(config, strategy, run_dir, backup_dir, progress)
    return cls.fit_function(cls.recipe_data(config), **config.fit_kwargs(), **common)


def run_recipe(task: str, config, *, echo=print) -> dict:
    """Run one recipe end to end and return its summary (also in ``summary.json``).

    Under a multi-worker strategy only the chief writes ``runs/<name>`` and
    ``saved_models/<name>`` (see the module docstring): ``run_dir`` and the export folder
    of the other workers are in a temp dir that is deleted before returning.
    """
    from seqkit.distribute import (
        describe_strategy,
        get_strategy,
        is_chief,
        mixed_precision_scope,
    )

    name = config.name or f"{task}-{config.cell}"
    # First, before any TensorFlow work: multiworker must be created at program start.
    strategy = get_strategy(config.strategy)
    chief = is_chief(strategy)
    run_dir = Path(config.runs_dir) / name
    models_dir = Path(config.saved_models_dir)
    backup_dir = run_dir / "backup"  # non-chiefs read it to resume, never write it
    scratch = None
    if not chief:
        scratch = Path(tempfile.mkdtemp(prefix=f"seqkit-worker-{name}-"))
        run_dir, models_dir = scratch / "runs" / name, scratch / "saved_models"
        if config.fresh:  # the chief deletes the shared backup: do not resume from it
            backup_dir = run_dir / "backup"
    run_dir.mkdir(parents=True, exist_ok=True)
    if config.fresh and chief:
        shutil.rmtree(backup_dir, ignore_errors=True)
        (run_dir / "progress.log").unlink(missing_ok=True)
    resumed = backup_dir.exists()
    kind = describe_strategy(strategy)["kind"]
    echo(f"[seqkit] {task} recipe '{name}': {config.cell} x{config.layers}, "
         f"{config.units} units, strategy {kind}"
         + (" (resuming an interrupted run)" if resumed else "")
         + ("" if chief else " (not the chief: outputs go to a temp dir)"))
    try:
        started = time.perf_counter()
        fit_kw = {"backup_dir": backup_dir, "progress": chief}
        if config.mixed_precision:
            with mixed_precision_scope(strategy) as policy:
                echo(f"[seqkit] mixed precision: {policy}")
                result = fit_for(task, config, strategy, run_dir, **fit_kw)
        else:
            result = fit_for(task, config, strategy, run_dir, **fit_kw)
        train_seconds = time.perf_counter() - started

        outputs = {"run_dir": str(run_dir), "model": str(result.save(run_dir / "model")),
                   "history_png": str(result.plot_history(run_dir / "history.png"))}
        write_json_atomic(run_dir / "config.json", {"recipe": task, "options": to_dict(config),
                                             "fit": result.config})
        write_json_atomic(run_dir / "metrics.json", result.metrics)
        if config.export:
            info = result.export(models_dir / name)
            outputs["export"] = info.path
            if config.report and chief:  # separate processes: no need to keep in step
                import seqkit

                rep = seqkit.report(info.path, tflite=config.tflite)
                outputs["report"] = rep["files"]["markdown"]
        if chief:
            outputs.update(tasks.task_class(task).recipe_outputs(config, result, run_dir,
                                                                 echo=echo))
        summary = {"name": name, "task": result.task, "resumed": resumed,
                   "train_seconds": round(train_seconds, 2), "metrics": result.metrics,
                   "timing": result.timing, "outputs": outputs}
        write_json_atomic(run_dir / "summary.json", summary)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    echo(result.summary())
    for key, value in outputs.items():
        echo(f"[seqkit] {key:12s} {value}")
    return summary
