"""Every gate variant against the independent NumPy reference, the cell loop against the
layer's optimized loop, gradients against finite differences, and option validation."""

import keras
import numpy as np
import pytest
from keras.ops import convert_to_numpy as to_np

from seqkit.errors import ConfigError
from seqkit.layers import ExplicitGRU, ExplicitGRUCell, ExplicitLSTM, ExplicitLSTMCell, loop
from tests.layers import numpy_reference as ref

LSTM_VARIANTS = {
    "builtin": ({}, {}),
    "peephole": ({"peephole": True}, {}),
    "cifg": ({"coupled_input_forget": True}, {"cifg": True}),
    "nig": ({"input_gate": False}, {"nig": True}),
    "nfg": ({"forget_gate": False}, {"nfg": True}),
    "nog": ({"output_gate": False}, {"nog": True}),
    "niaf": ({"input_activation": False}, {"niaf": True}),
    "noaf": ({"output_activation": False}, {"noaf": True}),
    "forget_bias": ({"forget_bias": 1.0}, {"forget_bias": 1.0}),
    "layer_norm": ({"layer_norm": True}, {}),
    "peephole_layer_norm": ({"peephole": True, "layer_norm": True}, {}),
}
GRU_VARIANTS = {
    "reset_after": ({"reset_after": True}, {"reset_after": True}),
    "reset_before": ({"reset_after": False}, {"reset_after": False}),
    "layer_norm_after": ({"reset_after": True, "layer_norm": True}, {"reset_after": True}),
    "layer_norm_before": ({"reset_after": False, "layer_norm": True},
                          {"reset_after": False}),
}


def _randomize(layer, seed=1, scale=0.4):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(scale=scale, size=w.shape).astype("float32")
                       for w in layer.get_weights()])


def _x(seed=0, shape=(3, 6, 4)):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _lstm_reference_args(cell, options):
    args = {}
    if options.get("peephole"):
        args["peephole"] = to_np(cell.peephole_kernel).astype(np.float64)
    if options.get("layer_norm"):
        args["norms"] = {n: (to_np(getattr(cell, f"{n}_norm_gamma")).astype(np.float64),
                             to_np(getattr(cell, f"{n}_norm_beta")).astype(np.float64))
                         for n in ("input", "recurrent", "cell")}
    return args


@pytest.mark.parametrize("name", list(LSTM_VARIANTS))
@pytest.mark.parametrize("masked", [False, True], ids=["dense", "masked"])
def test_lstm_variant_matches_numpy(name, masked):
    options, flags = LSTM_VARIANTS[name]
    x = _x()
    mask = None
    if masked:
        mask = np.ones(x.shape[:2], bool)
        mask[0, 4:] = False
        mask[2, :] = False
    layer = ExplicitLSTM(5, return_sequences=True, return_state=True, **options)
    layer(x)
    _randomize(layer)
    out, h, c = (to_np(t) for t in layer(x, mask=mask))
    cell = layer.cell
    expected, h_ref, c_ref, _ = ref.lstm(
        x, to_np(cell.kernel).astype(np.float64), to_np(cell.recurrent_kernel).astype(np.float64),
        to_np(cell.bias).astype(np.float64), mask=mask, **flags,
        **_lstm_reference_args(cell, options))
    np.testing.assert_allclose(out, expected, atol=1e-5)
    np.testing.assert_allclose(h, h_ref, atol=1e-5)
    np.testing.assert_allclose(c, c_ref, atol=1e-5)


@pytest.mark.parametrize("name", list(GRU_VARIANTS))
@pytest.mark.parametrize("masked", [False, True], ids=["dense", "masked"])
def test_gru_variant_matches_numpy(name, masked):
    options, flags = GRU_VARIANTS[name]
    x = _x()
    mask = None
    if masked:
        mask = np.ones(x.shape[:2], bool)
        mask[1, 3:] = False
    layer = ExplicitGRU(5, return_sequences=True, **options)
    layer(x)
    _randomize(layer)
    cell = layer.cell
    norms = None
    if options.get("layer_norm"):
        norms = {n: (to_np(getattr(cell, f"{n}_norm_gamma")).astype(np.float64),
                     to_np(getattr(cell, f"{n}_norm_beta")).astype(np.float64))
                 for n in ("input", "recurrent")}
    expected, _, _ = ref.gru(
        x, to_np(cell.kernel).astype(np.float64), to_np(cell.recurrent_kernel).astype(np.float64),
        to_np(cell.bias).astype(np.float64), norms=norms, mask=mask, **flags)
    np.testing.assert_allclose(to_np(layer(x, mask=mask)), expected, atol=1e-5)


@pytest.mark.parametrize("cell_cls,layer_cls,options", [
    (ExplicitLSTMCell, ExplicitLSTM, {"peephole": True, "layer_norm": True}),
    (ExplicitLSTMCell, ExplicitLSTM, {"coupled_input_forget": True, "forget_bias": 0.0}),
    (ExplicitGRUCell, ExplicitGRU, {"layer_norm": True, "reset_after": False}),
], ids=["lstm-peephole-ln", "lstm-cifg", "gru-ln-before"])
@pytest.mark.parametrize("hoist", [False, True], ids=["per-step", "hoisted"])
def test_layer_loop_equals_plain_cell_loop(cell_cls, layer_cls, options, hoist, monkeypatch):
    """The layer's loop, with the input projection per step (TF CPU) or hoisted out of the
    loop (GPU/JAX/torch), equals keras.layers.RNN stepping the same cell's call() one step
    at a time (Flax's optimized-vs-plain test)."""
    monkeypatch.setattr(loop, "hoist_input_projection", lambda batch=None: hoist)
    x = _x(shape=(2, 5, 3))
    layer = layer_cls(4, return_sequences=True, **options)
    plain = keras.layers.RNN(cell_cls(4, **options), return_sequences=True)
    layer(x)
    plain(x)
    _randomize(layer)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(to_np(layer(x)), to_np(plain(x)), atol=1e-6)


@pytest.mark.parametrize("layer_cls,options", [
    (ExplicitLSTM, {"peephole": True, "layer_norm": True, "forget_bias": 0.5}),
    (ExplicitGRU, {"layer_norm": True, "reset_after": False}),
], ids=["lstm", "gru"])
@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="uses TensorFlow's GradientTape")
def test_gradients_match_finite_differences(layer_cls, options):
    import tensorflow as tf  # here, so the module also collects where TF is not installed

    keras.config.set_floatx("float64")
    try:
        x = np.random.default_rng(3).normal(size=(2, 4, 3))
        layer = layer_cls(3, dtype="float64", **options)
        layer(x)
        _randomize(layer, scale=0.5)
        for var in layer.trainable_weights:
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(tf.sin(layer(x)))
            grad = to_np(tape.gradient(loss, var.value))
            base = to_np(var.value).copy()
            flat_idx = np.random.default_rng(0).choice(base.size, size=min(4, base.size),
                                                       replace=False)
            for k in flat_idx:
                idx = np.unravel_index(k, base.shape)
                eps = 1e-6
                for sign in (1, -1):
                    bumped = base.copy()
                    bumped[idx] += sign * eps
                    var.assign(bumped)
                    if sign == 1:
                        plus = float(tf.reduce_sum(tf.sin(layer(x))))
                    else:
                        minus = float(tf.reduce_sum(tf.sin(layer(x))))
                var.assign(base)
                numeric = (plus - minus) / (2 * eps)
                assert abs(numeric - grad[idx]) < 1e-6 + 1e-4 * abs(numeric), (var.name, idx)
    finally:
        keras.config.set_floatx("float32")


@pytest.mark.parametrize("kwargs,names", [
    ({"coupled_input_forget": True, "input_gate": False}, ["coupled_input_forget", "input_gate"]),
    ({"coupled_input_forget": True, "forget_gate": False},
     ["coupled_input_forget", "forget_gate"]),
    ({"forget_gate": False, "forget_bias": 1.0}, ["forget_bias", "forget_gate"]),
])
def test_invalid_combinations_name_both_options(kwargs, names):
    with pytest.raises(ConfigError) as err:
        ExplicitLSTM(4, **kwargs)
    for name in names:
        assert name in str(err.value)


def test_bad_option_values_say_what_is_allowed():
    with pytest.raises(ConfigError, match="peephole must be True or False, got 'yes'"):
        ExplicitLSTM(4, peephole="yes")
    with pytest.raises(ConfigError, match="norm_epsilon must be a positive finite number, got 0"):
        ExplicitGRU(4, layer_norm=True, norm_epsilon=0)
    with pytest.raises(ConfigError,
                       match=r"use_cudnn must be one of \('auto', True, False\), got 'sometimes'"):
        ExplicitGRU(4, use_cudnn="sometimes")
    with pytest.raises(ConfigError, match="use_cudnn=True needs the built-in"):
        ExplicitLSTM(4, peephole=True, use_cudnn=True)
    with pytest.raises(ValueError, match="peepholes"):
        ExplicitLSTM(4, peepholes=True)  # misspelt option: not silently ignored


def test_variant_changes_the_output():
    """Guard against a variant flag that is accepted but ignored."""
    x = _x()
    base = ExplicitLSTM(5)
    base(x)
    _randomize(base)
    for options in ({"coupled_input_forget": True}, {"input_gate": False},
                    {"output_activation": False}, {"forget_bias": 1.0}):
        other = ExplicitLSTM(5, **options)
        other(x)
        other.set_weights(base.get_weights())
        assert np.abs(to_np(other(x)) - to_np(base(x))).max() > 1e-3, options
