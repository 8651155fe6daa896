"""plot_forecast: a valid PNG of the fixed size, written atomically; the figure's bands,
lines and legend hold the arrays given; bad shapes are refused naming them."""

from __future__ import annotations

import struct

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from seqkit.errors import ConfigError, DataError
from seqkit.forecasting.plot import DPI, FIGSIZE, _forecast_figure, plot_forecast

LEVELS = (0.05, 0.1, 0.5, 0.9, 0.95)


def _example(horizon=6, n=20, targets=2, seed=0):
    rng = np.random.default_rng(seed)
    history = rng.normal(size=(n, targets)).cumsum(axis=0)
    truth = history[-1] + rng.normal(size=(horizon, targets))
    spread = np.sqrt(np.arange(1, horizon + 1))[:, None, None]
    quantiles = history[-1] + norm.ppf(LEVELS)[None, :, None] * spread  # [h, Q, T]
    return history, truth, quantiles


def _png_size(path) -> tuple[int, int]:
    """Width and height from the PNG signature and IHDR chunk (PNG spec, section 11.2.2)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def _edge_points(collection) -> set[tuple[float, float]]:
    return {tuple(v) for v in np.round(collection.get_paths()[0].vertices, 9)}


def test_png_is_valid_of_the_fixed_size_and_written_atomically(tmp_path):
    history, truth, quantiles = _example()
    target = tmp_path / "plots" / "forecast.png"
    got = plot_forecast(target, history=history, truth=truth, forecast=quantiles[:, 2],
                        quantiles=quantiles, quantile_levels=LEVELS, target=1, title="t")
    assert got == target
    assert _png_size(target) == (int(FIGSIZE[0] * DPI), int(FIGSIZE[1] * DPI))
    first = target.read_bytes()
    plot_forecast(target, history=history[:, 0], forecast=truth[:, 0])  # overwrite, 1-D
    assert target.read_bytes() != first and _png_size(target) == (900, 450)
    assert sorted(p.name for p in target.parent.iterdir()) == ["forecast.png"]  # no temp


def test_bands_lines_and_legend_hold_the_given_arrays():
    history, truth, quantiles = _example()
    fig = _forecast_figure(history=history, truth=truth, forecast=quantiles[:, 2],
                           quantiles=quantiles, quantile_levels=LEVELS, target=1,
                           max_history=8)
    ax = fig.axes[0]
    x = np.arange(20, 26)
    wide, narrow = ax.collections                  # widest interval drawn first
    for band, (lo, hi) in ((wide, (0, 4)), (narrow, (1, 3))):
        want = {(float(a), round(float(b), 9)) for a, b in zip(x, quantiles[:, lo, 1])}
        want |= {(float(a), round(float(b), 9)) for a, b in zip(x, quantiles[:, hi, 1])}
        assert _edge_points(band) == want
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "90% interval", "80% interval", "history", "truth", "median forecast"]
    lines = {line.get_label(): line for line in ax.lines}
    np.testing.assert_array_equal(lines["history"].get_xdata(), np.arange(12, 20))
    np.testing.assert_array_equal(lines["history"].get_ydata(), history[-8:, 1])
    np.testing.assert_array_equal(lines["truth"].get_ydata(), truth[:, 1])
    np.testing.assert_array_equal(lines["median forecast"].get_xdata(), x)
    np.testing.assert_array_equal(lines["median forecast"].get_ydata(), quantiles[:, 2, 1])
    assert ax.get_xlabel() == "time step" and ax.get_ylabel() == "value (target 1)"


def test_levels_without_pairs_draw_no_band_and_a_point_forecast_is_labelled_so():
    fig = _forecast_figure(history=[1.0, 2.0], forecast=[2.0, 3.0],
                           quantiles=[[2.0, 2.5], [3.0, 3.5]], quantile_levels=(0.5, 0.8))
    assert len(fig.axes[0].collections) == 0
    fig = _forecast_figure(history=[1.0, 2.0], forecast=[2.0, 3.0])
    assert [line.get_label() for line in fig.axes[0].lines] == ["history", "forecast"]


def test_datetime_and_numeric_axes_continue_each_other():
    days = pd.date_range("2024-03-01", periods=9, freq="D")
    fig = _forecast_figure(history=np.arange(6.0), forecast=[6.0, 7.0, 8.0],
                           history_index=days[:6])
    lines = {line.get_label(): line for line in fig.axes[0].lines}
    np.testing.assert_array_equal(lines["forecast"].get_xdata(), days[6:].to_numpy())
    assert fig.axes[0].get_xlabel() == "date"
    months = pd.DatetimeIndex(["2024-01-01", "2024-02-01", "2024-03-01"])  # freq inferred
    fig = _forecast_figure(history=[1.0, 2.0], forecast=[1.0, 2.0, 3.0], index=months)
    hist = {line.get_label(): line for line in fig.axes[0].lines}["history"]
    np.testing.assert_array_equal(hist.get_xdata(), pd.DatetimeIndex(
        ["2023-11-01", "2023-12-01"]).to_numpy())
    fig = _forecast_figure(history=[1.0, 2.0, 3.0], forecast=[1.0, 2.0], index=[10, 12])
    hist = {line.get_label(): line for line in fig.axes[0].lines}["history"]
    np.testing.assert_array_equal(hist.get_xdata(), [4, 6, 8])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"forecast": np.zeros((3, 2, 2))}, DataError,
     r"forecast must be \[horizon\] or \[horizon, targets\], got shape \(3, 2, 2\)"),
    ({"history": np.zeros((5, 3))}, DataError,
     r"history must be non-empty, \[n, 2\] like forecast \(3, 2\), got shape \(5, 3\)"),
    ({"truth": np.zeros((4, 2))}, DataError,
     r"truth must have the forecast's shape \(3, 2\), got \(4, 2\)"),
    ({"quantiles": np.zeros((3, 4, 2))}, ConfigError, r"quantile_levels must be 4 strictly"),
    ({"quantiles": np.zeros((3, 3, 2)), "quantile_levels": (0.1, 0.5, 0.9, 0.95)},
     ConfigError, r"quantile_levels must be 3 strictly increasing"),
    ({"quantiles": np.zeros((3, 2)), "quantile_levels": (0.1, 0.9)}, DataError,
     r"quantiles must be \[horizon, Q, targets\], got shape \(3, 2\)"),
    ({"quantiles": np.zeros((4, 2, 2)), "quantile_levels": (0.1, 0.9)}, DataError,
     r"quantiles must have shape \(3, 2, 2\) \(forecast \(3, 2\), 2 levels\), got \(4, 2, 2\)"),
    ({"index": [1, 2]}, DataError, r"index must have 3 values .*got shape \(2,\)"),
    ({"history_index": [0]}, DataError, r"history_index must have 5 values"),
    ({"target": 2}, ConfigError, r"target must be a target index in 0..1"),
    ({"max_history": 0}, ConfigError, r"max_history must be None or an integer >= 1, got 0"),
    ({"history": ["a", "b"]}, DataError, r"history must be numeric"),
])
def test_bad_arguments_are_named(tmp_path, kwargs, error, match):
    args = {"history": np.zeros((5, 2)), "forecast": np.zeros((3, 2)), **kwargs}
    with pytest.raises(error, match=match):
        plot_forecast(tmp_path / "bad.png", **args)
    assert not any(tmp_path.iterdir())
