"""The forecaster's data (one series or many → ForecastData) against plain slicing: the
origin split of a short monthly series, every window and target by brute force (no
training target beyond train_end, no window across two series), scaler statistics from the
training parts only, the tf.data pipeline equal to the arrays, covariates at the right
steps, short members of a collection, NaN policies. No training here."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from seqkit.errors import ConfigError, DataError
from seqkit.forecasting.data import ForecastData, is_collection, load_forecast_data


def tagged(lengths, n_features=1):
    """Series ``i`` holds ``1000 * i + t`` (feature ``f`` adds ``0.25 * f``, exact in
    float32): every value names its series and step."""
    return [((1000.0 * i + np.arange(n))[:, None] + 0.25 * np.arange(n_features))
            .astype("float32") for i, n in enumerate(lengths)]


def loop_origins(start, end, window, horizon, stride):
    """The origins of a part [start, end), counted back from end - horizon, by a loop."""
    out, o = [], end - horizon
    while o >= start and o >= window:
        out.append(o)
        o -= stride
    return out[::-1]


# ----------------------------------------------------------------- the short monthly series
def test_144_monthly_points_fit_window_24_horizon_12_with_a_year_each_held_out():
    data = load_forecast_data(np.arange(144.0), window=24, horizon=12, val_size=12,
                              test_size=12)
    split = data.splits[0]
    assert (split.train_end, split.val_end, split.n) == (120, 132, 144)
    assert data.n_examples("train") == 85  # o = 24 .. 108: the last target 119 < 120
    assert data.origins("val")[1].tolist() == [120]
    assert data.origins("test")[1].tolist() == [132]
    inputs, y = data.arrays("test")
    np.testing.assert_array_equal(inputs["window"][0, :, 0], np.arange(108.0, 132.0))
    np.testing.assert_array_equal(y[0, :, 0], np.arange(132.0, 144.0))


def test_one_step_too_short_names_the_minimum_length():
    load_forecast_data(np.arange(60.0), window=24, horizon=12, val_size=12, test_size=12)
    with pytest.raises(DataError, match=r"length 59 .* minimum series length for "
                                        r"val_size=12, test_size=12 is 60"):
        load_forecast_data(np.arange(59.0), window=24, horizon=12, val_size=12, test_size=12)


# ----------------------------------------------------------------- windows by brute force
CASES = [  # lengths, window, horizon, val_size, test_size, stride
    ((40,), 5, 3, 0, 6, 1), ((60, 45), 8, 4, 8, 0.2, 3), ((33, 50, 41), 6, 1, 0.1, 5, 2),
    ((144,), 24, 12, 12, 12, 5), ((80, 80), 10, 7, 7, 14, 1),
]


@pytest.mark.parametrize("lengths, window, horizon, val_size, test_size, stride", CASES)
def test_every_window_is_plain_slicing_inside_its_own_series_and_part(
        lengths, window, horizon, val_size, test_size, stride):
    arrays = tagged(lengths, n_features=2)
    data = ForecastData.from_arrays(arrays, window=window, horizon=horizon,
                                    val_size=val_size, test_size=test_size, targets=[1])
    bounds = {"train": lambda s: (0, s.train_end), "val": lambda s: (s.train_end, s.val_end),
              "test": lambda s: (s.val_end, s.n)}
    for part in ("train", "val", "test"):
        step = stride if part == "train" else 1
        which, origins = data.origins(part, step)
        expected = [(i, o) for i, s in enumerate(data.splits)
                    for o in loop_origins(*bounds[part](s), window, horizon, step)]
        assert list(zip(which.tolist(), origins.tolist(), strict=True)) == expected
        inputs, y = data.gather(which, origins)
        for k, (i, o) in enumerate(expected):
            split = data.splits[i]
            start, end = bounds[part](split)
            assert start <= o and o + horizon <= end and o - window >= 0
            np.testing.assert_array_equal(inputs["window"][k], arrays[i][o - window:o])
            np.testing.assert_array_equal(y[k], arrays[i][o:o + horizon, [1]])
        if part == "train" and len(y):  # no training target at or beyond train_end
            steps = y[..., 0] - 0.25  # target column 1 holds 1000 i + t + 0.25
            ends = np.array([data.splits[i].train_end for i in which])
            assert np.all(steps % 1000 < ends[:, None])
            assert np.all(steps // 1000 == which[:, None])  # and from its own series


def test_part_values_and_before_test():
    data = ForecastData.from_arrays(tagged([50, 30]), window=4, horizon=2, val_size=5,
                                    test_size=5)
    s = data.splits[1]
    np.testing.assert_array_equal(data.part_values("before_test")[1][:, 0],
                                  1000.0 + np.arange(s.val_end))
    np.testing.assert_array_equal(data.part_values("val")[0][:, 0],
                                  np.arange(data.splits[0].train_end, data.splits[0].val_end))
    with pytest.raises(DataError, match="unknown part 'future'"):
        data.part_values("future")


# ----------------------------------------------------------------- scaler statistics
def test_training_statistics_are_numpy_mean_std_of_the_training_parts_only():
    rng = np.random.default_rng(0)
    arrays = [rng.normal(5.0, 2.0, size=(n, 2)) for n in (60, 90)]
    kw = {"window": 6, "horizon": 3, "val_size": 0.2, "test_size": 0.2}
    data = ForecastData.from_arrays(arrays, **kw)
    rows = np.concatenate([a[:s.train_end] for a, s in zip(arrays, data.splits, strict=True)])
    mean, std = data.train_stats()
    np.testing.assert_allclose(mean, rows.astype("float32").mean(0, dtype="float64"),
                               rtol=1e-6)
    np.testing.assert_allclose(std, rows.astype("float32").std(0, dtype="float64"),
                               rtol=1e-6)
    changed = [a.copy() for a in arrays]
    for a, s in zip(changed, data.splits, strict=True):
        a[s.train_end:] = a[s.train_end:] * 10 + 50  # validation and test only
    again = ForecastData.from_arrays(changed, **kw)
    np.testing.assert_array_equal(again.train_stats()[0], mean)
    np.testing.assert_array_equal(again.train_stats()[1], std)


# ----------------------------------------------------------------- tf.data vs arrays
def test_dataset_yields_the_arrays_in_order_and_scaled_targets():
    data = ForecastData.from_arrays(tagged([40, 35], n_features=2), window=5, horizon=3,
                                    val_size=0, test_size=6, targets=[0])
    inputs, y = data.arrays("train", stride=2)
    mean, std = np.array([500.0]), np.array([400.0])
    ds = data.dataset("train", batch_size=7, shuffle=False, seed=0, stride=2,
                      target_mean=mean, target_std=std)
    xs, ys = zip(*[(x.numpy(), t.numpy()) for x, t in ds], strict=True)
    np.testing.assert_array_equal(np.concatenate(xs), inputs["window"])
    np.testing.assert_allclose(np.concatenate(ys), (y - mean) / std, rtol=1e-6)
    # per-window scaling: each window's own mean and (population) std of the target column
    ds = data.dataset("train", batch_size=64, shuffle=False, seed=0, stride=2,
                      window_scaled=True)
    scaled = np.concatenate([t.numpy() for _, t in ds])
    w = inputs["window"][..., 0].astype("float64")
    ref = (y[..., 0] - w.mean(1, keepdims=True)) / w.std(1, keepdims=True)
    np.testing.assert_allclose(scaled[..., 0], ref, rtol=1e-4, atol=1e-4)


def test_shuffled_dataset_is_a_seeded_permutation_of_the_examples():
    data = ForecastData.from_arrays(tagged([60, 60]), window=4, horizon=2, val_size=0,
                                    test_size=4)
    _, y = data.arrays("train")

    def firsts(seed):
        ds = data.dataset("train", batch_size=16, shuffle=True, seed=seed)
        return [tuple(t) for b in ds for t in b[1].numpy()[:, :, 0]]

    a = firsts(1)
    assert sorted(a) == sorted(tuple(t) for t in y[:, :, 0])
    assert a != [tuple(t) for t in y[:, :, 0]] and a == firsts(1)


# ----------------------------------------------------------------- covariates
def test_future_covariates_are_the_values_at_the_target_steps():
    n = 60
    frame = pd.DataFrame({"y": np.arange(n) * 1.0, "u": 100.0 + np.arange(n)})
    data = load_forecast_data(frame, window=6, horizon=3, val_size=0, test_size=9,
                              future_covariates=["u"])
    assert data.targets == [0] and data.future_names == ["u"]  # u: an input, not a target
    which, origins = data.origins("test")
    inputs, y = data.gather(which, origins)
    for k, o in enumerate(origins):
        np.testing.assert_array_equal(inputs["future_covariates"][k, :, 0],
                                      100.0 + np.arange(o, o + 3))
        np.testing.assert_array_equal(inputs["window"][k, :, 1], 100.0 + np.arange(o - 6, o))
        np.testing.assert_array_equal(y[k, :, 0], np.arange(o, o + 3))


def test_calendar_encodings_are_the_months_of_the_target_steps():
    index = pd.date_range("2001-03-01", periods=48, freq="MS")
    series = pd.Series(np.arange(48.0), index, name="sales")
    data = load_forecast_data(series, window=12, horizon=4, val_size=0, test_size=8,
                              calendar="auto")
    assert data.future_names == ["month_sin", "month_cos"] and data.period == 12
    which, origins = data.origins("test")
    inputs, _ = data.gather(which, origins)
    for k, o in enumerate(origins):
        months = np.array([index[t].month for t in range(o, o + 4)], "float64")
        angle = 2 * math.pi * (months - 1) / 12  # January is angle 0
        np.testing.assert_allclose(inputs["future_covariates"][k],
                                   np.stack([np.sin(angle), np.cos(angle)], 1), atol=1e-6)


def test_calendar_needs_a_datetime_index():
    with pytest.raises(DataError, match=r"calendar='auto' .* DatetimeIndex .* RangeIndex"):
        load_forecast_data(np.arange(50.0), window=4, horizon=2, val_size=0, test_size=4,
                           calendar="auto")


def test_static_covariates_per_series_from_a_long_frame():
    long = pd.DataFrame({"id": ["a"] * 30 + ["b"] * 25, "level": [1.0] * 30 + [7.0] * 25,
                         "value": np.arange(55.0)})
    data = load_forecast_data(long, window=4, horizon=2, val_size=0, test_size=4,
                              static_columns=["level"])
    assert data.ids == ["a", "b"] and data.static_names == ["level"]
    assert data.columns == ["value"]  # the id and static columns are not values
    which, origins = data.origins("train")
    inputs, _ = data.gather(which, origins)
    np.testing.assert_array_equal(inputs["static_covariates"][:, 0],
                                  np.where(which == 0, 1.0, 7.0))


def test_one_column_named_by_a_plain_string():
    frame = pd.DataFrame({"sales": np.arange(50.0), "price": np.arange(50.0) * 2})
    data = load_forecast_data(frame, window=4, horizon=2, val_size=0, test_size=4,
                              target_columns="sales")
    assert data.targets == [0]  # not the letters 's', 'a', 'l', ...
    data = load_forecast_data(frame, window=4, horizon=2, val_size=0, test_size=4,
                              future_covariates="price")
    assert data.future_names == ["price"] and data.targets == [0]


# ----------------------------------------------------------------- many series
def test_collection_kinds():
    assert is_collection([np.zeros(5), np.zeros(6)]) and is_collection({"a": np.zeros(3)})
    assert is_collection(pd.DataFrame({"id": ["a"], "v": [1.0]}))
    assert not is_collection(np.zeros((5, 2))) and not is_collection([1.0, 2.0, 3.0])
    assert not is_collection(pd.DataFrame({"id": ["a"], "v": [1.0]}), id_column=None)
    assert is_collection("m1_yearly") and not is_collection("co2")


def test_long_frame_equals_the_dict_of_its_series():
    rng = np.random.default_rng(1)
    parts = {"x": rng.normal(size=40), "y": rng.normal(size=33)}
    long = pd.DataFrame({"id": np.repeat(list(parts), [40, 33]),
                         "value": np.concatenate(list(parts.values()))})
    kw = {"window": 5, "horizon": 2, "val_size": 4, "test_size": 4}
    a, b = load_forecast_data(long, **kw), load_forecast_data(parts, **kw)
    assert a.ids == b.ids == ["x", "y"] and a.splits == b.splits
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.offsets, [0, 40, 73])


def test_short_members_keep_their_test_origin_and_too_short_ones_are_left_out():
    series = {"long": np.arange(30.0), "short": np.arange(14.0), "tiny": np.arange(10.0)}
    with pytest.warns(UserWarning, match="1 of 3 series are shorter than window \\+ "
                                         "horizon = 14 and are left out: 'tiny' \\(10 "
                                         "steps\\)"):
        data = load_forecast_data(series, window=8, horizon=6, val_size=0, test_size=6)
    assert data.ids == ["long", "short"]
    short = data.splits[1]  # 14 < 8 + 6 + 6: no training window, but its last forecast
    assert short.origins("train").size == 0 and short.origins("test").tolist() == [8]
    assert data.splits[0].origins("test").tolist() == [24]
    with pytest.raises(DataError, match="no series is as long as window=8 \\+ horizon=6"):
        load_forecast_data({"a": np.arange(10.0), "b": np.arange(12.0)}, window=8,
                           horizon=6, val_size=0, test_size=6)
    # one series alone gets no such leniency: the split names what it needs
    with pytest.raises(DataError, match="minimum series length"):
        load_forecast_data(np.arange(14.0), window=8, horizon=6, val_size=0, test_size=6)


def test_m1_yearly_every_series_forecast_at_its_last_horizon():
    pytest.importorskip("aeon", reason="the M1 file ships in the aeon wheel")
    from seqkit.data.timeseries import load_series_collection

    lengths = [len(s) for s in load_series_collection("m1_yearly").series]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 15 points at least: none is left out
        data = load_forecast_data("m1_yearly", window=8, horizon=6, val_size=0, test_size=6)
    assert data.n_series == 181 and [s.n for s in data.splits] == lengths
    which, origins = data.origins("test")
    assert which.tolist() == list(range(181))
    assert origins.tolist() == [n - 6 for n in lengths]
    expected_train = sum(max(0, n - 6 - 6 - 8 + 1) for n in lengths)  # o in [8, n - 12]
    assert data.n_examples("train") == expected_train


# ----------------------------------------------------------------- NaN policies
def test_nan_policies():
    values = np.arange(40.0)
    values[10] = np.nan
    with pytest.raises(DataError, match="NaN"):
        load_forecast_data(values, window=4, horizon=2, val_size=0, test_size=4)
    filled = load_forecast_data(values, window=4, horizon=2, val_size=0, test_size=4,
                                nan_policy="interpolate")
    assert filled.values[10, 0] == 10.0  # halfway between 9 and 11
    dropped = load_forecast_data(values, window=4, horizon=2, val_size=0, test_size=4,
                                 nan_policy="drop")
    assert dropped.splits[0].n == 39 and 10.0 not in dropped.values[:, 0]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"target_columns": ["nope"]}, DataError, "unknown column 'nope'"),
    ({"future_covariates": ["nope"]}, DataError, "unknown column 'nope'"),
    ({"target_columns": [3]}, DataError, r"target_columns \[3\] out of range"),
    ({"static_columns": ["value"]}, DataError, "static_columns=\\['value'\\] needs many"),
    ({"val_size": 1}, ConfigError, "val_size must be 0 or at least horizon=2"),
    ({"target_columns": ["value"], "future_covariates": ["value"]}, DataError,
     r"\['value'\] cannot be both a target and a future covariate"),
])
def test_bad_arguments_name_the_value(kwargs, error, match):
    frame = pd.DataFrame({"value": np.arange(50.0)})
    with pytest.raises(error, match=match):
        load_forecast_data(frame, **{"window": 4, "horizon": 2, "val_size": 0,
                                     "test_size": 4, **kwargs})



def test_full_batches_have_a_static_size_and_top_up_from_the_epochs_own_order():
    # 26 training windows in batches of 8: 4 batches, the last holds windows 25-26 of the
    # epoch's order and then its first 6 again; reshuffled every epoch
    data = ForecastData.from_arrays([np.arange(30.0)], window=4, horizon=1, val_size=0,
                                    test_size=0)
    ds = data.dataset("train", batch_size=8, shuffle=True, seed=3, full_batches=True)
    assert tuple(ds.element_spec[1].shape) == (8, 1, 1)
    epochs = [[b[1].numpy().ravel().tolist() for b in ds] for _ in range(2)]
    for batches in epochs:
        order = [v for b in batches for v in b]
        assert len(order) == 32 and sorted(order[:26]) == list(np.arange(4.0, 30.0))
        assert order[26:] == order[:6]
    assert epochs[0] != epochs[1]


def test_a_period_longer_than_a_series_is_refused_with_its_value():
    with pytest.raises(ConfigError, match="period must be an integer smaller than the "
                                          "shortest series \\(400 steps"):
        load_forecast_data(np.arange(400.0), window=24, horizon=4, period=5000)
    with pytest.raises(ConfigError, match="got 30"):
        load_forecast_data({"a": np.arange(60.0), "b": np.arange(30.0)}, window=8,
                           horizon=2, val_size=0, test_size=2, period=30)
    assert load_forecast_data(np.arange(400.0), window=24, horizon=4, period=52).period == 52
