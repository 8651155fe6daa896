"""The equal-params unit choice against built Keras layers' own count_params()."""

import keras
import pytest

from seqkit.study.sizes import equal_params_units


def built_params(layer, input_dim):
    layer.build((None, None, input_dim))
    return layer.count_params()


@pytest.mark.parametrize("units,input_dim", [(64, 1), (256, 64), (17, 5)])
def test_gru_units_match_lstm_params_best_among_neighbours(units, input_dim):
    target = built_params(keras.layers.LSTM(units), input_dim)
    u = equal_params_units("lstm", units, "gru", input_dim=input_dim)
    gap = {v: abs(built_params(keras.layers.GRU(v), input_dim) - target)
           for v in (u - 1, u, u + 1)}
    assert gap[u] == min(gap.values())
    assert gap[u] / target < 0.05  # neighbours differ by about 2/u of the count


def test_equal_params_the_other_way_round():
    target = built_params(keras.layers.GRU(100), 8)
    u = equal_params_units("gru", 100, "lstm", input_dim=8)
    assert u < 100
    gaps = [abs(built_params(keras.layers.LSTM(v), 8) - target) for v in (u - 1, u, u + 1)]
    assert gaps[1] == min(gaps)
