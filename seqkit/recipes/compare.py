"""LSTM vs GRU (and named variants), same budget, several seeds: the question seqkit
exists for, answered with one table.

Each (task, cell, seed) trains in its own process (so its peak resident memory is its
own), with the same epochs, units and batch size and no early stopping, then exports.
The exports of seed 0 are measured side by side by :func:`seqkit.report` in its
comparison mode (a fresh process, the way they will be served). Results: ``compare.md``,
``compare.json`` and ``compare.png`` in ``out_dir``.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

from seqkit.errors import ConfigError
from seqkit.fileio import write_json_atomic
from seqkit.recipes.config import CONFIGS, CompareConfig, to_dict

CHILD_TAG = "SEQKIT_COMPARE_RESULT "
SHARED_SENTIMENT = Path(__file__).resolve().parents[3] / "shared/data/sentiment_sentences"


def task_data(config: CompareConfig) -> dict[str, str | None]:
    """The data each task trains on; text needs local data (None: skipped, with reason)."""
    text = config.text_data
    if text is None and SHARED_SENTIMENT.is_dir():
        text = str(SHARED_SENTIMENT)
    return {"text": text, "forecast": config.forecast_data, "sequences": config.sequence_data}


def job_config(config: CompareConfig, task: str, cell: str, seed: int, data: str) -> dict:
    """The recipe options of one comparison run (the same budget for every cell)."""
    options = {"name": f"{task}-{cell}-seed{seed}", "cell": cell, "seed": seed, "data": data,
               "units": config.units, "epochs": config.epochs, "patience": None,
               "batch_size": config.batch_size, "learning_rate": config.learning_rate,
               "strategy": config.strategy,
               "runs_dir": str(Path(config.out_dir) / "runs"),
               "saved_models_dir": config.saved_models_dir, "export": True,
               "report": False, "fresh": True, "verbose": config.verbose}
    if task == "text" and config.text_max_examples:
        options["max_examples"] = config.text_max_examples
    return options


def child_main(task: str, options: dict) -> None:
    """Runs in the child process: one recipe, then its peak RSS on stdout as JSON."""
    import seqkit.fit  # noqa: F401  (TensorFlow and Keras loaded: the baseline)
    from seqkit.recipes.run import run_recipe

    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    summary = run_recipe(task, CONFIGS[task](**options), echo=lambda *_: None)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(CHILD_TAG + json.dumps({"summary": summary, "peak_train_rss_mb": peak_kb / 1024,
                                  "train_rss_above_import_mb": (peak_kb - baseline_kb) / 1024},
                                 default=str), flush=True)


def _run_child(task: str, options: dict) -> dict:
    cmd = [sys.executable, "-m", "seqkit.recipes.compare", task, json.dumps(options)]
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    for line in proc.stdout.splitlines():
        if line.startswith(CHILD_TAG):
            return json.loads(line[len(CHILD_TAG):])
    tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
    raise RuntimeError(f"comparison run {options['name']} failed (exit {proc.returncode}): "
                       f"{tail}")


def _mean_std(values) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {"mean": None, "std": None, "n": 0}
    return {"mean": statistics.fmean(values),
            "std": statistics.stdev(values) if len(values) > 1 else 0.0, "n": len(values)}


def quality_metric(task: str) -> tuple[str, str]:
    """(metric key, direction) used for the table: accuracy ↑ or MASE ↓."""
    return ("mase", "lower") if task == "forecast" else ("accuracy", "higher")


def measure_exports(exports: dict[str, str], repeats: int) -> tuple[dict[str, dict], str]:
    """Serving figures of each export, measured side by side by :func:`seqkit.report` in
    fresh processes; returns ({cell: figures}, path of the report's markdown)."""
    import seqkit
    from seqkit.reporting.report import comparison_rows

    cells = list(exports)
    rep = seqkit.report([exports[c] for c in cells], batch_sizes=(1, 64), repeats=repeats,
                        concurrency=0, cold_start=False)
    rows = rep["comparison"] or comparison_rows(rep["models"])
    served = {}
    for cell, row in zip(cells, rows, strict=True):
        served[cell] = {
            "params": row["params"], "saved_model_mb": row["saved_model_bytes"] / 1e6,
            "peak_serve_rss_mb": row["peak_rss_bytes"] / 2**20,
            "p50_b1_ms": row["p50_small_ms"], "p99_b1_ms": row["p99_small_ms"],
            "p50_b64_ms": row["p50_large_ms"], "p99_b64_ms": row["p99_large_ms"],
        }
    return served, rep["files"]["markdown"]


def run_compare(config: CompareConfig, *, echo=print) -> dict:
    unknown = sorted(set(config.tasks) - set(CONFIGS))
    if unknown:
        raise ConfigError(f"unknown task(s) {unknown}; expected some of {sorted(CONFIGS)}")
    out_dir = Path(config.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = task_data(config)
    results = {"config": to_dict(config), "tasks": {}, "skipped": {}}
    for task in config.tasks:
        if data[task] is None:
            results["skipped"][task] = ("no local text data: pass --text-data PATH (the "
                                        "shared sentiment sentences are not beside this checkout)")
            echo(f"[compare] skipping {task}: {results['skipped'][task]}")
            continue
        runs = {}
        for cell in config.cells:
            for seed in range(config.seeds):
                echo(f"[compare] {task}: training {cell} (seed {seed}) ...")
                runs.setdefault(cell, []).append(
                    _run_child(task, job_config(config, task, cell, seed, data[task])))
        exports = {cell: r[0]["summary"]["outputs"]["export"] for cell, r in runs.items()}
        echo(f"[compare] {task}: measuring {len(exports)} exports side by side ...")
        served, report_md = measure_exports(exports, config.latency_repeats)
        metric, direction = quality_metric(task)
        rows = {}
        for cell, cell_runs in runs.items():
            timing = [r["summary"]["timing"] for r in cell_runs]
            rows[cell] = {
                **served[cell],
                "peak_train_rss_mb": _mean_std([r["peak_train_rss_mb"] for r in cell_runs]),
                "train_rss_above_import_mb": _mean_std(
                    [r["train_rss_above_import_mb"] for r in cell_runs]),
                "seconds_per_epoch": _mean_std([t.get("median_epoch_seconds") for t in timing]),
                metric: _mean_std([r["summary"]["metrics"].get(metric) for r in cell_runs]),
            }
        results["tasks"][task] = {"data": data[task], "metric": metric,
                                  "direction": direction, "rows": rows,
                                  "serving_report": report_md}
    write_json_atomic(out_dir / "compare.json", results)
    markdown = comparison_markdown(results)
    (out_dir / "compare.md").write_text(markdown)
    plot_comparison(results, out_dir / "compare.png")
    echo(markdown)
    echo(f"[compare] wrote {out_dir / 'compare.md'}, compare.json, compare.png")
    return results


COLUMNS = [("params", "params", "{:,.0f}"), ("saved_model_mb", "SavedModel MB", "{:.2f}"),
           ("peak_train_rss_mb", "peak train RSS MB", "{:.0f}"),
           ("train_rss_above_import_mb", "train RSS above TF import MB", "{:.0f}"),
           ("peak_serve_rss_mb", "peak serve RSS MB", "{:.0f}"),
           ("seconds_per_epoch", "s/epoch", "{:.2f}"),
           ("p50_b1_ms", "p50 b1 ms", "{:.2f}"), ("p99_b1_ms", "p99 b1 ms", "{:.2f}"),
           ("p50_b64_ms", "p50 b64 ms", "{:.2f}"), ("p99_b64_ms", "p99 b64 ms", "{:.2f}")]


def _value(cell_row, key):
    value = cell_row.get(key)
    return value.get("mean") if isinstance(value, dict) else value


def _fmt(cell_row, key, fmt):
    value = cell_row.get(key)
    if isinstance(value, dict):
        if value.get("mean") is None:
            return "–"
        text = fmt.format(value["mean"])
        return text + (f" ± {fmt.format(value['std'])}" if value.get("n", 0) > 1 else "")
    return "–" if value is None else fmt.format(value)


def comparison_markdown(results: dict) -> str:
    seeds = results["config"]["seeds"]
    lines = [f"# LSTM vs GRU — same budget ({results['config']['epochs']} epochs, "
             f"{results['config']['units']} units), mean ± std over {seeds} seed(s)", ""]
    for task, block in results["tasks"].items():
        metric, rows = block["metric"], block["rows"]
        head = [label for _, label, _ in COLUMNS] + [f"{metric} ({block['direction']} is better)"]
        lines += [f"## {task} — data: `{block['data']}`", "",
                  "| cell | " + " | ".join(head) + " |", "|---|" + "---:|" * len(head)]
        for cell, row in rows.items():
            cells = [_fmt(row, key, fmt) for key, _, fmt in COLUMNS] + [_fmt(row, metric, "{:.3f}")]
            lines.append(f"| {cell} | " + " | ".join(cells) + " |")
        names = list(rows)
        if len(names) >= 2:
            base = rows[names[0]]
            for other in names[1:]:
                ratios = []
                for key, _, _ in COLUMNS + [(metric, metric, "")]:
                    a, b = _value(base, key), _value(rows[other], key)
                    ratios.append(f"{b / a:.2f}" if a and b is not None else "–")
                lines.append(f"| **{other}/{names[0]}** | " + " | ".join(ratios) + " |")
        lines += ["", f"Serving measurements: `{block['serving_report']}`", ""]
    for task, why in results["skipped"].items():
        lines.append(f"- {task} skipped: {why}")
    return "\n".join(lines) + "\n"


def plot_comparison(results: dict, path) -> Path:
    """Bar charts, one panel per figure, cells side by side within each task."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("params", "parameters"), ("peak_train_rss_mb", "peak train RSS (MB)"),
              ("seconds_per_epoch", "seconds / epoch"), ("p50_b1_ms", "p50 latency b1 (ms)"),
              ("p50_b64_ms", "p50 latency b64 (ms)"), ("metric", "quality metric")]
    tasks = list(results["tasks"])
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.4))
    for ax, (key, title) in zip(axes, panels):
        for t_i, task in enumerate(tasks):
            block = results["tasks"][task]
            k = block["metric"] if key == "metric" else key
            for c_i, (cell, row) in enumerate(block["rows"].items()):
                value = _value(row, k) or 0.0
                ax.bar(t_i + 0.8 * c_i / len(block["rows"]), value,
                       width=0.8 / len(block["rows"]), color=f"C{c_i}",
                       label=cell if t_i == 0 else None)
        ax.set_xticks([i + 0.2 for i in range(len(tasks))])
        ax.set_xticklabels(tasks, fontsize=8)
        ax.set_title(title, fontsize=9)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


if __name__ == "__main__":  # child process: python -m seqkit.recipes.compare TASK OPTIONS_JSON
    child_main(sys.argv[1], json.loads(sys.argv[2]))
