"""``compare.md`` of the study: the seed-style table of each (task, size) group first (one
column per cell, one row per quantity, mean ± 95% CI half-width over seeds, and the paired
GRU/LSTM ratio), then the verdicts, then the per-group detail and the layer-level section.

The results dict is :func:`seqkit.study.run_compare`'s (also ``compare.json``):
``{"config", "groups": [{"task", "size", "data", "metric", "direction", "units",
"summary" (:func:`seqkit.study.summary.summarize_group`), "same_steps", "serving_report"}],
"verdicts": [{"claim", "overall", "by_group"}], "layers", "skipped", "wall_seconds"}``.

Example:

>>> from seqkit.study.render import format_ci
>>> format_ci({"mean": 2.0, "low": 1.5, "high": 2.5, "n": 3}, "{:.2f}")
'2.00 ± 0.50'
>>> format_ci({"mean": None, "n": 0}, "{:.2f}")
'–'

``compare.png``: GRU/LSTM ratios with their 95% CI as error bars and a 1.0 reference
line, one panel per quantity, one point per (task, size) group. Ratios only — no bar of
absolute process memory (TensorFlow's own footprint would drown the cells').

Example:

>>> import tempfile, pathlib
>>> from seqkit.study.render import plot_ratios
>>> ratio = {"ratio": 0.8, "low": 0.7, "high": 0.9}
>>> groups = [{"task": "t", "size": 8, "summary": {"ratios": {"gru": {"s_per_step": ratio}}}}]
>>> path = plot_ratios(groups, pathlib.Path(tempfile.mkdtemp()) / "c.png")
>>> path.read_bytes()[:4]
b'\\x89PNG'
"""

from __future__ import annotations

from pathlib import Path

from seqkit.study.summary import (
    ACCURACY_MARGIN,
    ERROR_MARGIN,
    MIN_SEEDS,
    PRACTICAL_MARGIN,
    QUANTITIES,
)


def format_ci(stat: dict, fmt: str) -> str:
    """``mean ± half-width`` of a :func:`seqkit.study.summary.mean_ci` result (the mean alone
    for one value, ``–`` for none).

    Args:
        stat: ``{"mean", "low", "high", ...}``.
        fmt: a format for one number, e.g. ``"{:.2f}"``.

    Returns:
        The text.

    Example:

    >>> format_ci({"mean": 3.0, "low": 3.0, "high": 3.0, "n": 3}, "{:.0f}")  # no spread
    '3'
    """
    if not stat or stat.get("mean") is None:
        return "–"
    text = fmt.format(stat["mean"])
    if stat.get("low") is not None and stat["high"] > stat["low"]:
        text += " ± " + fmt.format((stat["high"] - stat["low"]) / 2)
    return text


def format_ratio(r: dict) -> str:
    """``0.75× [0.70, 0.80]`` for a :func:`seqkit.study.summary.paired_ratio` result.

    Args:
        r: the ratio with ``low``/``high`` (or None).

    Returns:
        The text; ``–`` without a ratio.

    Example:

    >>> format_ratio({"ratio": 0.754, "low": 0.7, "high": 0.8})
    '0.75× [0.70, 0.80]'
    """
    if not r or r.get("ratio") is None:
        return "–"
    if r.get("low") is None or r["low"] == r["high"]:
        return f"{r['ratio']:.2f}×"
    return f"{r['ratio']:.2f}× [{r['low']:.2f}, {r['high']:.2f}]"


def group_label(group: dict) -> str:
    """``"forecast · 64u"`` (``"· equal params"``, ``"· tuned"`` appended in those modes).

    Args:
        group: one entry of ``results["groups"]``.

    Returns:
        The label.

    Example:

    >>> group_label({"task": "ucr", "size": 64, "equal_params": False})
    'ucr · 64u'
    """
    return (f"{group['task']} · {group['size']}u"
            + (" · equal params" if group.get("equal_params") else "")
            + (" · tuned" if group.get("tuning") else ""))


def seed_table(group: dict) -> list[str]:
    """The seed-style table of one group: one column per cell, one row per quantity.

    Args:
        group: one entry of ``results["groups"]``.

    Returns:
        Markdown lines.

    Example:

    >>> g = {"task": "t", "size": 8, "metric": "accuracy", "direction": "higher",
    ...      "summary": {"cells": {"lstm": {"params": {"mean": 4.0, "n": 1}}}, "ratios": {}}}
    >>> seed_table(g)[2:4]
    ['| quantity | lstm |', '|---|---:|']
    """
    summary = group["summary"]
    cells, others = list(summary["cells"]), list(summary["ratios"])
    head = ["quantity", *cells] + [f"{c}/{cells[0]} (paired, 95% CI)" for c in others]
    lines = [f"### {group_label(group)}", "", "| " + " | ".join(head) + " |",
             "|---|" + "---:|" * (len(head) - 1)]
    for key, label, fmt in QUANTITIES:
        stats = [summary["cells"][c].get(key) or {} for c in cells]
        if all(s.get("mean") is None for s in stats):
            continue
        if key == "metric":
            label = f"{group['metric']} ({group['direction']} is better)"
        row = [label] + [format_ci(s, fmt) for s in stats]
        row += [format_ratio(summary["ratios"][c].get(key)) for c in others]
        lines.append("| " + " | ".join(row) + " |")
    return lines + [""]


def verdict_table(results: dict) -> list[str]:
    """The verdicts: one row per claim, the overall verdict and one column per group.

    Args:
        results: the study's results.

    Returns:
        Markdown lines.

    Example:

    >>> r = {"groups": [{"task": "t", "size": 8}], "verdicts": [{"claim": "GRU trains faster",
    ...      "overall": "confirmed", "by_group": {"t · 8u": {"verdict": "confirmed",
    ...                                                      "number": "0.80×"}}}]}
    >>> verdict_table(r)[-1]
    '| GRU trains faster | **confirmed** | confirmed: 0.80× |'
    """
    labels = [group_label(g) for g in results["groups"]]
    lines = ["| claim | overall | " + " | ".join(labels) + " |",
             "|---|---|" + "---|" * len(labels)]
    for v in results["verdicts"]:
        row = [f"{v['by_group'][lab]['verdict']}: {v['by_group'][lab]['number']}"
               if lab in v["by_group"] else "–" for lab in labels]
        lines.append(f"| {v['claim']} | **{v['overall']}** | " + " | ".join(row) + " |")
    return lines


RULES = (f"Rules: ratios are GRU/LSTM, paired by seed, 95% t-interval on log ratios. A cost "
         f"claim is confirmed when the whole interval is below 1, refuted when it is at or "
         f"above 1 or inside ±{PRACTICAL_MARGIN:.0%} of 1, else not resolved; fewer than "
         f"{MIN_SEEDS} seeds never resolve a measured claim (parameters are an exact count). "
         f"\"As accurate\": non-inferiority with a margin of {ACCURACY_MARGIN} accuracy "
         f"(paired difference GRU − LSTM, CI lower bound ≥ −{ACCURACY_MARGIN}) or "
         f"{ERROR_MARGIN:.0%} of MASE (ratio's CI upper bound ≤ {1 + ERROR_MARGIN:.2f}).")


def _layers(layers: dict) -> list[str]:
    if not layers or layers.get("skipped") or not layers.get("rows"):
        return [f"Layer-level section not run: {(layers or {}).get('skipped', 'off')}", ""]
    rows = layers["rows"]
    r0 = rows[0]
    lines = [f"B={r0['batch']} T={r0['length']} I={r0['input_dim']}, medians of "
             f"{layers.get('repeats')} interleaved calls (ms).", "",
             "| implementation | units | LSTM fwd | GRU fwd | GRU/LSTM fwd | LSTM train | "
             "GRU train | GRU/LSTM train |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    by = {(r["implementation"], r["units"], r["cell"]): r for r in rows}
    for q in layers["ratios"]:
        lstm, gru = by[(q["implementation"], q["units"], "lstm")], by[
            (q["implementation"], q["units"], "gru")]
        lines.append(f"| {q['implementation']} | {q['units']} | {lstm['forward_ms']:.2f} | "
                     f"{gru['forward_ms']:.2f} | {q['forward_ratio']:.2f} | "
                     f"{lstm['train_ms']:.2f} | {gru['train_ms']:.2f} | "
                     f"{q['train_ratio']:.2f} |")
    return lines + [""]


def tuning_lines(tuning: dict | None) -> list[str]:
    """What ``--tune`` chose per cell (nothing when the study was not tuned).

    Args:
        tuning: ``group["tuning"]``: ``{cell: tune_cell's result}`` or ``None``.

    Returns:
        Markdown lines.

    Example:

    >>> t = {"gru": {"units": 37, "learning_rate": 0.0021, "objective": 0.0123,
    ...              "units_choices": [18, 37], "trials": [{}, {}], "search": "RandomSearch"}}
    >>> tuning_lines(t)[1]
    '  - gru: 37u, learning rate 2.10e-03 (val_loss 0.0123; units from [18, 37])'
    """
    if not tuning:
        return []
    first = next(iter(tuning.values()))
    lines = [f"- tuned with KerasTuner ({first['search']}, {len(first['trials'])} trials per "
             "cell, objective: the final epoch's val_loss on the validation split):"]
    for cell, best in tuning.items():
        lines.append(f"  - {cell}: {best['units']}u, learning rate "
                     f"{best['learning_rate']:.2e} (val_loss {best['objective']:.4g}; units "
                     f"from {best['units_choices']})")
    return lines


def _detail(group: dict) -> list[str]:
    lines = [f"### {group_label(group)} — data `{group['data']}`", "",
             f"- units per cell: {group['units']}",
             f"- same optimizer steps for every cell: {group['same_steps']}",
             f"- serving measurements: `{group.get('serving_report')}`",
             *tuning_lines(group.get("tuning"))]
    for cell, stats in group["summary"]["cells"].items():
        m, e = stats["activation_mb"].get("mean"), stats["activation_estimate_mb"].get("mean")
        if m is not None and e:
            lines.append(f"- {cell}: measured activation memory / estimate = {m / e:.2f}")
    return lines + [""]


def study_markdown(results: dict) -> str:
    """The whole ``compare.md``.

    Args:
        results: the study's results (module docstring).

    Returns:
        Markdown text.

    Example:

    >>> r = {"config": {"preset": "quick", "epochs": 3, "seeds": 3, "sizes": [64]},
    ...      "groups": [], "verdicts": [], "layers": {"skipped": "off"}}
    >>> study_markdown(r).splitlines()[0]
    '# LSTM vs GRU — preset quick: 3 epochs, fixed (no early stopping), 3 seed(s), sizes [64]'
    """
    c = results["config"]
    lines = [f"# LSTM vs GRU — preset {c['preset']}: {c['epochs']} epochs, fixed (no early "
             f"stopping), {c['seeds']} seed(s), sizes {c['sizes']}", "",
             "Mean ± half-width of the 95% t-interval over seeds; ratios paired by seed.", ""]
    if results.get("complete") is False:
        lines += [f"**Partial**: {len(results['groups'])} of {results['planned_groups']} "
                  "(task, size) groups finished so far; the study is still running or was "
                  "interrupted (`--resume` goes on from here).", ""]
    for group in results["groups"]:
        lines += seed_table(group)
    lines += ["## Verdicts", "", *verdict_table(results), "", RULES, "",
              "## Layer level (the same cells in other kernels)", "",
              *_layers(results.get("layers")), "## Detail per task and size", ""]
    for group in results["groups"]:
        lines += _detail(group)
    for task, why in results.get("skipped", {}).items():
        lines.append(f"- {task} skipped: {why}")
    if results.get("wall_seconds") is not None:
        reused = results.get("reused_runs")
        lines.append(f"\nWall time: {results['wall_seconds']:.0f} s"
                     + (f" ({reused} runs reused from an interrupted study)." if reused
                        else "."))
    return "\n".join(lines) + "\n"


#: (ratio key, panel title)
PANELS = [("params", "parameters"), ("activation_mb", "train activation memory"),
          ("s_per_step", "train s/step (steady)"), ("p50_b1_ms", "p50 latency, batch 1"),
          ("p50_b64_ms", "p50 latency, batch 64"), ("metric", "task metric")]


def plot_ratios(groups: list[dict], path, *, cell: str = "gru") -> Path:
    """Write the ratio chart of ``cell`` against the reference cell.

    Args:
        groups: ``results["groups"]`` (each with ``summary["ratios"][cell]``).
        path: the PNG to write.
        cell: the cell whose ratios are drawn.

    Returns:
        ``Path(path)``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [group_label(g) for g in groups]
    fig, axes = plt.subplots(1, len(PANELS), figsize=(2.9 * len(PANELS), 3.6), sharey=False)
    for ax, (key, title) in zip(axes, PANELS, strict=True):
        for i, group in enumerate(groups):
            r = group["summary"]["ratios"].get(cell, {}).get(key) or {}
            if r.get("ratio") is None:
                continue
            err = None
            if r.get("low") is not None:
                err = [[r["ratio"] - r["low"]], [r["high"] - r["ratio"]]]
            ax.errorbar([i], [r["ratio"]], yerr=err, fmt="o", color=f"C{i % 10}", capsize=4)
        ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=7)
        ax.set_xlim(-0.5, len(labels) - 0.5)
        ax.set_title(title, fontsize=9)
    axes[0].set_ylabel(f"{cell} / reference (95% CI)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)
