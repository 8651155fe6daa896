"""seqkit.anomaly.baselines against hand computations and aeon's detectors called directly."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from seqkit.anomaly import baselines
from seqkit.anomaly.baselines import (
    DETECTORS,
    estimate_period,
    merlin_point_scores,
    run_detectors,
    seasonal_naive_scores,
)
from seqkit.errors import ConfigError, DataError

T, PERIOD, WINDOW, TRAIN_END = 600, 30, 30, 200
ANOMALY = (400, 411)  # inclusive: a level shift of 1.5 over 12 points


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(0)
    x = np.sin(2 * np.pi * np.arange(T) / PERIOD) + rng.normal(0.0, 0.05, T)
    x[ANOMALY[0]:ANOMALY[1] + 1] += 1.5
    return x


@pytest.fixture(scope="module")
def results(series):
    """Every detector, unsupervised and semi-supervised (one run each: numba compiles once)."""
    pytest.importorskip("aeon")
    return {None: run_detectors(series, window=WINDOW, seed=0),
            TRAIN_END: run_detectors(series, window=WINDOW, train_end=TRAIN_END, seed=0)}


def _ran(result: dict) -> dict:
    if "skipped" in result:
        # only a missing optional package may skip a detector on this series
        assert "not installed" in result["skipped"], result["skipped"]
        pytest.skip(result["skipped"])
    return result


def _standardised(x: np.ndarray, train_end) -> np.ndarray:
    part = x[:train_end]
    return (x - part.mean()) / part.std()


# --------------------------------------------------------------------------- aeon detectors


@pytest.mark.parametrize("train_end", [None, TRAIN_END])
@pytest.mark.parametrize("name", DETECTORS)
def test_scores_shape_and_top_score_on_the_anomaly(results, name, train_end):
    result = _ran(results[train_end][name])
    scores = result["scores"]
    assert scores.shape == (T,) and scores.dtype == np.float64 and np.isfinite(scores).all()
    assert isinstance(result["seconds"], float) and result["seconds"] >= 0.0
    assert result["model"].startswith(f"aeon {name}(") and f"window {WINDOW}" in result["model"]
    top = int(np.argmax(scores))  # higher = more anomalous: the top lies on the anomaly
    assert ANOMALY[0] - WINDOW <= top <= ANOMALY[1] + WINDOW, (name, top)


def _aeon_reference(name: str, z: np.ndarray, train_end):
    """aeon's detector called directly with the parameters run_detectors documents."""
    from aeon.anomaly_detection.series.distance_based import (
        MERLIN,
        STOMP,
        KMeansAD,
        LeftSTAMPi,
    )
    from aeon.anomaly_detection.series.outlier_detection import IsolationForest

    if name == "STOMP":
        return STOMP(window_size=WINDOW).fit_predict(z)
    if name == "LeftSTAMPi":
        init = train_end if train_end is not None else 2 * WINDOW
        return LeftSTAMPi(window_size=WINDOW, n_init_train=init).fit_predict(z)
    if name == "MERLIN":
        flags = MERLIN(min_length=WINDOW // 2, max_length=WINDOW).fit_predict(z)
        scores = np.zeros(T)
        for start in np.flatnonzero(flags):  # each discord start covers min_length points
            scores[start:start + WINDOW // 2] += 1.0
        return scores
    cls = {"KMeansAD": KMeansAD, "IsolationForest": IsolationForest}[name]
    detector = cls(window_size=WINDOW, random_state=0)
    if train_end is None:
        return detector.fit_predict(z)
    return detector.fit(z[:train_end]).predict(z)


@pytest.mark.parametrize("train_end", [None, TRAIN_END])
@pytest.mark.parametrize("name", DETECTORS)
def test_scores_equal_aeon_called_directly(series, results, name, train_end):
    result = _ran(results[train_end][name])
    reference = _aeon_reference(name, _standardised(series, train_end), train_end)
    np.testing.assert_allclose(result["scores"], reference, rtol=1e-9, atol=1e-12)


def test_model_says_how_each_detector_was_fit(results):
    semi = results[TRAIN_END]
    for name in ("KMeansAD", "IsolationForest"):
        if "model" in semi[name]:
            assert f"fit on [0, {TRAIN_END}), predict on the whole series" in semi[name]["model"]
    if "model" in semi["LeftSTAMPi"]:
        assert f"n_init_train={TRAIN_END}" in semi["LeftSTAMPi"]["model"]
    if "model" in semi["STOMP"]:
        assert "unsupervised" in semi["STOMP"]["model"]


def test_window_defaults_from_the_period(series):
    pytest.importorskip("aeon")
    given = run_detectors(series, names=["KMeansAD"], period=24)["KMeansAD"]["model"]
    assert "window_size=24" in given and "window 24 from the period given" in given
    found = run_detectors(series, names="KMeansAD")["KMeansAD"]["model"]
    assert f"window_size={PERIOD}" in found and "estimated period" in found


def test_skips_name_the_reason(series):
    pytest.importorskip("aeon")
    two = np.stack([series, series[::-1]], axis=1)
    out = run_detectors(two, window=WINDOW)
    for name in ("STOMP", "LeftSTAMPi", "MERLIN"):
        assert out[name] == {"skipped": f"{name} is univariate only (aeon's "
                                        "capability:multivariate is False); the series "
                                        "has 2 features"}
    assert out["KMeansAD"]["scores"].shape == (T,)
    short = run_detectors(series[:100], names=["MERLIN", "KMeansAD"], window=60,
                          train_end=70)
    assert "at least twice the longest discord length (60)" in short["MERLIN"]["skipped"]
    assert "at least 20 windows of 60 points to fit on, got 11" in \
        short["KMeansAD"]["skipped"]


def test_too_long_and_missing_packages_are_skipped(series, monkeypatch):
    pytest.importorskip("aeon")
    monkeypatch.setitem(baselines.MAX_POINTS, "MERLIN", 500)
    out = run_detectors(series, names="MERLIN", window=WINDOW)
    assert out["MERLIN"]["skipped"].startswith("too long: 600 points > 500")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("stumpy", "pyod") else real(name, *a))
    out = run_detectors(series, names=["STOMP", "IsolationForest"], window=WINDOW)
    assert out["STOMP"]["skipped"] == ("STOMP needs the package 'stumpy', not installed "
                                       "(pip install 'seqkit[anomaly]')")
    assert "'pyod'" in out["IsolationForest"]["skipped"]


def test_without_aeon(series, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "aeon" else real(name, *a))
    out = run_detectors(series, window=WINDOW)
    assert set(out) == set(DETECTORS)
    assert all("aeon is not installed" in r["skipped"] for r in out.values())
    with pytest.raises(ConfigError, match=r"names must be 'auto' without aeon installed"):
        run_detectors(series, names=["KMeansAD"], window=WINDOW)


def test_run_detectors_errors_are_named(series):
    with pytest.raises(ConfigError, match=r"names must be 'auto', one of .* got \['LOF'\]"):
        run_detectors(series, names=["LOF"])
    with pytest.raises(ConfigError, match=r"names must be one of .*got 'stomp'"):
        run_detectors(series, names="stomp")
    with pytest.raises(ConfigError, match="window must be an integer >= 2, got 1"):
        run_detectors(series, window=1)
    with pytest.raises(ConfigError, match=r"train_end must be None or an integer in "
                                          r"\[1, 600\] .*got 601"):
        run_detectors(series, train_end=601)
    bad = series.copy()
    bad[7] = np.nan
    with pytest.raises(DataError, match=r"values\[7, 0\] must be a finite number, got nan"):
        run_detectors(bad)
    with pytest.raises(DataError, match=r"values must be 1-D \[T\] or 2-D \[T, F\]"):
        run_detectors(np.ones((3, 4, 5)))


def test_merlin_point_scores_by_hand():
    flags = np.zeros(12, dtype=bool)
    flags[[2, 4, 10]] = True
    expected = np.zeros(12)
    for start in (2, 4, 10):
        for t in range(start, min(start + 3, 12)):
            expected[t] += 1
    np.testing.assert_array_equal(merlin_point_scores(flags, 3), expected)
    with pytest.raises(ConfigError, match="min_length must be an integer >= 1, got 0"):
        merlin_point_scores(flags, 0)


# --------------------------------------------------------------------------- seasonal naive


def test_seasonal_naive_by_hand_multivariate():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, -2.0]
    m, end = 4, 25
    mean = [sum(x[t, f] for t in range(end)) / end for f in range(3)]
    std = [(sum((x[t, f] - mean[f]) ** 2 for t in range(end)) / end) ** 0.5 for f in range(3)]
    residual = [0.0] * 40
    for t in range(m, 40):
        residual[t] = sum(abs((x[t, f] - mean[f]) / std[f] - (x[t - m, f] - mean[f]) / std[f])
                          for f in range(3))
    train = sorted(residual[m:end])
    assert len(train) == 21  # odd: the median is the middle value
    median = train[10]
    expected = np.array(residual) / median
    np.testing.assert_allclose(seasonal_naive_scores(x, m, train_end=end), expected)


def test_seasonal_naive_univariate_is_the_raw_residual_over_its_median():
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0])
    residual = np.array([0, 0] + [abs(x[t] - x[t - 2]) for t in range(2, 10)])
    # the standardisation cancels: whole series -> divided by the median of all residuals
    np.testing.assert_allclose(seasonal_naive_scores(x, 2), residual / np.median(residual[2:]))
    assert seasonal_naive_scores(x, 2)[:2].tolist() == [0.0, 0.0]
    # a training part that repeats exactly: median 0, residuals left undivided (over std 1)
    flat = np.array([1.0, 1.0, 1.0, 1.0, 7.0])
    np.testing.assert_allclose(seasonal_naive_scores(flat, 1, train_end=4), [0, 0, 0, 0, 6])


def test_seasonal_naive_errors_are_named():
    with pytest.raises(ConfigError, match=r"period must be an integer >= 1, got 0"):
        seasonal_naive_scores([1.0, 2.0, 3.0], 0)
    with pytest.raises(ConfigError, match=r"train_end must be None or an integer in "
                                          r"\[3, 5\] .*got 2"):
        seasonal_naive_scores([1.0, 2.0, 3.0, 4.0, 5.0], 2, train_end=2)
    with pytest.raises(DataError, match=r"values\[1, 0\] must be a finite number, got inf"):
        seasonal_naive_scores([1.0, np.inf, 3.0], 1)
    with pytest.raises(DataError, match="values must be numeric"):
        seasonal_naive_scores(["a", "b"], 1)


# --------------------------------------------------------------------------- period


def test_estimate_period_of_noisy_sines():
    rng = np.random.default_rng(1)
    t = np.arange(2000)
    for period in (7, 12, 25, 60):
        x = np.sin(2 * np.pi * t / period) + rng.normal(0.0, 0.5, t.size) + 0.002 * t
        assert estimate_period(x) == period
    two = np.stack([np.sin(2 * np.pi * t / 40), np.cos(2 * np.pi * t / 40)], axis=1)
    assert estimate_period(two + rng.normal(0.0, 0.3, two.shape)) == 40


def test_estimate_period_of_airline_is_twelve_months():
    datasets = pytest.importorskip("aeon.datasets")
    airline = np.asarray(datasets.load_airline(), dtype=np.float64)  # monthly, 1949-1960
    assert estimate_period(airline) == 12


def test_estimate_period_none_without_season():
    rng = np.random.default_rng(2)
    assert estimate_period(rng.normal(size=3000)) is None
    assert estimate_period(np.cumsum(rng.normal(size=1000))) is None  # a random walk
    assert estimate_period(np.ones(50)) is None


def test_estimate_period_errors_are_named():
    with pytest.raises(ConfigError, match=r"max_period must be None or an integer in "
                                          r"\[2, 10\) .*got 10"):
        estimate_period(np.arange(10.0), max_period=10)
    with pytest.raises(ConfigError, match=r"dominance must be a number in \(0, 1\], got 1.5"):
        estimate_period(np.arange(10.0), dominance=1.5)
