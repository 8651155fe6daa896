"""Backtests: origins, forecasts and scores against hand slicing and NumPy metrics, and the
no-future-leak property of retraining."""

import numpy as np
import pytest

import seqkit
from seqkit.errors import ConfigError, DataError
from seqkit.forecasting import backtest

W, H = 12, 3
N_FIT = 96


def _series(n=132, seed=0):
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return (5 + np.sin(2 * np.pi * t / 12) + 0.02 * t + rng.normal(0, 0.1, n)).astype("float32")


@pytest.fixture(scope="module")
def fitted():
    series = _series()
    result = seqkit.fit_forecaster(series[:N_FIT], window=W, horizon=H, units=4, epochs=2,
                                   test_size=0, baselines=(), seed=0, verbose=0)
    return series, result


def test_origins_forecasts_and_truth_match_hand_slicing(fitted):
    series, result = fitted
    bt = backtest(result, series, start=N_FIT, stride=4, baselines=())
    expected = np.arange(N_FIT, len(series) - H + 1, 4)
    np.testing.assert_array_equal(bt.origins, expected)
    windows = np.stack([series[o - W:o] for o in expected])[..., None]
    np.testing.assert_allclose(bt.forecasts, result.model.predict(windows, verbose=0),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(bt.truth[..., 0], np.stack([series[o:o + H]
                                                               for o in expected]))
    assert bt.retrained_at == [] and bt.config["n_origins"] == len(expected)


def test_scores_equal_numpy_recomputation(fitted):
    series, result = fitted
    bt = backtest(result, series, start=N_FIT, stride=H, baselines=("last_value",))
    err = np.abs(bt.forecasts - bt.truth)
    insample = series[:bt.origins[0]].astype("float64")
    scale = np.mean(np.abs(np.diff(insample)))  # m = 1: no period known for an array
    assert bt.metrics["mae"] == pytest.approx(err.mean(), rel=1e-6)
    assert bt.metrics["mase"] == pytest.approx(err.mean() / scale, rel=1e-6)
    last = np.stack([np.repeat(series[o - 1], H) for o in bt.origins])
    last_mae = np.mean(np.abs(last - bt.truth[..., 0]))
    assert bt.metrics["baselines"]["last_value"]["mae"] == pytest.approx(last_mae, rel=1e-6)
    first = bt.per_origin[0]
    o = bt.origins[0]
    origin_scale = np.mean(np.abs(np.diff(series[:o].astype("float64"))))
    assert first["mase"] == pytest.approx(err[0].mean() / origin_scale, rel=1e-6)
    assert len(bt.to_frame()) == len(bt.origins)
    assert set(bt.to_json()) == {"metrics", "per_origin", "retrained_at", "config"}


def test_in_sample_origins_warn(fitted):
    series, result = fitted
    with pytest.warns(UserWarning, match="inside the data the model was"):
        backtest(result, series, start=50, stride=20, baselines=())


def test_default_start_is_the_fit_test_part():
    series = _series(120)
    result = seqkit.fit_forecaster(series, window=W, horizon=H, units=2, epochs=1,
                                   test_size=12, val_size=0, baselines=(), verbose=0)
    bt = backtest(result, series, baselines=())
    assert bt.origins[0] == result.data_info["split_bounds"]["val_end"] == 108
    assert bt.origins[-1] == len(series) - H


@pytest.mark.slow
def test_retraining_uses_nothing_after_each_origin(fitted):
    """Each refit sees values[:origin] only: changing the series after the last retrain
    origin changes neither that model's forecast at it nor any earlier origin's."""
    series, result = fitted
    kwargs = {"start": 100, "stride": 10, "end": 123, "retrain": True, "baselines": ()}
    bt = backtest(result, series, **kwargs)
    assert bt.retrained_at == bt.origins.tolist() == [100, 110, 120]
    changed = series.copy()
    changed[120:] += 100.0  # the future of the last origin
    bt2 = backtest(result, changed, **kwargs)
    np.testing.assert_allclose(bt2.forecasts, bt.forecasts, rtol=1e-5, atol=1e-5)


def test_bad_inputs_are_named(fitted):
    series, result = fitted
    with pytest.raises(ConfigError, match="one series"):
        backtest(result, {"a": series, "b": series})
    with pytest.raises(ConfigError, match="stride"):
        backtest(result, series, start=N_FIT, stride=0)
    text = seqkit.FitResult(model=result.model, task="text_classification")
    with pytest.raises(ConfigError, match="forecasting result"):
        backtest(text, series)


def test_fit_result_backtest_is_the_function(fitted):
    series, result = fitted
    method = result.backtest(series, start=N_FIT, stride=4, baselines=("last_value",))
    function = backtest(result, series, start=N_FIT, stride=4, baselines=("last_value",))
    np.testing.assert_array_equal(method.origins, function.origins)
    np.testing.assert_array_equal(method.forecasts, function.forecasts)
    assert method.metrics == function.metrics


def test_backtest_of_a_classifier_is_refused():
    x = np.random.default_rng(0).normal(size=(40, 5, 1)).astype("float32")
    result = seqkit.fit_sequence_classifier(x, (x[:, 0, 0] > 0).astype(int), units=2,
                                            epochs=1, verbose=0)
    with pytest.raises(ConfigError, match="backtest needs a forecasting result, "
                                          "task='sequence_classification'"):
        result.backtest(_series())
    with pytest.raises(ConfigError, match="future_covariates needs a forecasting result"):
        result.future_covariates_for(None)
    with pytest.raises(DataError, match="predict_series needs a forecasting result"):
        result.predict_series()
