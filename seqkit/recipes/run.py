"""One recipe run: train → evaluate → save → export → report, everything in one run folder.

``runs/<name>/`` gets ``config.json`` (the recipe's options and the fit's resolved
configuration), ``metrics.json``, ``history.png``, ``model/`` (the FitResult),
``progress.json`` (last finished epoch, rewritten atomically each epoch), ``summary.json``
(where everything went), ``tensorboard/`` (:mod:`seqkit.fit.tensorboard`: epoch scalars
and a gate-trace heatmap; off with ``--no-tensorboard`` or ``SEQKIT_TENSORBOARD=0``), and
while training ``backup/`` (:class:`seqkit.checkpointing.AtomicBackupAndRestore`).
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

from seqkit.errors import ConfigError
from seqkit.fileio import write_json_atomic
from seqkit.fit.tensorboard import default_enabled
from seqkit.forecasting.plot import plot_forecast
from seqkit.recipes.config import ForecastConfig, SequenceConfig, TextConfig, to_dict


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


#: the ForecastConfig fields that are fit_forecaster arguments of the same name
FORECAST_ARGS = ("columns", "time_column", "window", "horizon", "stride", "nan_policy",
                 "period", "target_columns", "future_covariates", "calendar", "id_column",
                 "static_columns", "val_size", "test_size", "quantiles", "scaling",
                 "baselines", "baseline_refit")


def forecast_kwargs(config: ForecastConfig) -> dict:
    """The forecast recipe's own :func:`seqkit.fit_forecaster` arguments (not the data
    and not the shared fit options)."""
    return {name: getattr(config, name) for name in FORECAST_ARGS}


def forecast_source(config: ForecastConfig):
    """What the recipe passes to ``fit_forecaster`` as its series: ``config.data``, or for
    a CSV whose header holds ``config.id_column`` the long frame read from it (many series:
    ``fit_forecaster`` takes a long *frame* as a collection, a CSV path as one series)."""
    import pandas as pd

    path = Path(config.data).expanduser()
    if config.id_column and path.suffix.lower() == ".csv" and path.is_file() and (
            config.id_column in pd.read_csv(path, nrows=0).columns):
        return pd.read_csv(path)
    return config.data


def fit_for(task: str, config, strategy, run_dir: Path, *, backup_dir: Path | None = None,
            progress: bool = True):
    """Call the task's fit function with the recipe's options (``backup_dir`` defaults to
    ``run_dir/backup``; ``progress=False`` leaves out ``progress.json``)."""
    import seqkit

    common = _fit_kwargs(config, strategy, run_dir, backup_dir, progress)
    if isinstance(config, TextConfig):
        return seqkit.fit_text_classifier(config.data, data_dir=config.data_dir,
            max_examples=config.max_examples,
            max_tokens=config.max_tokens, sequence_length=config.sequence_length,
            embedding_dim=config.embedding_dim, **common)
    if isinstance(config, ForecastConfig):
        return seqkit.fit_forecaster(forecast_source(config), **forecast_kwargs(config),
                                     **common)
    if isinstance(config, SequenceConfig):
        return seqkit.fit_sequence_classifier(config.data, **common)
    raise ConfigError(f"unknown recipe task {task!r}; expected text, forecast or sequences")


def forecast_outputs(config: ForecastConfig, result, run_dir: Path, *, echo=print) -> dict:
    """After a forecast run: the backtest over the test part (``--backtest``) and the
    picture of the last test origin (one series only).

    Writes ``run_dir/backtest.json`` (:meth:`Backtest.to_json`: overall metrics beside the
    baselines, one row per origin, the settings) and ``backtest.png``
    (:meth:`Backtest.plot`, the last origin) with ``config.backtest``; and
    ``forecast.png`` (history, truth, forecast and, with quantiles, the interval bands of
    the last test origin) whenever the run has one series and a test part.

    Args:
        config: the recipe's configuration.
        result: the trained forecaster.
        run_dir: the run folder.
        echo: where the backtest's lines are printed.

    Returns:
        ``{"backtest": path, "backtest_png": path, "forecast_png": path}`` for what was
        written.
    """
    from seqkit.forecasting.backtest import backtest

    info = result.data_info
    bounds, horizon = info["split_bounds"], result.config["horizon"]
    if info.get("n_series", 1) > 1 or bounds["val_end"] >= bounds["n"]:
        return {}  # many series, or no test part: no single test origin to draw
    outputs, levels = {}, result.config.get("quantiles")
    if config.backtest:
        bt = backtest(result, config.data, stride=config.backtest_stride,
                      retrain=config.backtest_retrain, baselines=tuple(config.baselines),
                      baseline_refit=config.baseline_refit, verbose=0)
        outputs["backtest"] = str(write_json_atomic(run_dir / "backtest.json",
                                                    bt.to_json()))
        echo(_backtest_line(bt))
    else:  # one origin, the last of the test part, for the picture
        bt = backtest(result, config.data, start=bounds["n"] - horizon, baselines=())
    values, index = _target_history(config, info["target_indices"])
    if config.backtest:
        outputs["backtest_png"] = str(bt.plot(run_dir / "backtest.png", history=values,
                                              quantile_levels=levels))
    o = int(bt.origins[-1])
    outputs["forecast_png"] = str(plot_forecast(
        run_dir / "forecast.png", history=values[:o], truth=bt.truth[-1],
        forecast=bt.forecasts[-1], quantiles=None if bt.quantiles is None else bt.quantiles[-1],
        quantile_levels=levels, history_index=index[:o], index=index[o:o + horizon],
        max_history=max(4 * result.config["window"], 2 * horizon),
        title=f"{config.data} ({info['target_columns'][0]}): forecast from the last test "
              f"origin ({index[o]})"))
    return outputs


def _target_history(config: ForecastConfig, targets) -> tuple:
    """The series' target values ``[N, T]`` and time index, read as the fit read them."""
    from seqkit.data.timeseries import check_series, load_series

    series = check_series(load_series(config.data, columns=config.columns,
                                      time_column=config.time_column, period=config.period),
                          config.nan_policy)
    return series.values[:, list(targets)], series.index


def _backtest_line(bt) -> str:
    m, c = bt.metrics, bt.config
    line = (f"backtest ({c['n_origins']} origins from {c['start']}, stride {c['stride']}, "
            f"retrain {c['retrain']}): MAE {m['mae']:.4g}  MASE {m['mase']:.3f}")
    for name, b in m.get("baselines", {}).items():
        line += f"; {name} {b['mase']:.3f}"
    coverage = m.get("quantiles", {}).get("coverage", {})
    return line + "".join(f"; {k} coverage {v:.3f}" for k, v in coverage.items())


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
        if task == "forecast" and chief:
            outputs.update(forecast_outputs(config, result, run_dir, echo=echo))
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
