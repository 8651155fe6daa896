"""The exponential-smoothing layer against statsmodels' Holt-Winters recursions."""

import numpy as np
import pytest
from statsmodels.tsa.exponential_smoothing.initialization import _initialization_simple
from statsmodels.tsa.holtwinters import ExponentialSmoothing as StatsmodelsHW

from seqkit.errors import ConfigError
from seqkit.forecasting.smoothing import ExponentialSmoothing

M = 12
CASES = [("add", True, "add"), ("add", False, "mul"), (None, False, "add"),
         ("add", True, None), (None, False, None)]


def _co2(n=60):
    import statsmodels.api as sm

    return sm.datasets.co2.load_pandas().data["co2"].interpolate().to_numpy()[:n]


def _statsmodels_fit(y, trend, damped, seasonal):
    constants = {"smoothing_level": 0.3}
    if trend:
        constants["smoothing_trend"] = 0.1
    if seasonal:
        constants["smoothing_seasonal"] = 0.2
    if damped:
        constants["damping_trend"] = 0.9
    level, slope, season = _initialization_simple(y, trend=trend, seasonal=seasonal,
                                                  seasonal_periods=M)
    model = StatsmodelsHW(y, trend=trend, damped_trend=damped, seasonal=seasonal,
                          seasonal_periods=M if seasonal else None,
                          initialization_method="known", initial_level=level,
                          initial_trend=slope, initial_seasonal=season)
    return model.fit(optimized=False, **constants), constants


def _layer(trend, damped, seasonal, constants, horizon, window):
    layer = ExponentialSmoothing(horizon, period=M if seasonal else None, trend=trend,
                                 damped=damped, seasonal=seasonal)
    layer.build((None, window, 1))
    layer.set_constants(alpha=constants["smoothing_level"],
                        beta=constants.get("smoothing_trend"),
                        gamma=constants.get("smoothing_seasonal"),
                        phi=constants.get("damping_trend"))
    return layer


@pytest.mark.parametrize("trend,damped,seasonal", CASES)
def test_states_and_forecasts_equal_statsmodels(trend, damped, seasonal):
    y = _co2()
    fit, constants = _statsmodels_fit(y, trend, damped, seasonal)
    horizon = 2 * M + 3
    layer = _layer(trend, damped, seasonal, constants, horizon, len(y))
    x = y[None, :, None].astype("float32")
    level, slope, season = (None if s is None else np.asarray(s, "float64")
                            for s in layer.smooth(x))
    np.testing.assert_allclose(level[0, 0], fit.level[-1], rtol=1e-6)
    if trend:
        np.testing.assert_allclose(slope[0, 0], fit.trend[-1], atol=1e-4)
    if seasonal:  # the last m seasons, the next step's first
        np.testing.assert_allclose(season[0, :, 0], fit.season[-M:], rtol=1e-5, atol=1e-4)
    out = np.asarray(layer(x), "float64")[0, :, 0]
    expected = np.asarray(fit.forecast(horizon))
    # statsmodels before PR #10230 (statsmodels#9538) takes the season of one period
    # earlier at horizons that are multiples of m; FPP3 §8.3's formula takes the newest,
    # from statsmodels' own final states:
    h = np.arange(1, horizon + 1)
    if seasonal:
        phi = constants.get("damping_trend", 1.0)
        path = fit.level[-1] + (np.cumsum(phi ** h) * fit.trend[-1] if trend else 0.0)
        s = np.asarray(fit.season[-M:])[(h - 1) % M]
        fpp = path * s if seasonal == "mul" else path + s
        multiple = h % M == 0
        expected = np.where(multiple, fpp, expected)
        np.testing.assert_allclose(fpp[~multiple], np.asarray(fit.forecast(horizon))[~multiple],
                                   rtol=1e-9)
    np.testing.assert_allclose(out, expected, rtol=2e-6)


def test_batch_and_targets_are_independent():
    y = _co2(48)
    x = np.stack([y, y[::-1] * 0.5], axis=-1)[None].astype("float32")  # [1, 48, 2]
    batch = np.concatenate([x, x[:, :, ::-1]], axis=0)                  # [2, 48, 2]
    layer = ExponentialSmoothing(5, period=M)
    layer.build((None, 48, 2))
    layer.set_constants(alpha=[0.3, 0.6], beta=[0.1, 0.2], gamma=[0.2, 0.1], phi=[0.9, 0.95])
    out = np.asarray(layer(batch), "float64")
    for col, (a, b, g, p) in enumerate([(0.3, 0.1, 0.2, 0.9), (0.6, 0.2, 0.1, 0.95)]):
        single = ExponentialSmoothing(5, period=M)
        single.build((None, 48, 1))
        single.set_constants(alpha=a, beta=b, gamma=g, phi=p)
        for row in range(2):
            alone = np.asarray(single(batch[row:row + 1, :, col:col + 1]))[0, :, 0]
            np.testing.assert_allclose(out[row, :, col], alone, rtol=1e-6)


def test_constants_round_trip_save_and_gradient(tmp_path):
    import keras

    layer = ExponentialSmoothing(3, period=4)
    inp = keras.Input((8, 1))
    model = keras.Model(inp, layer(inp))
    layer.set_constants(alpha=0.4, beta=0.2, gamma=0.5, phi=0.85)
    constants = layer.constants()
    for name, value in {"alpha": 0.4, "beta": 0.2, "gamma": 0.5, "phi": 0.85}.items():
        np.testing.assert_allclose(constants[name], [value], rtol=1e-5)
    path = tmp_path / "es.keras"
    model.save(path)
    x = np.random.default_rng(0).normal(size=(3, 8, 1)).astype("float32") + 5.0
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(x))
    grads = tape.gradient(loss, model.trainable_weights)
    assert len(grads) == 4 and all(np.all(np.isfinite(g)) for g in grads)


def test_bad_settings_name_the_value():
    with pytest.raises(ConfigError, match="period"):
        ExponentialSmoothing(3, period=None, seasonal="add")
    layer = ExponentialSmoothing(3, period=12)
    with pytest.raises(ConfigError, match="at least 24 steps"):
        layer.build((None, 20, 1))
    layer = ExponentialSmoothing(3, period=4)
    layer.build((None, 8, 1))
    with pytest.raises(ConfigError, match="beta"):
        layer.set_constants(alpha=0.2, beta=0.5)
    with pytest.raises(ConfigError, match="phi"):
        layer.set_constants(alpha=0.2, phi=0.5)


def test_adjusted_window_is_the_value_less_its_season_and_the_last_level():
    y = _co2()
    fit, constants = _statsmodels_fit(y, "add", True, "add")
    layer = ExponentialSmoothing(5, period=M, return_adjusted=True)
    layer.build((None, len(y), 1))
    layer.set_constants(alpha=0.3, beta=0.1, gamma=0.2, phi=0.9)
    forecast, adjusted = layer(y[None, :, None].astype("float32"))
    _, _, initial = _initialization_simple(y, trend="add", seasonal="add", seasonal_periods=M)
    applied = np.concatenate([initial, np.asarray(fit.season)[:-M]])  # s_{t-m} for each t
    want = y - applied - fit.level[-1]
    np.testing.assert_allclose(np.asarray(adjusted, "float64")[0, :, 0], want, atol=2e-4)
    assert tuple(forecast.shape) == (1, 5, 1)
