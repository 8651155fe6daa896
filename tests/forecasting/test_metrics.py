"""seqkit.forecasting.metrics against hand-computed values and a peer's literal examples."""

import numpy as np
import pytest

from seqkit.errors import ConfigError, DataError
from seqkit.forecasting.metrics import (
    central_intervals,
    interval_coverage,
    mae,
    mase,
    mase_scale,
    pinball_loss,
    point_metrics,
    quantile_metrics,
    relative_mae,
    rmse,
    smape,
)

# y_true, y_pred as [n_origins=2, horizon=2, T=2]; errors e = y - f:
#   origin 0: [[1, -1], [0, 2]]   origin 1: [[-2, 0], [1, 0]]
Y = np.array([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]])
F = np.array([[[0.0, 3.0], [3.0, 2.0]], [[7.0, 6.0], [6.0, 8.0]]])


def test_mae_rmse_hand_computed():
    # |e| = 1, 1, 0, 2, 2, 0, 1, 0 -> sum 7 over 8 points
    assert mae(Y, F) == pytest.approx(7 / 8)
    # e^2 = 1, 1, 0, 4, 4, 0, 1, 0 -> sum 11 over 8 points
    assert rmse(Y, F) == pytest.approx(np.sqrt(11 / 8))


def test_smape_hand_computed_m4_definition():
    # terms |y-f| / (|y|+|f|): 1/1, 1/5, 0/6, 2/6, 2/12, 0/12, 1/13, 0/16
    terms = [1, 1 / 5, 0, 2 / 6, 2 / 12, 0, 1 / 13, 0]
    assert smape(Y, F) == pytest.approx(200 / 8 * sum(terms))


def test_smape_zero_terms_count_zero_and_bounds():
    # y = f = 0 counts 0; y = 0, f = 2: |0-2| / (0+2) = 1 -> 200/2 * (0 + 1) = 100
    assert smape([0.0, 0.0], [0.0, 2.0]) == pytest.approx(100.0)
    # opposite signs reach the upper bound: |1-(-1)| / (1+1) = 1 -> 200
    assert smape([1.0], [-1.0]) == pytest.approx(200.0)
    assert smape([4.0], [4.0]) == 0.0


def test_mase_scale_seasonal_and_nan_pairs():
    ins = np.array([[1.0, 10.0], [2.0, 20.0], [4.0, np.nan], [8.0, 25.0], [5.0, 30.0]])
    # m = 2, column 0: |4-1|, |8-2|, |5-4| = 3, 6, 1 -> 10/3
    # column 1: pairs (nan,10) dropped, |25-20| = 5, (30,nan) dropped -> 5
    np.testing.assert_allclose(mase_scale(ins, m=2), [10 / 3, 5.0])
    # m = 1, 1-D: |2-1|, |4-2|, |8-4|, |5-8| = 1, 2, 4, 3 -> 10/4
    np.testing.assert_allclose(mase_scale(ins[:, 0]), [2.5])


def test_mase_hand_computed_per_target_then_mean():
    ins = np.array([[1.0, 10.0], [2.0, 20.0], [4.0, 15.0]])
    # scales (m=1): col 0 (1 + 2)/2 = 1.5; col 1 (10 + 5)/2 = 7.5
    y = np.array([[5.0, 20.0], [6.0, 10.0]])
    f = np.array([[4.0, 20.0], [6.0, 25.0]])
    # MAE col 0 = (1 + 0)/2 = 0.5 -> 1/3; MAE col 1 = (0 + 15)/2 = 7.5 -> 1
    assert mase(y, f, ins) == pytest.approx((1 / 3 + 1) / 2)
    # [n, horizon, T] works the same: the leading axes are pooled per target
    assert mase(y[None], f[None], ins) == pytest.approx((1 / 3 + 1) / 2)


def test_mase_matches_sktime_docstring_example():
    # sktime's mean_absolute_scaled_error docstring (Examples section):
    # https://www.sktime.net/en/stable/api_reference/auto_generated/
    #   sktime.performance_metrics.forecasting.mean_absolute_scaled_error.html
    # (source: github.com/sktime/sktime, sktime/performance_metrics/forecasting/_functions.py)
    y_train = np.array([5, 0.5, 4, 6, 3, 5, 2])
    y_true = np.array([3, -0.5, 2, 7, 2])
    y_pred = np.array([2.5, 0.0, 2, 8, 1.25])
    assert mase(y_true, y_pred, y_train) == pytest.approx(0.18333333333333335, rel=1e-12)
    # the same docstring's 2-output case, multioutput='raw_values' -> [0.10526316,
    # 0.28571429]; our multi-target MASE is the mean of these per-target ratios (sktime's
    # 'uniform_average' instead divides the mean MAE by the mean scale: 0.1818...)
    y_train = np.array([[0.5, 1], [-1, 1], [7, -6]])
    y_true = np.array([[0.5, 1], [-1, 1], [7, -6]])
    y_pred = np.array([[0, 2], [-1, 2], [8, -5]])
    per_target = [mase(y_true[:, t], y_pred[:, t], y_train[:, t]) for t in range(2)]
    np.testing.assert_allclose(per_target, [0.10526316, 0.28571429], atol=1e-8)
    assert mase(y_true, y_pred, y_train) == pytest.approx(np.mean(per_target))


def test_relative_mae_cases():
    # MAE pred = (0 + 1)/2, MAE reference = (1 + 2)/2 -> 1/3
    assert relative_mae([1.0, 2.0], [1.0, 3.0], [2.0, 4.0]) == pytest.approx(1 / 3)
    assert relative_mae([1.0, 2.0], [1.0, 3.0], [1.0, 2.0]) == float("inf")
    assert relative_mae([1.0, 2.0], [1.0, 2.0], [1.0, 2.0]) == 0.0


def test_pinball_loss_hand_computed_4d():
    # y [n=1, horizon=2, T=1] = 10, 20; q_pred [1, 2, Q=2, 1]: levels 0.2 and 0.8
    y = np.array([[[10.0], [20.0]]])
    f = np.array([[[[12.0], [14.0]], [[15.0], [18.0]]]])
    # q=0.2: errors y-f = -2 (step 0), 5 (step 1): max(0.2*-2, -0.8*-2) = 1.6;
    #        max(0.2*5, -0.8*5) = 1.0 -> mean 1.3
    # q=0.8: errors -4, 2: max(0.8*-4, -0.2*-4) = 0.8; max(1.6, -0.4) = 1.6 -> mean 1.2
    np.testing.assert_allclose(pinball_loss(y, f, [0.2, 0.8]), [1.3, 1.2])


def test_pinball_loss_one_target_1d_and_minimiser():
    # 1-D y_true takes q_pred [n, Q]
    np.testing.assert_allclose(pinball_loss([1.0, 3.0], [[2.0], [2.0]], [0.5]), [0.5])
    # the q-quantile of a sample minimises the mean pinball loss of a constant forecast
    rng = np.random.default_rng(0)
    y = rng.normal(size=401)
    grid = np.linspace(-3, 3, 601)
    losses = [pinball_loss(y, np.full((401, 1), c), [0.9])[0] for c in grid]
    assert grid[int(np.argmin(losses))] == pytest.approx(np.quantile(y, 0.9), abs=0.02)


def test_central_intervals():
    assert central_intervals((0.1, 0.5, 0.9)) == [(0.1, 0.9, 0.8)]
    assert central_intervals((0.05, 0.1, 0.5, 0.9, 0.95)) == [
        (0.05, 0.95, 0.9), (0.1, 0.9, 0.8)]
    # levels pair up to 1e-9; the nominal coverage is hi - lo
    [(lo, hi, nominal)] = central_intervals((0.1, 0.9 + 5e-10))
    assert (lo, hi) == (0.1, 0.9 + 5e-10) and nominal == pytest.approx(0.8, abs=1e-9)
    assert central_intervals((0.1, 0.9 + 5e-9)) == []
    assert central_intervals((0.1, 0.85)) == []
    assert central_intervals((0.5,)) == []


def test_interval_coverage_hand_computed():
    # inside: 1 in [0,2] yes; 5 in [0,4] no; 3 in [3,4] yes (bounds count); 9 in [0,8] no
    assert interval_coverage([1.0, 5.0, 3.0, 9.0], [0, 0, 3, 0], [2, 4, 4, 8]) == 0.5


def test_point_metrics_keys_and_values():
    ins = np.array([1.0, 2.0, 4.0])
    out = point_metrics([3.0, 5.0], [2.0, 5.0], insample=ins)
    assert list(out) == ["mae", "rmse", "smape", "mase"]
    # |e| = 1, 0: MAE 0.5, RMSE sqrt(1/2), sMAPE 200/2 * (1/5) = 20, MASE 0.5 / 1.5
    assert out["mae"] == 0.5 and out["rmse"] == pytest.approx(np.sqrt(0.5))
    assert out["smape"] == pytest.approx(20.0) and out["mase"] == pytest.approx(1 / 3)
    assert "mase" not in point_metrics([3.0], [2.0], insample=None)


def test_quantile_metrics_layout():
    qs = (0.05, 0.1, 0.5, 0.9, 0.95)
    y = np.array([[0.0], [10.0]])                            # [n=2, T=1]
    base = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])             # offsets around 0
    f = np.stack([base, base])[:, :, None]                    # [2, Q=5, 1]
    out = quantile_metrics(y, f, qs)
    assert list(out["pinball"]) == ["0.05", "0.1", "0.5", "0.9", "0.95"]
    assert list(out["coverage"]) == ["90%", "80%"]
    # point 0 (y=0) lies in both intervals, point 1 (y=10) in neither
    assert out["coverage"] == {"90%": 0.5, "80%": 0.5}
    # q=0.5: |0-0|*0.5 and |10-0|*0.5 -> mean 2.5
    assert out["pinball"]["0.5"] == pytest.approx(2.5)
    assert out["mean_pinball"] == pytest.approx(np.mean(list(out["pinball"].values())))


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(DataError, match=r"\(2, 2, 2\).*\(2, 2\)"):
        mae(Y, F[0])
    with pytest.raises(DataError, match=r"q_pred must have shape .*\(2, 3, 1\).*\(2, 2, 1\)"):
        pinball_loss(np.zeros((2, 1)), np.zeros((2, 2, 1)), [0.1, 0.5, 0.9])
    with pytest.raises(DataError, match="T=2 targets"):
        mase(Y, F, insample=np.arange(5.0))


def test_quantiles_must_increase_in_open_unit_interval():
    for bad in ([0.5, 0.1], [0.1, 0.1], [0.0, 0.5], [0.5, 1.0], []):
        with pytest.raises(ConfigError, match=r"quantiles must be .*increasing"):
            pinball_loss(np.zeros((1, 1)), np.zeros((1, max(len(bad), 1), 1)), bad)
    with pytest.raises(ConfigError, match=r"\[0.9, 0.1\]"):
        central_intervals([0.9, 0.1])


def test_constant_insample_and_short_insample():
    with pytest.raises(DataError, match="column 1 is constant"):
        mase_scale(np.array([[1.0, 3.0], [2.0, 3.0], [5.0, 3.0]]))
    with pytest.raises(DataError, match="got length 2"):
        mase_scale([1.0, 2.0], m=2)


def test_nan_and_empty_inputs_refused():
    with pytest.raises(DataError, match="y_true must not hold NaN"):
        mae([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(DataError, match="y_pred must not hold NaN"):
        rmse([1.0, 2.0], [np.nan, 2.0])
    with pytest.raises(DataError, match="non-empty"):
        smape([], [])
