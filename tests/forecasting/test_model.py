"""The forecaster's network against NumPy: with its head zeroed the residual model *is* the
naive forecast and the other one the scaling mean, in original units, under global and
per-window scaling; the input transforms, the covariate inputs, the quantile head, the
training view, a .keras round trip and the argument errors. No training here."""

import math

import keras
import numpy as np
import pytest

from seqkit.errors import ConfigError, DataError
from seqkit.fit.options import RNNSpec
from seqkit.forecasting.model import (
    RELATIVE_SCALE_FLOOR,
    AddLastValue,
    Standardize,
    TakeQuantile,
    Unstandardize,
    WindowStats,
    build_forecast_model,
    forecast_training_view,
)
from seqkit.validation import scale_stats

W, F, H = 8, 3, 4
RNG = np.random.default_rng(0)
# three columns on very different levels; float64 references below
X = (RNG.normal(size=(5, W, F)) * [1.0, 10.0, 0.1] + [0.0, 500.0, -3.0]).astype("float32")
MEAN, STD = np.array([0.5, 480.0, -2.0]), np.array([2.0, 30.0, 0.5])


def build(**kw):
    kw.setdefault("rnn", RNNSpec("gru", units=3))
    n_targets = kw.pop("n_targets", 1)
    model = build_forecast_model(W, F, H, n_targets, **kw)
    return model


def zero_head(model):
    head = model.get_layer("head")
    head.set_weights([np.zeros_like(w) for w in head.get_weights()])
    return model


def numpy_window_stats(x):
    """Per-window mean and population std, floored as WindowStats documents."""
    x = np.asarray(x, "float64")
    mean = x.mean(axis=1)
    std = x.std(axis=1)
    floor = RELATIVE_SCALE_FLOOR * np.abs(x).mean(axis=1) + 1e-6
    return mean, np.maximum(std, floor)


def out(model, window, **covariates):
    """The model called eagerly (no tf.function to trace: these tests stay fast)."""
    result = model(window if not covariates else {"window": window, **covariates},
                   training=False)
    return keras.tree.map_structure(np.asarray, result)


# ----------------------------------------------------------------- the layers alone
def test_window_stats_standardize_unstandardize_match_numpy():
    stats = np.asarray(WindowStats()(X), "float64")
    mean, scale = numpy_window_stats(X)
    np.testing.assert_allclose(stats[:, 0], mean, rtol=1e-5)
    np.testing.assert_allclose(stats[:, 1], scale, rtol=1e-4)
    z = np.asarray(Standardize()([X, stats.astype("float32")]), "float64")
    np.testing.assert_allclose(z, (X - mean[:, None]) / scale[:, None], rtol=1e-4, atol=1e-4)
    y = RNG.normal(size=(5, H, 2, 1)).astype("float32")  # [B, H, Q, T] of target column 1
    back = np.asarray(Unstandardize([1])([y, stats.astype("float32")]), "float64")
    ref = y * scale[:, None, None, 1:2] + mean[:, None, None, 1:2]
    np.testing.assert_allclose(back, ref, rtol=1e-5)


def test_flat_window_gets_the_floor_not_zero():
    flat = np.full((1, W, 1), 250.0, "float32")
    stats = np.asarray(WindowStats()(flat), "float64")
    assert stats[0, 1, 0] == pytest.approx(RELATIVE_SCALE_FLOOR * 250.0 + 1e-6, rel=1e-5)
    assert np.isfinite(np.asarray(Standardize()([flat, stats.astype("float32")]))).all()


def test_add_last_value_and_take_quantile():
    delta = RNG.normal(size=(2, H, 3, 2)).astype("float32")
    last = RNG.normal(size=(2, 2)).astype("float32")
    np.testing.assert_allclose(np.asarray(AddLastValue()([delta, last])),
                               delta + last[:, None, None, :], rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(TakeQuantile(2)(delta)), delta[:, :, 2, :])


# ------------------------------------------------- zero head: the model is a known forecast
@pytest.mark.parametrize("target", [0, 1, 2])
def test_global_residual_zero_head_is_the_last_value(target):
    model = zero_head(build(input_mean=MEAN, input_std=STD, target_indices=[target]))
    pred = out(model, X)
    assert pred.shape == (5, H, 1)
    ref = np.repeat(X[:, -1:, target:target + 1], H, axis=1)
    np.testing.assert_allclose(pred, ref, rtol=1e-5, atol=1e-5 * STD[target])


def test_global_non_residual_zero_head_is_the_training_mean():
    model = zero_head(build(input_mean=MEAN, input_std=STD, target_indices=[1],
                            residual=False))
    np.testing.assert_allclose(out(model, X), np.full((5, H, 1), MEAN[1]), rtol=1e-6)


def test_two_targets_in_their_order():
    model = zero_head(build(input_mean=MEAN, input_std=STD, target_indices=[2, 0],
                            n_targets=2))
    ref = np.repeat(X[:, -1:, [2, 0]], H, axis=1)
    np.testing.assert_allclose(out(model, X), ref, rtol=1e-5, atol=1e-5)


def test_window_scaling_zero_head_residual_and_not():
    model = zero_head(build(scaling="window", target_indices=[1]))
    np.testing.assert_allclose(out(model, X), np.repeat(X[:, -1:, 1:2], H, axis=1), rtol=1e-5)
    model = zero_head(build(scaling="window", target_indices=[1], residual=False))
    mean, _ = numpy_window_stats(X)
    np.testing.assert_allclose(out(model, X)[:, :, 0], np.repeat(mean[:, 1:2], H, axis=1),
                               rtol=1e-5)


def test_window_scaling_is_level_free():
    # the same shape at level 1 and at level 1e6 gives the same forecast, scaled
    model = build(scaling="window", target_indices=[0])
    shape = RNG.normal(size=(3, W, F)).astype("float64")
    small, big = 1.0 + 0.1 * shape, 1e6 * (1.0 + 0.1 * shape)
    a = out(model, small.astype("float32")).astype("float64")
    b = out(model, big.astype("float32")).astype("float64")
    np.testing.assert_allclose(b, 1e6 * a, rtol=1e-3)


@pytest.mark.parametrize("scaling", ["global", "window"])
def test_quantile_head_zero_is_median_last_value_plus_minus_log2_scale(scaling):
    kw = {"input_mean": MEAN, "input_std": STD} if scaling == "global" else {}
    model = zero_head(build(scaling=scaling, target_indices=[1], quantiles=(0.1, 0.5, 0.9),
                            **kw))
    pred = out(model, X)
    assert set(pred) == {"forecast", "quantiles"}
    assert pred["quantiles"].shape == (5, H, 3, 1)
    scale = STD[1] if scaling == "global" else numpy_window_stats(X)[1][:, 1][:, None]
    last = np.repeat(X[:, -1:, 1], H, axis=1).astype("float64")
    # the non-crossing layer: median r_m, then median -/+ softplus(0) = log 2 in scaled units
    ref = np.stack([last - math.log(2) * scale, last, last + math.log(2) * scale], axis=2)
    np.testing.assert_allclose(pred["quantiles"][..., 0], ref, rtol=1e-5)
    np.testing.assert_array_equal(pred["forecast"], pred["quantiles"][:, :, 1, :])


def test_quantiles_never_cross_with_random_weights():
    model = build(input_mean=MEAN, input_std=STD, target_indices=[0],
                  quantiles=(0.05, 0.25, 0.5, 0.75, 0.95))
    head = model.get_layer("head")
    head.set_weights([RNG.normal(0, 3, w.shape).astype("float32") for w in head.get_weights()])
    q = out(model, X)["quantiles"]
    assert np.all(np.diff(q, axis=2) >= 0)


# ----------------------------------------------------------------- what the RNN reads
@pytest.mark.parametrize("window_inputs", ["absolute", "relative", "both"])
def test_rnn_inputs_are_the_scaled_window_and_or_its_change_from_the_last_step(window_inputs):
    model = build(input_mean=MEAN, input_std=STD, window_inputs=window_inputs)
    rnn_in = model.get_layer("rnn_0").input
    seen = out(keras.Model(model.input, rnn_in), X).astype("float64")
    scaled = (X - MEAN) / STD
    relative = scaled - scaled[:, -1:, :]
    ref = {"absolute": scaled, "relative": relative,
           "both": np.concatenate([scaled, relative], axis=-1)}[window_inputs]
    np.testing.assert_allclose(seen, ref, rtol=1e-4, atol=1e-5)


def test_covariates_are_inputs_scaled_by_their_statistics():
    fmean, fstd = np.array([1.0, -2.0]), np.array([2.0, 4.0])
    smean, sstd = np.array([10.0]), np.array([5.0])
    model = build(input_mean=MEAN, input_std=STD, future_stats=(fmean, fstd),
                  static_stats=(smean, sstd))
    assert [t.name for t in model.inputs] == ["window", "future_covariates",
                                              "static_covariates"]
    assert [tuple(t.shape) for t in model.inputs] == [(None, W, F), (None, H, 2), (None, 1)]
    fut = RNG.normal(size=(5, H, 2)).astype("float32")
    stat = RNG.normal(size=(5, 1)).astype("float32")
    inputs = {"window": X, "future_covariates": fut, "static_covariates": stat}
    probe = keras.Model(model.input, [model.get_layer("flat_future_covariates").output,
                                       model.get_layer("scale_static_covariates").output])
    flat, scaled_static = out(probe, **inputs)
    np.testing.assert_allclose(flat, ((fut - fmean) / fstd).reshape(5, -1), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(scaled_static, (stat - smean) / sstd, rtol=1e-5, atol=1e-6)
    # the head reads them: changing the future covariates changes the forecast
    a = out(model, X, future_covariates=fut, static_covariates=stat)
    b = out(model, X, future_covariates=fut + 3.0, static_covariates=stat)
    assert np.abs(a - b).max() > 1e-4


def test_training_view_is_the_standardised_output_sharing_weights():
    model = build(input_mean=MEAN, input_std=STD, target_indices=[1])
    view = forecast_training_view(model)
    assert view.get_layer("head") is model.get_layer("head")
    np.testing.assert_allclose(out(view, X) * STD[1] + MEAN[1], out(model, X),
                               rtol=1e-5)
    qmodel = build(scaling="window", quantiles=(0.1, 0.9))
    assert tuple(forecast_training_view(qmodel).outputs[0].shape) == (None, H, 3, 1)


def test_keras_file_round_trip_in_safe_mode(tmp_path):
    model = build(scaling="window", target_indices=[1], quantiles=(0.1, 0.5, 0.9),
                  future_stats=([0.0], [1.0]), static_stats=([2.0], [3.0]))
    inputs = {"window": X, "future_covariates": RNG.normal(size=(5, H, 1)).astype("float32"),
              "static_covariates": np.ones((5, 1), "float32")}
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    a, b = out(model, **inputs), out(again, **inputs)
    for key in ("forecast", "quantiles"):
        np.testing.assert_array_equal(a[key], b[key])


# ----------------------------------------------------------------- errors
def test_scale_stats_checks():
    mean, std = scale_stats("input", [1.0, 2.0], [0.0, 3.0], 2)
    assert std.tolist() == [1.0, 3.0]  # a constant column is left unscaled
    with pytest.raises(ConfigError, match="input mean/std must have 3 values"):
        scale_stats("input", [1.0, 2.0], [1.0, 1.0], 3)
    with pytest.raises(DataError, match="finite"):
        scale_stats("input", [np.nan], [1.0], 1)


@pytest.mark.parametrize("kwargs, match", [
    ({"target_indices": [3]}, r"target_indices \[3\] must be 1 input columns in 0..2"),
    ({"target_indices": [0, 1]}, r"target_indices \[0, 1\] must be 1"),
    ({"window_inputs": "sideways"}, "window_inputs must be one of"),
    ({"scaling": "robust"}, "scaling must be one of .*'robust'"),
    ({"target_mean": [0.0], "target_std": [9.0]},
     "residual=True \\(or candidates\\) needs the target"),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        build(input_mean=MEAN, input_std=STD, **kwargs)


def test_non_residual_may_use_its_own_target_statistics():
    model = zero_head(build(input_mean=MEAN, input_std=STD, residual=False,
                            target_mean=[7.0], target_std=[9.0]))
    np.testing.assert_allclose(out(model, X), np.full((5, H, 1), 7.0), rtol=1e-6)
