"""Conformal interval calibration: offsets against a hand-written CQR, coverage on the
calibration set, the served model shifted by exactly the offsets, and when it is skipped."""

import math

import numpy as np
import pytest

import seqkit
from seqkit.forecasting.evaluation import (
    MIN_CALIBRATION_ORIGINS,
    conformal_offsets,
    coverage_by_interval,
)

LEVELS = (0.05, 0.1, 0.5, 0.9, 0.95)


def _cqr_reference(y, lo, hi, nominal):
    """Romano et al. (2019), eq. (7)-(8), one horizon step and target, written plainly."""
    scores = sorted(max(a - v, v - b) for v, a, b in zip(y, lo, hi))
    k = math.ceil((len(y) + 1) * nominal)  # the k-th smallest score
    return scores[min(k, len(y)) - 1]


def test_offsets_equal_the_textbook_cqr_quantile():
    rng = np.random.default_rng(0)
    n, h, t = 57, 2, 2
    y = rng.normal(size=(n, h, t))
    base = rng.normal(scale=0.1, size=(n, h, 1, t))
    widths = np.array([-1.2, -0.9, 0.0, 0.9, 1.2]).reshape(1, 1, 5, 1)
    q = base + widths * rng.uniform(0.5, 1.5, size=(n, h, 1, t))
    offsets = conformal_offsets(y, q, LEVELS)
    for (i, j, nominal) in ((0, 4, 0.9), (1, 3, 0.8)):
        for step in range(h):
            for target in range(t):
                d = _cqr_reference(y[:, step, target], q[:, step, i, target],
                                   q[:, step, j, target], nominal)
                assert offsets[step, i, target] == pytest.approx(-d, abs=1e-6)
                assert offsets[step, j, target] == pytest.approx(d, abs=1e-6)
    assert np.all(offsets[:, 2] == 0)  # the median never moves
    after = coverage_by_interval(y, np.sort(q + offsets, axis=2), LEVELS)
    assert after["90%"] >= 0.9 and after["80%"] >= 0.8  # CQR covers its calibration set


def _median_kept(q, offsets, a):
    """The calibrated quantiles written plainly: the median fixed, each side clipped at it."""
    out = q + offsets
    med = q[:, :, a:a + 1]
    lower = np.sort(np.minimum(out[:, :, :a], med), axis=2)
    upper = np.sort(np.maximum(out[:, :, a + 1:], med), axis=2)
    return np.concatenate([lower, med, upper], axis=2)


@pytest.fixture(scope="module")
def calibrated():
    t = np.arange(500)
    rng = np.random.default_rng(1)
    series = (np.sin(2 * np.pi * t / 25) + rng.normal(0, 0.3, len(t))).astype("float32")
    result = seqkit.fit_forecaster(series, window=30, horizon=2, units=8, epochs=4,
                                   quantiles=(0.1, 0.5, 0.9), val_size=120, test_size=100,
                                   baselines=(), seed=0, verbose=0)
    return series, result


def test_served_quantiles_move_by_the_offsets_in_original_units(calibrated):
    series, result = calibrated
    info = result.data_info["interval_calibration"]
    assert info["n_origins"] == result.data_info["n_windows"]["val"] == 119
    assert info["val_coverage_after"]["80%"] >= 0.8
    layer = result.model.get_layer("quantiles_scaled")
    offsets = np.asarray(layer.offsets)
    windows = np.stack([series[o - 30:o] for o in range(400, 498, 7)])
    calibrated_q = result.predict(windows)["quantiles"]
    layer.offsets.assign(np.zeros_like(offsets))
    raw_q = result.predict(windows)["quantiles"]
    layer.offsets.assign(offsets)
    std = result.data_info["scaler"]["std"][0]
    expected = _median_kept(raw_q, offsets[None] * std, 1)  # global scaling: d * std
    np.testing.assert_allclose(calibrated_q, expected, rtol=1e-4, atol=1e-4)
    assert np.all(np.diff(calibrated_q, axis=2) >= 0)
    np.testing.assert_allclose(calibrated_q[:, :, 1], raw_q[:, :, 1], rtol=1e-6)  # median kept


def test_too_few_validation_origins_are_not_calibrated():
    series = np.sin(np.arange(120) / 3).astype("float32")
    result = seqkit.fit_forecaster(series, window=12, horizon=2, units=2, epochs=1,
                                   quantiles=(0.1, 0.9), val_size=10, test_size=10,
                                   baselines=(), verbose=0)
    info = result.data_info["interval_calibration"]
    assert info["method"] is None and str(MIN_CALIBRATION_ORIGINS) in info["reason"]
    assert np.all(np.asarray(result.model.get_layer("quantiles_scaled").offsets) == 0)
