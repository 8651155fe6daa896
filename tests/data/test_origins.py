"""Origin-based split, rolling origins and windows gathered at origins, checked against plain
Python loops and hand slicing."""

import collections
import itertools

import numpy as np
import pytest

from seqkit.data.timeseries import (
    OriginSplit,
    SeriesData,
    origin_dataset,
    origin_split,
    rolling_origins,
    windows_at,
)
from seqkit.errors import ConfigError, DataError


def loop_origins(start, end, window, horizon, stride):
    """Every origin of a part [start, end), counted back from the last one, by a loop."""
    last = end - horizon
    out = []
    o = last
    while o >= start and o - window >= 0:
        out.append(o)
        o -= stride
    return sorted(out)


# ---------------------------------------------------------------- the classic short series
def test_airline_sized_monthly_series_fits():
    split = origin_split(144, window=24, horizon=12, val_size=12, test_size=12)
    assert (split.train_end, split.val_end, split.n) == (120, 132, 144)
    train = split.origins("train")
    assert len(train) == 85  # o = 24 .. 108: 120 - 12 - 24 + 1
    assert train[0] == 24 and train[-1] == 108
    assert split.origins("val").tolist() == [120]
    assert split.origins("test").tolist() == [132]
    assert train.dtype == np.int64


def test_one_step_too_short_names_the_minimum():
    minimum = 24 + 12 + 12 + 12
    origin_split(minimum, window=24, horizon=12, val_size=12, test_size=12)
    with pytest.raises(DataError) as err:
        origin_split(minimum - 1, window=24, horizon=12, val_size=12, test_size=12)
    msg = str(err.value)
    for part in ("length 59", "window=24", "horizon=12", "train=35", "val=12", "test=12",
                 f"is {minimum}"):
        assert part in msg


@pytest.mark.parametrize("val_size,test_size,window,horizon", [
    (0.1, 0.1, 5, 1), (0.15, 0.15, 12, 3), (0.2, 0, 4, 6), (7, 0.25, 3, 2), (0.3, 5, 10, 5),
])
def test_named_minimum_is_the_shortest_length_that_works(val_size, test_size, window, horizon):
    def works(m):
        try:
            origin_split(m, window=window, horizon=horizon, val_size=val_size,
                         test_size=test_size)
        except DataError:
            return False
        return True

    brute = next(m for m in range(1, 2000) if works(m))
    with pytest.raises(DataError, match=f"minimum series length .* is {brute}$"):
        origin_split(brute - 1, window=window, horizon=horizon, val_size=val_size,
                     test_size=test_size)


def test_no_val_or_test_part():
    split = origin_split(50, window=5, horizon=2, val_size=0, test_size=0)
    assert (split.train_end, split.val_end) == (50, 50)
    assert split.origins("val").size == 0 and split.origins("test").size == 0
    assert split.origins("train").tolist() == list(range(5, 49))
    split = origin_split(50, window=5, horizon=2, val_size=0.0, test_size=10)
    assert split.val == slice(40, 40) and split.test == slice(40, 50)
    assert split.origins("val").size == 0


def test_int_and_float_sizes():
    by_int = origin_split(100, window=5, val_size=10, test_size=20)
    by_float = origin_split(100, window=5, val_size=0.1, test_size=0.2)
    assert by_int == by_float
    assert origin_split(101, window=5, val_size=0.1, test_size=0.1).val == slice(81, 91)
    # round(50 * 0.05) = 2 steps < horizon 6: raised to one forecast's worth
    split = origin_split(50, window=5, horizon=6, val_size=0.05, test_size=0.05)
    assert (split.val_end - split.train_end, split.n - split.val_end) == (6, 6)
    assert origin_split(50, window=5, horizon=3, val_size=0.001, test_size=0).val == slice(47, 50)


@pytest.mark.parametrize("kwargs,name", [
    (dict(val_size=2, horizon=3), "val_size"),
    (dict(test_size=1, horizon=2), "test_size"),
    (dict(test_size=1.0), "test_size"),
    (dict(val_size=-1), "val_size"),
    (dict(val_size=True), "val_size"),
    (dict(val_size=0.6, test_size=0.5), "val_size \\+ test_size"),
    (dict(window=0), "window"),
    (dict(horizon=0), "horizon"),
])
def test_bad_sizes_are_config_errors(kwargs, name):
    kwargs = {"window": 4, **kwargs}
    with pytest.raises(ConfigError, match=name):
        origin_split(100, **kwargs)


def test_parts_match_a_python_loop_and_never_leak():
    rng = np.random.default_rng(0)
    for _ in range(300):
        window, horizon = int(rng.integers(1, 15)), int(rng.integers(1, 8))
        n = int(rng.integers(window + horizon, 200))
        val = int(rng.choice([0, horizon, horizon + 3]))
        test = int(rng.choice([0, horizon, 2 * horizon + 1]))
        stride = int(rng.integers(1, 6))
        try:
            split = origin_split(n, window=window, horizon=horizon, val_size=val,
                                 test_size=test)
        except DataError:
            assert n - val - test < window + horizon
            continue
        bounds = {"train": (0, n - val - test), "val": (n - val - test, n - test),
                  "test": (n - test, n)}
        for part, (start, end) in bounds.items():
            got = split.origins(part, stride=stride)
            assert got.tolist() == loop_origins(start, end, window, horizon, stride)
            for o in got:  # every target inside its part, inputs inside the series
                assert start <= o and o + horizon <= end and o - window >= 0
        if test:
            assert split.origins("test", stride=stride)[-1] == n - horizon
        assert all(o + horizon <= split.train_end for o in split.origins("train"))


def test_stride_keeps_the_last_test_origin():
    split = origin_split(200, window=10, horizon=4, val_size=0, test_size=50)
    got = split.origins("test", stride=7)
    assert got[-1] == 196 and np.all(np.diff(got) == 7) and got[0] >= 150
    assert got[0] - 7 < 150


def test_origins_bad_part_and_stride():
    split = OriginSplit(n=20, window=3, horizon=1, train_end=15, val_end=18)
    with pytest.raises(ConfigError, match="part must be one of"):
        split.origins("validation")
    with pytest.raises(ConfigError, match="stride"):
        split.origins("train", stride=0)


# ---------------------------------------------------------------- rolling origins
def test_rolling_origins_match_a_loop():
    for n, start, horizon, stride, window, end in itertools.product(
            [30, 57], [0, 5, 20], [1, 4], [1, 3], [0, 8], [None, 25]):
        stop = n if end is None else end
        expected = []
        o = max(start, window)
        while o + horizon <= stop:
            expected.append(o)
            o += stride
        if not expected:
            with pytest.raises(DataError, match="no forecast origin"):
                rolling_origins(n, start=start, horizon=horizon, stride=stride,
                                window=window, end=end)
            continue
        got = rolling_origins(n, start=start, horizon=horizon, stride=stride, window=window,
                              end=end)
        assert got.tolist() == expected and got.dtype == np.int64


def test_rolling_origins_float_start_like_darts():
    # Darts' TimeSeries.get_index_at_point: int((len - 1) * point)
    assert rolling_origins(101, start=0.8)[0] == 80
    assert rolling_origins(10, start=0.5, horizon=2)[0] == 4
    with pytest.raises(ConfigError, match="start"):
        rolling_origins(10, start=1.5)
    with pytest.raises(ConfigError, match="end"):
        rolling_origins(10, start=2, end=11)


# ---------------------------------------------------------------- windows at origins
def test_windows_at_equals_hand_slicing():
    values = np.arange(60.0).reshape(20, 3) ** 1.5
    origins = [4, 17, 9, 4]
    x, y = windows_at(values, origins, window=4, horizon=3, target_columns=[2, 0])
    assert x.shape == (4, 4, 3) and y.shape == (4, 3, 2)
    assert x.dtype == np.float32 and y.dtype == np.float32
    for i, o in enumerate(origins):
        np.testing.assert_array_equal(x[i], values[o - 4:o].astype(np.float32))
        np.testing.assert_array_equal(y[i], values[o:o + 3][:, [2, 0]].astype(np.float32))


def test_windows_at_inputs_only_and_1d_and_series_data():
    x, y = windows_at(np.arange(10.0), np.array([3, 10]), window=3)
    assert y is None and x[:, :, 0].tolist() == [[0, 1, 2], [7, 8, 9]]
    s = SeriesData(np.arange(12, dtype=np.float32).reshape(6, 2), range(6), ["a", "b"], "t")
    _, y = windows_at(s, [2], window=2, horizon=2, target_columns=["b"])
    assert y[0, :, 0].tolist() == [5.0, 7.0]
    x, y = windows_at(np.arange(10.0), np.zeros(0, np.int64), window=3, horizon=2)
    assert x.shape == (0, 3, 1) and y.shape == (0, 2, 1)


@pytest.mark.parametrize("origins,first_bad", [([5, 2, 1], 2), ([3, 9], 9), ([-1], -1)])
def test_windows_at_names_the_first_bad_origin(origins, first_bad):
    with pytest.raises(DataError, match=f"origin {first_bad} is out of range"):
        windows_at(np.arange(10.0), origins, window=3, horizon=2)


def test_windows_at_refuses_nan_and_float_origins():
    with pytest.raises(DataError, match="NaN"):
        windows_at(np.array([1.0, np.nan, 3.0, 4.0]), [2], window=2)
    with pytest.raises(DataError, match="integers"):
        windows_at(np.arange(10.0), [3.0], window=2)
    with pytest.raises(DataError, match="target_columns"):
        windows_at(np.arange(10.0), [3], window=2, horizon=1, target_columns=[1])


def test_origin_dataset_equals_windows_at():
    values = np.sin(np.arange(90.0)).reshape(45, 2)
    split = origin_split(45, window=6, horizon=3, val_size=0, test_size=9)
    origins = split.origins("train", stride=2)
    x_ref, y_ref = windows_at(values, origins, window=6, horizon=3, target_columns=[1])
    ds = origin_dataset(values, origins, window=6, horizon=3, target_columns=[1],
                        batch_size=4)
    batches = list(ds.as_numpy_iterator())
    assert [len(b[0]) for b in batches][:-1] == [4] * (len(batches) - 1)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x_ref)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y_ref)


def test_origin_dataset_shuffle_is_a_reshuffled_permutation():
    values = np.arange(200.0)
    origins = np.arange(10, 190, dtype=np.int64)
    ds = origin_dataset(values, origins, window=10, horizon=1, batch_size=16, shuffle=True,
                        seed=3)
    epochs = [np.concatenate([y[:, 0, 0] for _, y in ds.as_numpy_iterator()])
              for _ in range(2)]
    for firsts in epochs:  # y[0] == values[o] == o: the multiset of origins is kept
        assert collections.Counter(firsts.astype(int).tolist()) == collections.Counter(
            origins.tolist())
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled each epoch
    assert not np.array_equal(epochs[0], origins)
    again = origin_dataset(values, origins, window=10, horizon=1, batch_size=16,
                           shuffle=True, seed=3)
    first_again = np.concatenate([y[:, 0, 0] for _, y in again.as_numpy_iterator()])
    np.testing.assert_array_equal(first_again, epochs[0])  # seeded


def test_origin_dataset_refuses_empty_origins():
    with pytest.raises(DataError, match="origins is empty"):
        origin_dataset(np.arange(10.0), [], window=2, horizon=1)
