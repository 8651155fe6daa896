"""``compare.png``: GRU/LSTM ratios with their 95% CI as error bars and a 1.0 reference
line, one panel per quantity, one point per (task, size) group. Ratios only — no bar of
absolute process memory (TensorFlow's own footprint would drown the cells').

Example:

>>> import tempfile, pathlib
>>> from seqkit.study.plot import plot_ratios
>>> ratio = {"ratio": 0.8, "low": 0.7, "high": 0.9}
>>> groups = [{"task": "t", "size": 8, "summary": {"ratios": {"gru": {"s_per_step": ratio}}}}]
>>> path = plot_ratios(groups, pathlib.Path(tempfile.mkdtemp()) / "c.png")
>>> path.read_bytes()[:4]
b'\\x89PNG'
"""

from __future__ import annotations

from pathlib import Path

from seqkit.study.render import group_label

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
