"""The forecast recipe's issue-11 options: the configuration round trip, the flags parsed
to their types, bad values named before training, and one tiny run with quantiles and a
backtest whose numbers are recomputed here with NumPy from the saved model's forecasts."""

import json

import numpy as np
import pytest

from seqkit.cli import build_parser, main
from seqkit.errors import ConfigError
from seqkit.fit import FitResult
from seqkit.recipes import ForecastConfig, build_config, config_from_namespace
from seqkit.recipes.config import to_dict


def _parse(*flags):
    return config_from_namespace(ForecastConfig, build_parser().parse_args(
        ["train", "forecasting", *flags]))


def test_new_fields_round_trip_through_a_config_file(tmp_path):
    config = ForecastConfig(data="uschange", target_columns=["Consumption"],
                            future_covariates=["Income"], calendar=["month"], id_column=None,
                            val_size=0, test_size=12, quantiles=[0.1, 0.5, 0.9],
                            baselines=["seasonal_naive"], backtest=True, backtest_stride=2,
                            backtest_retrain=3)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(to_dict(config)))
    again = build_config(ForecastConfig, {}, path)
    assert again == config
    assert build_config(ForecastConfig, {"test_size": 0.2}, path).test_size == 0.2


@pytest.mark.parametrize("flags,field,expected", [
    (["--quantiles", "0.1", "0.5", "0.9"], "quantiles", [0.1, 0.5, 0.9]),
    (["--quantiles", "0.1,0.9"], "quantiles", [0.1, 0.9]),
    (["--quantiles", "none"], "quantiles", None),
    (["--val-size", "12"], "val_size", 12),
    (["--val-size", "0.1"], "val_size", 0.1),
    (["--test-size", "0"], "test_size", 0),
    (["--backtest"], "backtest", True),
    (["--backtest", "--no-backtest"], "backtest", False),
    (["--backtest-stride", "4"], "backtest_stride", 4),
    (["--backtest-retrain", "true"], "backtest_retrain", True),
    (["--backtest-retrain", "False"], "backtest_retrain", False),
    (["--backtest-retrain", "5"], "backtest_retrain", 5),
    (["--calendar", "auto"], "calendar", "auto"),
    (["--calendar", "month", "day_of_week"], "calendar", ["month", "day_of_week"]),
    (["--target-columns", "Consumption"], "target_columns", ["Consumption"]),
    (["--future-covariates", "Income,Savings"], "future_covariates", ["Income", "Savings"]),
    (["--id-column", "series"], "id_column", "series"),
    (["--id-column", "none"], "id_column", None),
    (["--static-columns", "size", "kind"], "static_columns", ["size", "kind"]),
    (["--baselines", "ets", "theta"], "baselines", ["ets", "theta"]),
])
def test_flags_parse_to_their_types(flags, field, expected):
    value = getattr(_parse(*flags), field)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("flags,needle", [
    (["--val-size", "big"], "--val-size expects int or float, got 'big'"),
    (["--backtest-retrain", "maybe"], "--backtest-retrain expects bool or int, got 'maybe'"),
    (["--quantiles", "0.1", "high"], "--quantiles expects float, got 'high'"),
    (["--backtest-stride", "1.5"], "--backtest-stride expects int, got '1.5'"),
])
def test_bad_flag_words_are_usage_errors(flags, needle, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["train", "forecasting", *flags])
    assert exc.value.code == 2 and needle in capsys.readouterr().err


@pytest.mark.parametrize("values,message", [
    ({"quantiles": [0.9, 0.1]}, "quantiles[1] must be a number in (0, 1) greater than"),
    ({"quantiles": [0.1, 1.5]}, "quantiles[1] must be a number in (0, 1)"),
    ({"horizon": 4, "test_size": 2},
     "test_size must be 0, an integer >= horizon=4 or a fraction in [0, 1), got 2"),
    ({"val_size": 1.5}, "val_size must be 0, an integer >= horizon=4 or a fraction"),
    ({"val_size": 0.6, "test_size": 0.5}, "val_size + test_size must be < 1 as fractions"),
    ({"backtest": True, "test_size": 0}, "test_size must be > 0 with backtest"),
    ({"backtest_stride": 0}, "backtest_stride must be an integer >= 1, got 0"),
    ({"backtest_retrain": 0}, "backtest_retrain must be True, False or an integer >= 1"),
    ({"backtest_retrain": "often"}, "backtest_retrain must be True, False or an integer"),
    ({"calendar": ["moon"]}, "calendar must be one of ('hour', "),
    ({"calendar": "monthly"}, "calendar must be None, 'auto' or a list of"),
    ({"target_columns": "Consumption"}, "target_columns must be a list or None, got "
                                        "'Consumption'"),
    ({"baselines": ["arima"]}, "baselines must be one of ('seasonal_naive', "),
    ({"scaling": "minmax"}, "scaling must be one of ('auto', 'global', 'window')"),
    ({"data": "m1_yearly", "backtest": True}, "data must be one series with backtest"),
])
def test_bad_values_are_named_when_the_config_is_built(values, message):
    with pytest.raises(ConfigError) as err:
        build_config(ForecastConfig, values)
    assert message in str(err.value)


def test_a_bad_value_fails_before_training(tmp_path, capsys):
    assert main(["train", "forecasting", "--quantiles", "0.5", "0.4", "--runs-dir",
                 str(tmp_path / "runs")]) == 1
    assert "quantiles[1] must be a number in (0, 1)" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


N, WINDOW, HORIZON, TEST, PERIOD = 160, 12, 3, 15, 12


@pytest.mark.filterwarnings("ignore:the forecaster does not beat")
def test_quantile_backtest_run_against_numpy(tmp_path):
    t = np.arange(N)
    y = 10 + np.sin(2 * np.pi * t / PERIOD) + np.random.default_rng(0).normal(0, 0.2, N)
    csv = tmp_path / "s.csv"
    csv.write_text("y\n" + "\n".join(f"{v:.5f}" for v in y) + "\n")
    y = np.loadtxt(csv, skiprows=1)
    assert main(["train", "forecasting", "--data", str(csv), "--name", "s", "--window",
                 str(WINDOW), "--horizon", str(HORIZON), "--period", str(PERIOD),
                 "--val-size", "0", "--test-size", str(TEST), "--quantiles", "0.1", "0.9",
                 "--backtest", "--backtest-stride", "3", "--baselines", "seasonal_naive",
                 "last_value", "--epochs", "1", "--units", "4", "--verbose", "0",
                 "--no-report", "--runs-dir", str(tmp_path / "runs"),
                 "--saved-models-dir", str(tmp_path / "sm")]) == 0
    run = tmp_path / "runs" / "s"
    metrics = json.loads((run / "metrics.json").read_text())
    result = FitResult.load(run / "model")
    start = N - TEST  # the test part's first origin: no validation part
    scale = np.mean(np.abs(y[PERIOD:start] - y[:start - PERIOD]))  # in-sample seasonal naive

    def scores(origins):
        pred = result.predict(np.stack([y[o - WINDOW:o, None] for o in origins]))
        truth = np.stack([y[o:o + HORIZON] for o in origins])
        q = pred["quantiles"][..., 0]  # [K, H, Q=3]
        inside = (q[:, :, 0] <= truth) & (truth <= q[:, :, 2])
        return np.mean(np.abs(pred["forecast"][..., 0] - truth)) / scale, inside.mean()

    mase, coverage = scores(range(start, N - HORIZON + 1))
    assert metrics["mase"] == pytest.approx(mase, rel=1e-4)
    assert metrics["quantiles"]["coverage"]["80%"] == pytest.approx(coverage)
    assert set(metrics["baselines"]) == {"seasonal_naive", "last_value"}

    bt = json.loads((run / "backtest.json").read_text())
    origins = list(range(start, N - HORIZON + 1, 3))
    assert [row["origin"] for row in bt["per_origin"]] == origins == [145, 148, 151, 154, 157]
    assert bt["config"]["n_origins"] == len(origins) and bt["retrained_at"] == []
    bt_mase, bt_coverage = scores(origins)
    assert bt["metrics"]["mase"] == pytest.approx(bt_mase, rel=1e-4)
    assert bt["metrics"]["quantiles"]["coverage"]["80%"] == pytest.approx(bt_coverage)
    for name in ("backtest.png", "forecast.png"):
        assert (run / name).read_bytes()[:4] == b"\x89PNG"
    summary = json.loads((run / "summary.json").read_text())
    assert summary["outputs"]["backtest"] == str(run / "backtest.json")
    import tensorflow as tf

    served = tf.saved_model.load(summary["outputs"]["export"]).signatures["serving_default"]
    out = served(window=tf.constant(y[None, -WINDOW:, None], tf.float32))
    assert out["forecast"].shape == (1, HORIZON, 1) and out["quantiles"].shape == (1, HORIZON,
                                                                                3, 1)
    np.testing.assert_allclose(out["quantiles"].numpy(),
                               result.predict(y[-WINDOW:])["quantiles"], rtol=1e-5, atol=1e-5)


def test_a_long_csv_with_the_id_column_is_many_series(tmp_path):
    import pandas as pd

    from seqkit.forecasting.task import Forecasting

    forecast_source = Forecasting.recipe_data

    long = tmp_path / "long.csv"
    long.write_text("id,y\na,1\na,2\nb,3\n")
    source = forecast_source(ForecastConfig(data=str(long)))
    pd.testing.assert_frame_equal(source, pd.DataFrame({"id": ["a", "a", "b"], "y": [1, 2, 3]}))
    assert forecast_source(ForecastConfig(data=str(long), id_column=None)) == str(long)
    one = tmp_path / "one.csv"
    one.write_text("y\n1\n2\n")
    assert forecast_source(ForecastConfig(data=str(one))) == str(one)
    assert forecast_source(ForecastConfig(data="co2")) == "co2"
