"""Smoke tests of benchmarks/bench_forecast.py's pure functions (split, windows, the seqkit
API switch, local baselines and metrics, summaries), against hand-computed values. Darts
is not needed; the one test that runs Darts skips without it."""

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from seqkit.errors import ConfigError, DataError

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_forecast.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_forecast", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_forecast"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bf = _load()


def test_split_origins_by_hand():
    # n=20, test part the last 6 steps (14..19); horizon 2: the last origin is 18
    s = bf.backtest_split(20, window=5, horizon=2, test_size=6)
    assert (s.n, s.test_start, s.origins) == (20, 14, (14, 15, 16, 17, 18))
    assert bf.backtest_split(20, 5, 2, 6, stride=2).origins == (14, 16, 18)
    assert bf.backtest_split(20, 5, 2, 6, stride=3).origins == (15, 18)  # 18, 15; 12 < 14


def test_split_default_is_15_percent_and_targets_stay_in_the_test_part():
    s = bf.backtest_split(2284, window=104, horizon=4)
    assert s.test_start == 2284 - 343  # round(0.15 * 2284) = round(342.6)
    assert len(s.origins) == 2280 - 1941 + 1
    assert min(s.origins) >= s.test_start and max(s.origins) + 4 == 2284


def test_split_refuses_bad_sizes():
    with pytest.raises(DataError, match="shorter than horizon"):
        bf.backtest_split(20, 5, 4, test_size=3)
    with pytest.raises(DataError, match="window \\+ horizon = 7"):
        bf.backtest_split(12, 5, 2, test_size=6)
    with pytest.raises(ConfigError, match="window must be"):
        bf.backtest_split(20, 0, 2)


def test_windows_by_hand():
    values = np.arange(10.0)[:, None] * [1, 10]
    x = bf.input_windows(values, [3, 5], window=3)
    y = bf.target_windows(values, [3, 5], horizon=2)
    assert x.shape == (2, 3, 2) and y.shape == (2, 2, 2)
    assert x[:, :, 0].tolist() == [[0, 1, 2], [2, 3, 4]]
    assert y[:, :, 1].tolist() == [[30, 40], [50, 60]]


def test_seqkit_split_kwargs_follow_the_signature():
    kwargs, note = bf.seqkit_split_kwargs({"val_size": 0, "test_size": 0}, 1941, 104, 4)
    assert kwargs == {"test_size": 0} and "test_size=0" in note
    # older API: round(1941 * 0.055) = 107 < 108 = window + horizon; round(1941 * 0.06) = 116
    kwargs, note = bf.seqkit_split_kwargs({"test_fraction": 0.15}, 1941, 104, 4)
    assert kwargs == {"test_fraction": 0.06} and "older API" in note
    assert bf.seqkit_split_kwargs({}, 2000, 50, 10)[0] == {"test_fraction": 0.05}


def test_local_baselines_by_hand():
    y = np.array([1.0, 3.0, 2.0, 4.0, 3.0, 5.0, 4.0, 6.0])[:, None]
    out = bf.local_baselines(y, [6], horizon=3, period=2)
    assert out["last_value"][0, :, 0].tolist() == [5.0, 5.0, 5.0]
    # slope (y[5] - y[0]) / 5 = 0.8 (Hyndman & Athanasopoulos, FPP3 5.2)
    np.testing.assert_allclose(out["drift"][0, :, 0], [5.8, 6.6, 7.4])
    # h=1,2: y[4], y[5]; h=3: a season earlier again, y[4]
    assert out["seasonal_naive"][0, :, 0].tolist() == [3.0, 5.0, 3.0]
    assert "seasonal_naive" not in bf.local_baselines(y, [6], 3, None)


def test_local_metrics_by_hand():
    fns = bf._local_metrics()
    y, f, insample = np.array([3.0, 5.0]), np.array([2.0, 5.0]), np.array([1.0, 2.0, 4.0])
    got = bf.score(y, f, insample, 1, fns)
    assert got["mae"] == 0.5 and got["smape"] == pytest.approx(20.0)  # 200/2 * (1/5 + 0)
    assert got["rmse"] == pytest.approx(math.sqrt(0.5))
    assert got["mase"] == pytest.approx(0.5 / 1.5)  # in-sample naive MAE (1 + 2) / 2
    # seasonal scale, m=2: |4 - 1| = 3
    assert fns["mase"](y, f, insample, 2) == pytest.approx(0.5 / 3)


def test_summary_order_and_spread():
    runs = [{"row": "drift", "mae": 4.0, "mase": 2.0, "smape": 9.0, "rmse": 5.0},
            *[{"row": f"seqkit {c} @30 ep", "mae": m, "mase": m, "smape": m, "rmse": m,
               "train_seconds": t, "epochs_run": 30} for c, m, t in
              [("GRU", 1.0, 3.0), ("LSTM", 1.0, 2.0), ("LSTM", 3.0, 4.0)]],
            {"row": "Darts BlockRNN LSTM", "mae": 2.0, "mase": 1.0, "smape": 5.0, "rmse": 2.0}]
    s = bf.summarise(runs)
    assert list(s) == ["seqkit LSTM @30 ep", "seqkit GRU @30 ep", "Darts BlockRNN LSTM",
                       "drift"]
    assert s["seqkit LSTM @30 ep"]["mae"] == (2.0, pytest.approx(math.sqrt(2)))
    assert s["seqkit LSTM @30 ep"]["train_seconds"] == 3.0 and s["drift"]["mae"] == (4.0, None)
    table = bf.series_table(s)
    assert "| seqkit LSTM @30 ep | 2.000 ± 1.414 |" in table and "| drift | 4.000 |" in table


def test_output_stem_and_quick_args():
    assert (bf.output_stem("2026-01-02", {"cpu": "AMD EPYC 7B13", "logical_cores": 2})
            == "forecast-2026-01-02-amd-epyc-7b13-2c")
    args = bf.parse_args(["--quick", "--series", "sunspots", "co2", "--seeds", "4", "5"])
    assert (args.series, args.seeds, args.epochs) == (["sunspots"], [0], 2)
    assert args.out != bf.RESULTS  # quick runs stay out of benchmarks/results
    assert bf.parse_args([]).out == bf.RESULTS


def test_darts_forecasts_start_at_the_origins():
    pytest.importorskip("darts", reason="Darts is a benchmark-only install "
                        "(see bench_forecast.py's docstring)")
    pytest.importorskip("pytorch_lightning", reason="BlockRNNModel needs darts[torch]")
    import pandas as pd

    t = np.arange(48, dtype="float32")
    values = np.stack([np.sin(t / 3), np.cos(t / 5)], axis=1)  # a target and a covariate
    split = bf.backtest_split(48, window=6, horizon=3, test_size=10, stride=2)
    for index in (pd.date_range("2000-01-01", periods=48, freq="MS"), pd.RangeIndex(48)):
        d = bf.Data("toy", values, index, ["a", "b"], 12, "toy", split, 6, 3, 2)
        args = bf.parse_args(["--epochs", "1", "--units", "4"])
        out = bf.run_darts(d, "gru", 0, args)  # raises when the origins differ
        assert out["pred"].shape == (len(split.origins), 3, 1) and out["origins_match"]
