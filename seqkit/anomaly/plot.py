"""An anomaly detector's picture: the series, its scores, the threshold and the labelled
ranges.

:func:`plot_anomalies` writes a PNG (matplotlib's Agg renderer through a ``Figure``: no
display, no ``pyplot`` state) with two panels sharing the time axis: the series (its
first feature) with the labelled anomalies shaded and the flagged points marked, and the
score with the threshold. The file is written beside its final name and renamed, so a
reader never sees half a PNG.

Example:

>>> import tempfile, numpy as np
>>> from pathlib import Path
>>> x = np.sin(np.arange(100) / 5.0)
>>> scores = np.abs(np.diff(x, prepend=x[0]))
>>> path = plot_anomalies(Path(tempfile.mkdtemp()) / "a.png", x, scores, threshold=0.15,
...                       labels=[(40, 45)])
>>> path.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqkit.errors import DataError
from seqkit.fileio import write_png_atomic

FIGSIZE, DPI = (10.0, 5.0), 100


def plot_anomalies(path, series, scores, *, threshold: float, labels=None,
                   title: str | None = None) -> Path:
    """Write the picture of a series' anomaly scores.

    Args:
        path: the PNG to write.
        series: ``[T]`` or ``[T, F]`` (the first feature is drawn).
        scores: ``[T]``, one score per point.
        threshold: the flags are the scores above it.
        labels: 0/1 per point or inclusive ``(start, end)`` ranges, or None.
        title: the figure's title.

    Returns:
        ``Path(path)``.

    Raises:
        DataError: scores and series of different lengths, bad labels.
    """
    from matplotlib.figure import Figure

    from seqkit.anomaly.metrics import labels_from_ranges, ranges_from_labels

    values = np.asarray(series, "float64")
    values = values[:, 0] if values.ndim == 2 else values
    scores = np.asarray(scores, "float64")
    if values.ndim != 1 or scores.shape != values.shape:
        raise DataError(f"scores must be one per point of the series: got {scores.shape} "
                        f"scores for a series of shape {np.shape(series)}")
    ranges = [] if labels is None else ranges_from_labels(
        labels if np.ndim(labels) == 1 and len(labels) == len(values)
        else labels_from_ranges(labels, len(values)))
    flagged = np.flatnonzero(scores > threshold)
    fig = Figure(figsize=FIGSIZE)
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(values, lw=0.8, color="tab:blue", label="series")
    top.scatter(flagged, values[flagged], s=10, color="tab:red", zorder=3,
                label=f"flagged ({len(flagged)})")
    for k, (start, end) in enumerate(ranges):
        for ax in (top, bottom):
            ax.axvspan(start - 0.5, end + 0.5, color="tab:orange", alpha=0.3,
                       label="labelled anomaly" if k == 0 and ax is top else None)
    bottom.plot(scores, lw=0.8, color="tab:gray", label="anomaly score")
    bottom.axhline(threshold, color="tab:red", ls="--", lw=1, label=f"threshold {threshold:.3g}")
    bottom.set_yscale("symlog")
    top.legend(loc="upper left", fontsize=8)
    bottom.legend(loc="upper left", fontsize=8)
    bottom.set_xlabel("point")
    if title:
        top.set_title(title)
    return write_png_atomic(path, fig, dpi=DPI)
