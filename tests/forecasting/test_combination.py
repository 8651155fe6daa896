"""The forecaster's in-graph candidates and their validation-chosen weights: the candidate
layers equal the NumPy baselines (and statsmodels' Holt-Winters with the learnt constants,
in original units), the weights come from the validation windows only (changing the test
part changes none of them), the served forecast is the weighted sum of its candidates, and
the exported graph equals ``predict`` in a fresh TensorFlow-only process. The fits use the
ES-RNN hybrid (``model="es-rnn"``), whose base forecast (its head zeroed) is
statsmodels' Holt-Winters with the constants it learnt."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import seqkit
from seqkit.forecasting.baselines import drift, seasonal_naive
from seqkit.forecasting.combination import (
    COMBINE_LAYER,
    SeasonalNaive,
    WindowDrift,
    choose_weights,
)

PERIOD, WINDOW, HORIZON = 4, 8, 3
FIT = {"window": WINDOW, "horizon": HORIZON, "period": PERIOD, "units": 8, "epochs": 3,
       "seed": 0, "verbose": 0, "baselines": ("seasonal_naive",), "model": "es-rnn"}


def _unemp():
    import statsmodels.api as sm

    return sm.datasets.macrodata.load_pandas().data["unemp"].to_numpy("float32")


@pytest.fixture(scope="module")
def fits():
    series = _unemp()
    changed = series.copy()
    n_test = int(round(0.15 * len(series)))
    changed[-n_test:] = changed[-n_test:] * 3.0 + 5.0  # only the test part differs
    return series, seqkit.fit_forecaster(series, **FIT), seqkit.fit_forecaster(changed, **FIT)


def test_window_candidates_equal_the_numpy_baselines():
    y = _unemp()[:40]
    windows = np.stack([y[i:i + WINDOW] for i in range(0, 30, 3)])[:, :, None]
    naive = np.asarray(SeasonalNaive(5, PERIOD)(windows))
    trend = np.asarray(WindowDrift(5)(windows))
    for k, w in enumerate(windows):
        np.testing.assert_allclose(naive[k], seasonal_naive(w, 5, PERIOD), rtol=1e-6)
        np.testing.assert_allclose(trend[k], drift(w, 5), rtol=1e-6)


def test_choose_weights_by_hand():
    e = {"rnn": np.array([2.0, -2.0]), "seasonal_naive": np.array([1.0, 1.0]),
         "drift": np.array([-1.0, -1.0])}
    weights, report = choose_weights(e, "none")
    assert weights == {"rnn": 1.0, "seasonal_naive": 0.0, "drift": 0.0}
    weights, report = choose_weights(e, "best")
    assert report["val_mae"] == {"rnn": 2.0, "seasonal_naive": 1.0, "drift": 1.0}
    assert weights["seasonal_naive"] == 1.0 and report["chosen"] == "seasonal_naive"
    # inverse MSE: 1/4, 1, 1 -> 1/9, 4/9, 4/9; errors 2/9 + 4/9 - 4/9, -2/9 + 4/9 - 4/9
    weights, report = choose_weights(e, "auto")
    assert report["val_mse"] == {"rnn": 4.0, "seasonal_naive": 1.0, "drift": 1.0}
    assert weights == pytest.approx({"rnn": 1 / 9, "seasonal_naive": 4 / 9, "drift": 4 / 9})
    assert report["inverse_mse"]["val_mae"] == pytest.approx(2 / 9)
    assert report["chosen"] == "inverse_mse"


def test_weights_use_the_validation_windows_only(fits):
    _, a, b = fits
    ca, cb = a.metrics["combination"], b.metrics["combination"]
    assert ca["chosen"] == cb["chosen"]
    assert ca["weights"] == pytest.approx(cb["weights"], abs=1e-6)
    assert ca["val_mae"] == pytest.approx(cb["val_mae"], rel=1e-5)
    assert a.metrics["mae"] != pytest.approx(b.metrics["mae"], rel=0.01)  # the test did move
    assert set(ca["val_mae"]) == {"rnn", "seasonal_naive", "drift", "smoothing"}
    assert sum(ca["weights"].values()) == pytest.approx(1.0)


def test_served_forecast_is_the_weighted_sum_of_its_candidates(fits):
    series, result, _ = fits
    model = result.model
    combine = model.get_layer(COMBINE_LAYER)
    weights = dict(zip(combine.names, np.asarray(combine.mix), strict=True))
    windows = np.stack([series[o - WINDOW:o] for o in range(60, 180, 7)])
    served = result.predict(windows)[:, :, 0]
    combine.set_mix({"rnn": 1.0})
    try:
        rnn = result.predict(windows)[:, :, 0]
    finally:
        combine.set_mix(weights)
    constants = model.get_layer("candidate_smoothing").constants()
    # the window holds 2 periods, so the smoothing is seasonal; the layer ran in
    # standardised units, statsmodels runs in original ones (additive smoothing is
    # affine-equivariant, so the two agree)
    assert model.get_layer("candidate_smoothing").seasonal == "add"
    want = []
    for k, w in enumerate(windows.astype("float64")):
        hw = _seasonal_holt_winters(w, constants, HORIZON)
        parts = {"rnn": rnn[k], "seasonal_naive": seasonal_naive(w, HORIZON, PERIOD)[:, 0],
                 "drift": drift(w, HORIZON)[:, 0], "smoothing": hw}
        want.append(sum(weights[n] * parts[n] for n in parts))
    np.testing.assert_allclose(served, np.array(want), rtol=1e-4, atol=1e-4)


def test_hybrid_base_is_holt_winters_with_its_learnt_constants(fits):
    series, result, _ = fits
    model = result.model
    combine, head = model.get_layer(COMBINE_LAYER), model.get_layer("head")
    kept = [np.asarray(combine.mix).copy(), [w.numpy().copy() for w in head.weights]]
    windows = np.stack([series[o - WINDOW:o] for o in range(60, 180, 13)])
    combine.set_mix({"rnn": 1.0})
    for w in head.weights:  # no correction: the hybrid's base alone
        w.assign(np.zeros(w.shape, "float32"))
    try:
        base = result.predict(windows)[:, :, 0]
    finally:
        combine.mix.assign(kept[0])
        for w, value in zip(head.weights, kept[1], strict=True):
            w.assign(value)
    constants = model.get_layer("es_rnn_smoothing").constants()
    want = [_seasonal_holt_winters(w, constants, HORIZON) for w in windows.astype("float64")]
    np.testing.assert_allclose(base, np.array(want), rtol=1e-4, atol=1e-4)


def _seasonal_holt_winters(window, constants, horizon):
    from statsmodels.tsa.exponential_smoothing.initialization import _initialization_simple
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    level, slope, season = _initialization_simple(window, trend="add", seasonal="add",
                                                  seasonal_periods=PERIOD)
    model = ExponentialSmoothing(window, trend="add", damped_trend=True, seasonal="add",
                                 seasonal_periods=PERIOD, initialization_method="known",
                                 initial_level=level, initial_trend=slope,
                                 initial_seasonal=season)
    fit = model.fit(smoothing_level=constants["alpha"][0],
                    smoothing_trend=constants["beta"][0],
                    smoothing_seasonal=constants["gamma"][0],
                    damping_trend=constants["phi"][0], optimized=False)
    return np.asarray(fit.forecast(horizon))  # horizon < period: statsmodels#9538 not hit


def test_metrics_and_summary_say_what_is_served(fits):
    _, result, _ = fits
    m = result.metrics
    combo = m["combination"]
    assert combo["mode"] == "auto" and combo["n_val_windows"] > 0
    assert combo["chosen"] in ("rnn", "seasonal_naive", "drift", "smoothing", "inverse_mse")
    assert "served:" in result.summary()
    if combo["chosen"] != "rnn":
        assert set(m["rnn_alone"]) == {"mae", "rmse", "smape", "mase"}
    none = seqkit.fit_forecaster(_unemp(), **{**FIT, "combine": "none", "epochs": 1})
    assert none.metrics["combination"] == {"mode": "none", "chosen": "rnn",
                                           "why": "combine='none'"}
    assert "combined_scaled" not in [layer.name for layer in none.model.layers]


def test_export_equals_predict_in_a_fresh_tensorflow_only_process(fits, tmp_path):
    from tests.serving.test_standalone import ENV, LOADER, _site_without_keras_or_seqkit

    series, result, _ = fits
    info = result.export(tmp_path / "combined")
    windows = np.stack([series[o - WINDOW:o] for o in range(60, 180, 11)])[:, :, None]
    np.save(tmp_path / "x.npy", windows.astype("float32"))
    job = [("combined", info.path, {next(iter(info.inputs)): str(tmp_path / "x.npy")})]
    site = _site_without_keras_or_seqkit(tmp_path / "site")
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", LOADER, json.dumps(job),
                           str(site)], cwd=tmp_path, env=ENV, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(next(line.split(" ", 1)[1] for line in proc.stdout.splitlines()
                              if line.startswith("RESULTS ")))
    got = np.load(results["combined"]["forecast"], allow_pickle=True)
    np.testing.assert_allclose(got, result.predict(windows), rtol=1e-5, atol=1e-5)
