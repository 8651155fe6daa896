"""Default-option seqkit layers equal Keras' built-in LSTM/GRU with the same weights."""

import keras
import numpy as np
import pytest
from keras.ops import convert_to_numpy as to_np

from seqkit.layers import ExplicitGRU, ExplicitLSTM, loop

TOL = 1e-5
FAMILIES = [
    pytest.param(keras.layers.LSTM, ExplicitLSTM, {}, id="lstm"),
    pytest.param(keras.layers.GRU, ExplicitGRU, {"reset_after": True}, id="gru-reset_after"),
    pytest.param(keras.layers.GRU, ExplicitGRU, {"reset_after": False}, id="gru-reset_before"),
]
SCENARIOS = {
    "last_output": {},
    "return_sequences": {"return_sequences": True},
    "return_state": {"return_state": True},
    "sequences_and_state": {"return_sequences": True, "return_state": True},
    "go_backwards": {"go_backwards": True, "return_sequences": True},
    "dropout_in_inference": {"dropout": 0.3, "recurrent_dropout": 0.3,
                             "return_sequences": True},
    "no_bias": {"use_bias": False},
    "unroll": {"unroll": True, "return_sequences": True},
}


def _inputs(batch=4, steps=7, features=5, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, steps, features)).astype("float32")


def _as_list(y):
    return [to_np(t) for t in (y if isinstance(y, (list, tuple)) else [y])]


def _assert_same(a, b):
    a, b = _as_list(a), _as_list(b)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.shape == y.shape
        np.testing.assert_allclose(x, y, atol=TOL, rtol=0)


def _pair(builtin_cls, seqkit_cls, kwargs, x, units=6):
    builtin, ours = builtin_cls(units, **kwargs), seqkit_cls(units, **kwargs)
    builtin(x)
    ours(x)
    ours.set_weights(builtin.get_weights())
    return builtin, ours


@pytest.mark.parametrize("builtin_cls,seqkit_cls,base", FAMILIES)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_same_outputs_as_builtin(builtin_cls, seqkit_cls, base, scenario):
    x = _inputs()
    kwargs = {**base, **SCENARIOS[scenario]}
    builtin, ours = _pair(builtin_cls, seqkit_cls, kwargs, x)
    assert [w.shape for w in ours.weights] == [w.shape for w in builtin.weights]
    _assert_same(builtin(x, training=False), ours(x, training=False))


@pytest.mark.parametrize("builtin_cls,seqkit_cls,base", FAMILIES)
@pytest.mark.parametrize("hoist", [False, True], ids=["per-step", "hoisted"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forward", "backward"])
def test_masking_post_padded_and_fully_masked_rows(builtin_cls, seqkit_cls, base, hoist,
                                                   go_backwards, monkeypatch):
    monkeypatch.setattr(loop, "hoist_input_projection", lambda batch=None: hoist)
    x = _inputs(batch=4, steps=6)
    mask = np.ones((4, 6), bool)
    mask[0, 4:] = False
    mask[1, 1:] = False
    mask[3, :] = False  # an empty example: zeros on CPU
    kwargs = {**base, "return_sequences": True, "return_state": True,
              "go_backwards": go_backwards}
    builtin, ours = _pair(builtin_cls, seqkit_cls, kwargs, x)
    out_b, out_o = builtin(x, mask=mask), ours(x, mask=mask)
    _assert_same(out_b, out_o)
    np.testing.assert_allclose(to_np(out_o[1])[3], 0.0)


@pytest.mark.parametrize("builtin_cls,seqkit_cls,base", FAMILIES)
def test_stateful_carries_state_between_calls(builtin_cls, seqkit_cls, base):
    x = _inputs(batch=2, steps=5)
    kwargs = {**base, "stateful": True, "return_sequences": True}
    builtin, ours = builtin_cls(6, **kwargs), seqkit_cls(6, **kwargs)
    builtin(x)
    ours(x)
    ours.set_weights(builtin.get_weights())
    builtin.reset_state()
    ours.reset_state()
    first_b, first_o = to_np(builtin(x)), to_np(ours(x))
    second_b, second_o = to_np(builtin(x)), to_np(ours(x))
    _assert_same(first_b, first_o)
    _assert_same(second_b, second_o)
    assert np.abs(second_o - first_o).max() > 1e-3  # the state really was carried
    ours.reset_state()
    _assert_same(to_np(ours(x)), first_o)


@pytest.mark.parametrize("builtin_cls,seqkit_cls,base", FAMILIES)
def test_bidirectional_and_stacked_models(builtin_cls, seqkit_cls, base):
    def model(cls):
        inp = keras.Input((None, 5))
        h = keras.layers.Bidirectional(cls(6, return_sequences=True, **base))(inp)
        h = cls(4, **base)(h)
        return keras.Model(inp, h)

    builtin, ours = model(builtin_cls), model(seqkit_cls)
    ours.set_weights(builtin.get_weights())
    x = _inputs()
    _assert_same(builtin(x), ours(x))
