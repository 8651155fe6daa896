"""The study's driver (``seqkit compare``, :func:`seqkit.study.run_compare`): is the GRU
lighter and faster than the LSTM, and at what cost in quality — with 95% intervals over
seeds and a verdict per claim.

Each (task, cell, size, seed) runs in its own process (``_child_main``): first the
activation-memory probe of the cell at the study's size
(:func:`seqkit.study.measure.activation_memory`, a clean baseline in a fresh process),
then the task's recipe (:data:`seqkit.study.presets.STUDY_TASKS`) with fixed epochs and
no early stopping (the same optimizer steps for every cell: checked from
``timing["steps_run"]``), then the counts and the steady-state throughput. The exports
of every seed of a (task, size) group are then measured side by side by
:func:`seqkit.report` in its comparison mode (fresh processes, p50/p99 at batch 1 and 64).
:mod:`seqkit.study.summary` turns the runs into mean ± CI, paired GRU/LSTM ratios and
verdicts; :mod:`seqkit.study.layerbench` adds the layer-level section (Keras, seqkit,
PyTorch) in one more process. Results: ``compare.md``, ``compare.json`` and
``compare.png`` in ``out_dir``. The method is in docs/lstm_vs_gru.md.

Example (what one run of the study is asked to do):

>>> from seqkit.study.config import CompareConfig
>>> from seqkit.study.driver import job_options
>>> o = job_options(CompareConfig().resolved(), "ucr", "gru", 74, 1, "ucr:ArrowHead")
>>> o["name"], o["units"], o["epochs"], o["patience"], o["data"]
('ucr-gru-74u-seed1', 74, 3, None, 'ucr:ArrowHead')

Progress of the study over its (task × cell × size × seed) runs: done/total, elapsed
time and an estimate of what remains (the mean time of the runs finished so far times the
runs left).

Example:

>>> from seqkit.study.driver import Progress
>>> clock = iter([0.0, 60.0, 60.0]).__next__
>>> p = Progress(4, clock=clock)
>>> p.finished()
>>> p.line("forecast", "gru", 64, 1)
'[compare 1/4 · 1m00s elapsed · ~3m00s left] forecast gru 64u seed 1'
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from seqkit.fileio import write_json_atomic, write_text_atomic
from seqkit.recipes.config import config_class, to_dict
from seqkit.study.config import CompareConfig
from seqkit.study.presets import STUDY_TASKS
from seqkit.validation import check_int

CHILD_TAG = "SEQKIT_COMPARE_RESULT "
LAYER_TAG = "SEQKIT_LAYERBENCH "


def task_data(config: CompareConfig) -> dict[str, str | None]:
    """The data of each task (None: none given or found, the task is skipped with
    :attr:`~seqkit.study.presets.StudyTask.missing`).

    Args:
        config: the study's configuration.

    Returns:
        ``{task: data name or path, or None}``.

    Example:

    >>> task_data(CompareConfig(text_data="x.tsv"))["text"], task_data(CompareConfig())["ucr"]
    ('x.tsv', 'ucr:ArrowHead')
    """
    return {task: spec.data(config) for task, spec in STUDY_TASKS.items()}


def job_options(config: CompareConfig, task: str, cell: str, units: int, seed: int,
                data: str, *, learning_rate: float | None = None) -> dict:
    """The recipe options of one run: the same budget for every cell.

    Args:
        config: the resolved study configuration.
        task: the study task.
        cell: the cell.
        units: its units.
        seed: the seed.
        data: the task's data.
        learning_rate: the cell's tuned learning rate (default: the study's).

    Returns:
        Keyword arguments of the task recipe's configuration class.

    Example:

    >>> o = job_options(CompareConfig().resolved(), "forecast", "lstm", 64, 0, "co2")
    >>> o["name"], o["patience"], o["baselines"], o["report"]
    ('forecast-lstm-64u-seed0', None, [], False)
    """
    options = {"name": f"{task}-{cell}-{units}u-seed{seed}", "cell": cell, "seed": seed,
               "data": data, "units": units, "epochs": config.epochs, "patience": None,
               "batch_size": config.batch_size,
               "learning_rate": learning_rate or config.learning_rate,
               "strategy": config.strategy, "runs_dir": str(Path(config.out_dir) / "runs"),
               "saved_models_dir": config.saved_models_dir, "export": True,
               "report": False, "fresh": True, "verbose": config.verbose}
    recipe_fields = {f.name for f in dataclasses.fields(config_class(STUDY_TASKS[task].recipe))}
    if "tensorboard" in recipe_fields:
        options["tensorboard"] = False  # no log writing inside the timed epochs
    return {**options, **STUDY_TASKS[task].options(config)}


def _fit_recipe(task: str, options: dict):
    """In a child process: the task's recipe, quietly; returns its summary and the saved
    :class:`~seqkit.fit.FitResult`."""
    from seqkit.fit import FitResult
    from seqkit.recipes.run import run_recipe

    recipe = STUDY_TASKS[task].recipe
    summary = run_recipe(recipe, config_class(recipe)(**options), echo=lambda *_: None)
    return summary, FitResult.load(summary["outputs"]["model"])


def _child_main(task: str, options: dict, probe: dict) -> None:
    """Runs in the child process: the memory probe, the recipe, the measurements; prints
    one JSON line tagged :data:`CHILD_TAG`."""
    import seqkit.fit  # noqa: F401  (TensorFlow and Keras loaded)
    from seqkit.serving.verify import dir_size
    from seqkit.study import measure

    memory = measure.activation_memory(options["cell"], options["units"],
                                       seed=options["seed"], **probe)
    summary, result = _fit_recipe(task, options)
    counts = measure.model_counts(result.model)
    steady = measure.steady_state(summary["timing"])
    export = summary["outputs"]["export"]
    record = {"cell": options["cell"], "units": options["units"], "seed": options["seed"],
              **counts, **steady, "saved_model_mb": dir_size(export) / 1e6,
              "activation_mb": memory["measured_mb"],
              "activation_estimate_mb": memory["estimate_mb"],
              "gpu_peak_mb": memory["gpu_peak_mb"], "memory_probe": memory,
              "metric": summary["metrics"].get(STUDY_TASKS[task].metric),
              "metrics": summary["metrics"], "export": export,
              "stop_reason": summary["timing"].get("stop_reason")}
    print(CHILD_TAG + json.dumps(record, default=str), flush=True)


def _trial_main(task: str, options: dict) -> None:
    """Runs in the child process of one tuning trial: the recipe without export; prints
    the final epoch's validation loss (the tuner's objective) tagged :data:`CHILD_TAG`."""
    import seqkit.fit  # noqa: F401
    from seqkit.study import measure

    _, result = _fit_recipe(task, options)
    val_loss = result.history.get("val_loss")
    if not val_loss:
        raise RuntimeError(f"tuning trial {options['name']}: no val_loss in the history "
                           f"(keys {sorted(result.history)}): tuning needs a validation split")
    record = {"objective": float(val_loss[-1]), **measure.model_counts(result.model)}
    print(CHILD_TAG + json.dumps(record, default=str), flush=True)


def _run_child(task: str, options: dict, probe: dict | None) -> dict:
    """One run (or, with ``probe=None``, one tuning trial) in a fresh process."""
    cmd = [sys.executable, "-m", "seqkit.study.driver", task, json.dumps(options),
           json.dumps(probe)]
    # no TensorBoard logs in study runs: nothing but the fit inside the timed epochs
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "SEQKIT_TENSORBOARD": "0"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    for line in proc.stdout.splitlines():
        if line.startswith(CHILD_TAG):
            return json.loads(line[len(CHILD_TAG):])
    tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
    raise RuntimeError(f"comparison run {options['name']} failed (exit {proc.returncode}): "
                       f"{tail}")


def _tune_group(config: CompareConfig, task: str, size: int, data: str, echo) -> dict:
    """KerasTuner's search per cell (:mod:`seqkit.study.tuning`), the reference first (its
    trials record the input width that sizes the others' parameter budget); each trial is
    a fresh process.

    Returns:
        ``{cell: tune_cell's result, with "units_choices"}``.
    """
    from seqkit.study.tuning import tune_cell, units_choices

    tune_dir, tuned = Path(config.out_dir) / "tune", {}
    settings = dataclasses.replace(config, out_dir=str(tune_dir), saved_models_dir=str(
        tune_dir / "saved_models"))
    for cell in config.cells:
        def objective(lr, units, cell=cell):
            options = {**job_options(settings, task, cell, units, 0, data, learning_rate=lr),
                       "name": f"{task}-{size}u-{cell}-{units}u-lr{lr:.3e}", "export": False}
            echo(f"[compare] tuning {task} {size}u {cell}: trial {units}u, lr {lr:.2e}")
            record = _run_child(task, options, None)
            return {"val_loss": record["objective"], "rnn_input_dim": record["rnn_input_dim"]}

        reference = config.cells[0]
        if cell == reference:
            choices = units_choices(cell, size, cell, input_dim=1)  # its own budget: size
        else:
            input_dim = int(tuned[reference]["rnn_input_dim"])
            choices = units_choices(reference, size, cell, input_dim=input_dim)
        # trial 1 as untuned: the study's units (a choice when within the budget)
        untuned = min(choices, key=lambda u: (abs(u - size), -u))
        tuned[cell] = {**tune_cell(objective, units=choices, trials=config.tune,
                                   directory=tune_dir / "keras_tuner",
                                   project=f"{task}-{size}u-{cell}", resume=config.resume,
                                   default_learning_rate=config.learning_rate,
                                   default_units=untuned),
                       "units_choices": choices}
        echo(f"[compare] tuned {task} {size}u {cell}: {tuned[cell]['units']}u, "
             f"lr {tuned[cell]['learning_rate']:.2e} (val_loss {tuned[cell]['objective']:.4g})")
    return tuned


def _run_group(config: CompareConfig, task: str, size: int, data: str, progress,
               echo, tuned: dict | None = None) -> tuple[dict[str, list[dict]], dict[str, int]]:
    """Every run of one (task, size) group, the reference cell first (its input width
    sizes the others under ``equal_params``); with ``tuned``, each cell's tuned units and
    learning rate.

    Returns:
        ``({cell: [run per seed]}, {cell: units})``.
    """
    from seqkit.study import checkpoint
    from seqkit.study.sizes import equal_params_units

    reference, runs, units = config.cells[0], {}, {}
    probe = {"batch": config.memory_batch, "length": config.memory_length}
    for cell in config.cells:
        units[cell] = tuned[cell]["units"] if tuned else size
        learning_rate = tuned[cell]["learning_rate"] if tuned else None
        if config.equal_params and cell != reference:
            units[cell] = equal_params_units(reference, size, cell,
                                             input_dim=runs[reference][0]["rnn_input_dim"])
        for seed in range(config.seeds):
            options = job_options(config, task, cell, units[cell], seed, data,
                                  learning_rate=learning_rate)
            record = checkpoint.load_run(config.out_dir, options, probe) \
                if config.resume else None
            if record is not None and Path(record["export"]).is_dir():
                echo(progress.line(task, cell, units[cell], seed) + " (reused)")
                progress.reused()
            else:
                echo(progress.line(task, cell, units[cell], seed))
                record = _run_child(task, options, probe)
                checkpoint.save_run(config.out_dir, options, probe, record)
                progress.finished()
            runs.setdefault(cell, []).append(record)
    return runs, units


def _serve_group(runs: dict[str, list[dict]], config: CompareConfig, out_dir: Path) -> str:
    """Measure every export of a group side by side (:func:`seqkit.report`, comparison
    mode, batch 1 and 64) and add the figures to each run; returns the report's markdown."""
    import seqkit
    from seqkit.reporting.report import comparison_rows

    flat = [run for cell_runs in runs.values() for run in cell_runs]
    rep = seqkit.report([run["export"] for run in flat], batch_sizes=(1, 64),
                        repeats=config.latency_repeats, concurrency=0, cold_start=False,
                        plots=False, out_dir=str(out_dir))
    rows = rep["comparison"] or comparison_rows(rep["models"])
    for run, row, model in zip(flat, rows, rep["models"], strict=True):
        rss = model["memory"]["rss"]
        loaded = (rss.get("after_load") or {}).get("current_bytes")
        run.update(p50_b1_ms=row["p50_small_ms"], p99_b1_ms=row["p99_small_ms"],
                   p50_b64_ms=row["p50_large_ms"], p99_b64_ms=row["p99_large_ms"],
                   serve_rss_above_loaded_mb=(row["peak_rss_bytes"] - loaded) / 2**20
                   if loaded else None)
    return rep["files"]["markdown"]


def _layer_section(config: CompareConfig) -> dict:
    """The layer-level timings (:mod:`seqkit.study.layerbench`) in a fresh process."""
    from seqkit.study.layerbench import gru_over_lstm

    repeats = 5 if config.preset == "quick" else 15
    options = {"units": list(config.sizes), "repeats": repeats}
    proc = subprocess.run([sys.executable, "-m", "seqkit.study.layerbench",
                           json.dumps(options)], capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    for line in proc.stdout.splitlines():
        if line.startswith(LAYER_TAG):
            rows = json.loads(line[len(LAYER_TAG):])
            return {"rows": rows, "ratios": gru_over_lstm(rows), "repeats": repeats}
    tail = " ".join((proc.stderr or "").strip().splitlines()[-2:])
    return {"skipped": f"the layer timing process failed (exit {proc.returncode}): {tail}"}


def _verdicts_across(groups: list[dict]) -> list[dict]:
    from seqkit.study.render import group_label
    from seqkit.study.summary import CLAIMS, overall

    out = []
    for i, claim in enumerate(CLAIMS):
        by_group = {group_label(g): g["summary"]["verdicts"][i] for g in groups
                    if g["summary"]["verdicts"]}
        out.append({"claim": claim, "overall": overall(list(by_group.values())),
                    "by_group": by_group})
    return out


def _plan(config: CompareConfig, data: dict, echo) -> tuple[list[str], dict]:
    skipped = {}
    for task in config.tasks:
        if data[task] is None:
            skipped[task] = STUDY_TASKS[task].missing
            echo(f"[compare] skipping {task}: {skipped[task]}")
    return [t for t in config.tasks if t not in skipped], skipped


def _study_group(config: CompareConfig, task: str, size: int, data: str, progress,
                 echo) -> dict:
    """One (task, size) group: reused from ``out_dir/groups`` under ``resume`` when it
    finished under the same settings, else its runs, their exports measured side by side,
    the summary; written to ``out_dir/groups`` before it is returned."""
    from seqkit.study import checkpoint
    from seqkit.study.summary import summarize_group

    key, out_dir = checkpoint.study_key(config), Path(config.out_dir)
    group = checkpoint.load_group(out_dir, key, task, size, data) if config.resume else None
    if group is not None:
        echo(f"[compare] {task} {size}u: reusing the group finished earlier "
             f"({checkpoint.group_path(out_dir, task, size)})")
        for _ in range(sum(len(r) for r in group["runs"].values())):
            progress.reused()
        return group
    metric, direction = STUDY_TASKS[task].metric, STUDY_TASKS[task].direction
    tuned = _tune_group(config, task, size, data, echo) if config.tune else None
    runs, units = _run_group(config, task, size, data, progress, echo, tuned)
    echo(f"[compare] {task} {size}u: measuring the exports side by side ...")
    report_md = _serve_group(runs, config, out_dir / "serving" / f"{task}-{size}u")
    steps = {r["steps_run"] for cell_runs in runs.values() for r in cell_runs}
    group = {"task": task, "size": size, "data": data, "metric": metric,
             "direction": direction, "units": units, "equal_params": config.equal_params,
             "same_steps": len(steps) == 1, "serving_report": report_md, "runs": runs,
             "tuning": tuned,
             "summary": summarize_group(runs, direction=direction,
                                        reference=config.cells[0])}
    checkpoint.save_group(out_dir, key, group)
    return group


def _write_results(results: dict, out_dir: Path, cell: str) -> str:
    """``compare.json``, ``compare.md`` and ``compare.png`` (atomically; also after each
    group, marked partial, so an interrupted study leaves what it finished)."""
    from seqkit.study.render import plot_ratios, study_markdown

    write_json_atomic(out_dir / "compare.json", results)
    markdown = study_markdown(results)
    write_text_atomic(out_dir / "compare.md", markdown)
    plot_ratios(results["groups"], out_dir / "compare.png", cell=cell)
    return markdown


def run_compare(config: CompareConfig, *, echo=print) -> dict:
    """Run the study and write ``compare.md``/``.json``/``.png`` into ``config.out_dir``.

    The three files are also written after each (task, size) group, marked partial, and
    each run's record and each group as soon as they finish (:mod:`seqkit.study.checkpoint`):
    ``resume=True`` (``--resume``) reuses them after an interruption.

    Args:
        config: the study's configuration (its preset fills what is unset).
        echo: where progress and the final table are printed.

    Returns:
        The results (``compare.json``; :mod:`seqkit.study.render` describes the keys).

    Example (the whole study takes minutes; its options are checked before anything runs):

    >>> from seqkit.study import CompareConfig, run_compare

    >>> run_compare(CompareConfig(tasks=["forecast"], sizes=[0]))
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: sizes must be an integer >= 1, got 0
    """

    config, started = config.resolved(), time.monotonic()
    out_dir = Path(config.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = task_data(config)
    tasks, skipped = _plan(config, data, echo)
    planned = [(task, size) for task in tasks for size in config.sizes]
    progress = Progress(len(planned) * len(config.cells) * config.seeds)
    results = {"config": to_dict(config), "groups": [], "verdicts": [],
               "layers": {"skipped": "not yet run"}, "skipped": skipped,
               "complete": False, "planned_groups": len(planned)}
    for task, size in planned:
        results["groups"].append(_study_group(config, task, size, data[task], progress,
                                              echo))
        results["verdicts"] = _verdicts_across(results["groups"])
        results["wall_seconds"] = time.monotonic() - started
        results["reused_runs"] = progress.reused_runs
        _write_results(results, out_dir, config.cells[1])
    if config.layer_bench:
        echo("[compare] layer level: Keras, seqkit and PyTorch cells side by side ...")
    results["layers"] = _layer_section(config) if config.layer_bench else {"skipped": "off"}
    results["complete"] = True
    results["wall_seconds"] = time.monotonic() - started
    results["reused_runs"] = progress.reused_runs
    markdown = _write_results(results, out_dir, config.cells[1])
    echo(markdown)
    echo(f"[compare] wrote {out_dir / 'compare.md'}, compare.json, compare.png")
    return results


def format_seconds(seconds: float) -> str:
    """``"1h02m"``, ``"3m05s"`` or ``"42s"``.

    Args:
        seconds: a duration.

    Returns:
        The duration in words of the clock.

    Example:

    >>> format_seconds(42.4), format_seconds(185), format_seconds(3720)
    ('42s', '3m05s', '1h02m')
    """
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


class Progress:
    """Counts finished runs and estimates the rest.

    Args:
        total: the number of runs planned.
        clock: seconds now (default ``time.monotonic``); read once at construction, once
            per :meth:`finished`, :meth:`reused` and :meth:`line`.
    """

    def __init__(self, total: int, *, clock=time.monotonic):
        self.total = check_int("total", total, minimum=0)
        self.done = 0
        self.reused_runs = 0
        self._clock = clock
        self._start = self._last = clock()
        self._busy = 0.0  # seconds spent in runs this process ran (not reused ones)

    def finished(self) -> None:
        """One more run is done.

        Example:

        >>> p = Progress(2, clock=iter([0.0, 5.0]).__next__)
        >>> p.finished(); p.done
        1
        """
        self.done += 1
        now = self._clock()
        self._busy += now - self._last
        self._last = now

    def reused(self) -> None:
        """One more run is done, taken from an earlier study (``resume``): it counts as done
        but not in the time per run.

        Example:

        >>> p = Progress(3, clock=iter([0.0, 0.0, 10.0]).__next__)
        >>> p.reused(); p.finished(); p.remaining_seconds()
        10.0
        """
        self.done += 1
        self.reused_runs += 1
        self._last = self._clock()  # a reused run took no time of this process

    def remaining_seconds(self) -> float | None:
        """Mean seconds per finished run × runs left (None before the first one).

        Example:

        >>> Progress(3, clock=iter([0.0]).__next__).remaining_seconds() is None
        True
        """
        timed = self.done - self.reused_runs
        if not timed:
            return None
        return self._busy / timed * (self.total - self.done)

    def line(self, task: str, cell: str, units: int, seed: int) -> str:
        """The progress line printed before a run starts.

        Args:
            task: the task.
            cell: the cell.
            units: its units.
            seed: the seed.

        Returns:
            ``[compare done/total · elapsed · ~left] task cell <units>u seed <seed>``.

        Example:

        >>> Progress(2, clock=iter([0.0, 3.0]).__next__).line("text", "lstm", 64, 0)
        '[compare 0/2 · 3s elapsed · ? left] text lstm 64u seed 0'
        """
        elapsed = self._clock() - self._start
        left = self.remaining_seconds()
        left_text = "? left" if left is None else f"~{format_seconds(left)} left"
        return (f"[compare {self.done}/{self.total} · {format_seconds(elapsed)} elapsed · "
                f"{left_text}] {task} {cell} {units}u seed {seed}")


if __name__ == "__main__":  # child: python -m seqkit.study.driver TASK OPTIONS PROBE
    if json.loads(sys.argv[3]) is None:  # a tuning trial
        _trial_main(sys.argv[1], json.loads(sys.argv[2]))
    else:
        _child_main(sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]))
