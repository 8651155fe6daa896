"""seqkit.forecasting.baselines: hand-computed naive forecasts, statsmodels' own ETS and
Theta forecasts as the reference, and the no-future-leak property."""

import warnings

import numpy as np
import pytest
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.forecasting.theta import ThetaModel, ThetaModelResults
from statsmodels.tsa.statespace.exponential_smoothing import ExponentialSmoothing

from seqkit.errors import ConfigError, DataError
from seqkit.forecasting.baselines import (
    BASELINES,
    baseline_forecasts,
    drift,
    last_value,
    seasonal_naive,
)

# the full ETS spec the module documents for histories of >= max(2m, m + 11) points
ETS_FULL = {"error": "add", "trend": "add", "damped_trend": True, "seasonal": "add",
            "seasonal_periods": 12}


def _series(n=72, seed=0, level=50.0, period=12):
    """Trend + season + noise, positive (Theta picks a multiplicative season)."""
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return level + 0.2 * t + 5 * np.sin(2 * np.pi * t / period) + rng.normal(0, 0.5, n)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' convergence chatter in references
        yield


def test_last_value_and_drift_hand_computed():
    h = np.array([[1.0, 10.0], [4.0, 7.0], [2.0, 4.0]])      # N = 3, T = 2
    np.testing.assert_array_equal(last_value(h, 2), [[2.0, 4.0], [2.0, 4.0]])
    # slopes (2 - 1)/2 = 0.5 and (4 - 10)/2 = -3: y_N + h * slope
    np.testing.assert_allclose(drift(h, 3), [[2.5, 1.0], [3.0, -2.0], [3.5, -5.0]])


def test_seasonal_naive_hand_computed():
    y = [1.0, 2.0, 3.0, 4.0, 5.0]                            # N = 5, m = 2
    # f_{N+h} = y_{N+h-2*ceil(h/2)}: h=1 -> y_4 = 4, h=2 -> y_5 = 5, h=3 -> y_4, h=4 -> y_5
    np.testing.assert_array_equal(seasonal_naive(y, 4, 2)[:, 0], [4.0, 5.0, 4.0, 5.0])
    # m = 3: h=1..4 -> y_3, y_4, y_5, y_3
    np.testing.assert_array_equal(seasonal_naive(y, 4, 3)[:, 0], [3.0, 4.0, 5.0, 3.0])
    for m in (None, 1):
        np.testing.assert_array_equal(seasonal_naive(y, 2, m), last_value(y, 2))
    with pytest.raises(DataError, match="'seasonal_naive'.*at least 6 points.*length 5"):
        seasonal_naive(y, 2, 6)


def test_simple_baselines_at_origins_equal_the_single_history_functions():
    y = _series(40)
    origins = [12, 20, 33]
    out = baseline_forecasts(y, origins, 5, period=12,
                             names=("seasonal_naive", "last_value", "drift"))
    for i, o in enumerate(origins):
        np.testing.assert_array_equal(out["seasonal_naive"][i], seasonal_naive(y[:o], 5, 12))
        np.testing.assert_array_equal(out["last_value"][i], last_value(y[:o], 5))
        np.testing.assert_allclose(out["drift"][i], drift(y[:o], 5), rtol=1e-14)


def test_ets_refit_true_equals_statsmodels_fit_on_each_history():
    y = _series(72)
    origins, horizon = [48, 60], 6
    out = baseline_forecasts(y, origins, horizon, period=12, names=("ets",), refit=True)
    for i, o in enumerate(origins):
        ref = ETSModel(y[:o], **ETS_FULL).fit(disp=False).forecast(horizon)
        np.testing.assert_allclose(out["ets"][i, :, 0], ref, atol=1e-6)


def test_ets_refit_false_equals_statsmodels_smooth_with_fixed_params():
    y = _series(72)
    origins, horizon = [48, 55, 66], 6
    out = baseline_forecasts(y, origins, horizon, period=12, names=("ets",))
    params = ETSModel(y[:48], **ETS_FULL).fit(disp=False).params  # fit_end = min(origins)
    for i, o in enumerate(origins):
        ref = ETSModel(y[:o], **ETS_FULL).smooth(params).forecast(horizon)
        np.testing.assert_allclose(out["ets"][i, :, 0], ref, atol=1e-6)


def test_ets_horizon_beyond_one_season():
    y = _series(72)
    out = baseline_forecasts(y, [50], 15, period=12, names=("ets",))
    params = ETSModel(y[:50], **ETS_FULL).fit(disp=False).params
    ref = ETSModel(y[:50], **ETS_FULL).smooth(params).forecast(15)
    np.testing.assert_allclose(out["ets"][0, :, 0], ref, atol=1e-6)


def test_theta_refit_true_equals_statsmodels_fit_on_each_history():
    y = _series(72)
    origins, horizon = [48, 61], 6
    out = baseline_forecasts(y, origins, horizon, period=12, names=("theta",), refit=True)
    for i, o in enumerate(origins):
        ref = np.asarray(ThetaModel(y[:o], period=12).fit().forecast(horizon))
        np.testing.assert_allclose(out["theta"][i, :, 0], ref, atol=1e-6)


def _theta_fixed_reference(y, fit_end, o, horizon, period):
    """statsmodels' Theta forecast on y[:o] with alpha, b0 and the seasonal indices of the
    fit on y[:fit_end]; the SES level recomputed by statsmodels' own SES over y[:o]."""
    fit_model = ThetaModel(y[:fit_end], period=period)
    res = fit_model.fit()
    b0, alpha = res.params["b0"], res.params["alpha"]
    seasonal = res._seasonal  # the fitted indices by phase 0..period-1 (no public getter)
    x = y[:o].copy()
    if seasonal.shape[0]:
        phase = seasonal[np.arange(o) % period]
        x = x / phase if fit_model.method.startswith("mul") else x - phase
    ses = ExponentialSmoothing(x, initial_level=x[0], initialization_method="known")
    one_step = np.asarray(ses.smooth([alpha]).forecast(1))[0]
    model_o = ThetaModel(y[:o], period=period, method=fit_model.method)
    return np.asarray(ThetaModelResults(b0, alpha, None, one_step, seasonal, False,
                                        model_o).forecast(horizon))


def test_theta_refit_false_equals_statsmodels_with_fixed_estimates():
    y = _series(72)
    origins, horizon = [48, 53, 66], 6
    out = baseline_forecasts(y, origins, horizon, period=12, names=("theta",))
    for i, o in enumerate(origins):
        ref = _theta_fixed_reference(y, 48, o, horizon, 12)
        np.testing.assert_allclose(out["theta"][i, :, 0], ref, atol=1e-6)
    # at the fit origin itself it is statsmodels' plain fit-and-forecast
    plain = np.asarray(ThetaModel(y[:48], period=12).fit().forecast(horizon))
    np.testing.assert_allclose(out["theta"][0, :, 0], plain, atol=1e-9)


def test_theta_refit_false_additive_season_for_non_positive_data():
    y = _series(72, level=-5.0)                               # crosses 0: additive
    out = baseline_forecasts(y, [40, 60], 4, period=12, names=("theta",), fit_end=30)
    for i, o in enumerate([40, 60]):
        ref = _theta_fixed_reference(y, 30, o, 4, 12)
        np.testing.assert_allclose(out["theta"][i, :, 0], ref, atol=1e-6)


@pytest.mark.parametrize("refit", [False, True])
def test_no_future_leak_for_all_five(refit):
    y = _series(48, seed=1, period=4)     # period 4: small seasonal ETS fits, fast
    origins = [30, 38] if not refit else [34]
    base = baseline_forecasts(y, origins, 6, period=4, refit=refit)
    for cut_i, cut in enumerate(origins):
        changed = y.copy()
        changed[cut:] += np.random.default_rng(2).normal(0, 100, y.shape[0] - cut)
        other = baseline_forecasts(changed, origins, 6, period=4, refit=refit)
        for name in BASELINES:
            # every origin at or before the cut sees an unchanged history
            for i in range(cut_i + 1):
                np.testing.assert_allclose(other[name][i], base[name][i], rtol=0,
                                           atol=1e-10, err_msg=f"{name} origin {origins[i]}")


def test_multi_target_equals_each_target_alone():
    y = np.stack([_series(40, seed=3, period=4), _series(40, seed=4, level=100.0, period=4)],
                 axis=1)
    origins = [30, 36]
    both = baseline_forecasts(y, origins, 4, period=4)
    for t in range(2):
        alone = baseline_forecasts(y[:, t], origins, 4, period=4)
        for name in BASELINES:
            assert both[name].shape == (2, 4, 2)
            assert alone[name].shape == (2, 4, 1)
            np.testing.assert_allclose(both[name][..., t], alone[name][..., 0], rtol=1e-12)


@pytest.mark.parametrize("refit", [False, True])
def test_short_series_work_for_all_five(refit):
    y = _series(20, seed=5)
    out = baseline_forecasts(y, [14], 6, period=12, refit=refit)
    assert list(out) == list(BASELINES)
    for name, f in out.items():
        assert f.shape == (1, 6, 1) and np.all(np.isfinite(f)), name
    # 14 < 2 * 12 points: ETS without season, a damped trend (>= 10 points); Theta plain
    spec = {"error": "add", "trend": "add", "damped_trend": True}
    ref = ETSModel(y[:14], **spec).fit(disp=False).forecast(6)
    np.testing.assert_allclose(out["ets"][0, :, 0], ref, atol=1e-6)
    ref = np.asarray(ThetaModel(y[:14], deseasonalize=False).fit().forecast(6))
    np.testing.assert_allclose(out["theta"][0, :, 0], ref, atol=1e-6)


def test_constant_history_forecasts_the_constant_quietly():
    y = np.full(30, 3.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = baseline_forecasts(y, [24], 3, period=12)
        refit = baseline_forecasts(y, [24], 3, period=12, names=("ets", "theta"), refit=True)
    assert caught == []
    for f in [*out.values(), *refit.values()]:
        np.testing.assert_allclose(f, 3.0, atol=1e-9)


def test_errors_name_the_problem():
    y = _series(30)
    bad = y.copy()
    bad[7] = np.nan
    with pytest.raises(DataError, match="nan at index 7 of target column 0"):
        baseline_forecasts(bad, [20], 3)
    # a NaN after the last origin is outside every history
    later = y.copy()
    later[25:] = np.nan
    assert baseline_forecasts(later, [20, 25], 3, names=("drift",))["drift"].shape == (2, 3, 1)
    with pytest.raises(DataError, match="'ets' needs a history of at least 3 points.*length 2"):
        baseline_forecasts(y, [2], 3, names=("ets",))
    with pytest.raises(DataError, match="'drift'.*length 1"):
        baseline_forecasts(y, [1, 5], 3, names=("drift",))
    with pytest.raises(ConfigError, match="fit_end must be at most min"):
        baseline_forecasts(y, [20], 3, fit_end=25)
    with pytest.raises(ConfigError, match=r"origins must be integers in \[1, 30\]"):
        baseline_forecasts(y, [31], 3)
    with pytest.raises(ConfigError, match="names must be one of"):
        baseline_forecasts(y, [20], 3, names=("arima",))
