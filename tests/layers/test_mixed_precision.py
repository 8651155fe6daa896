"""Layers under mixed_float16 / mixed_bfloat16: float32 variables, compute-dtype outputs,
close to the float32 layer with the same weights; traces work; a training step is finite."""

import keras
import numpy as np
import pytest

from seqkit.layers import make_rnn

# Outputs are O(1); 5 units in the last place of the compute dtype (float16 eps 9.8e-4,
# bfloat16 eps 7.8e-3). Measured over 15 seeds: at most 3.2e-3 / 2.1e-2 (layer norm,
# which divides by the standard deviation), 0.8e-3 / 5.8e-3 without.
TOL = {"mixed_float16": 5 * 9.8e-4, "mixed_bfloat16": 5 * 7.8e-3}
X = np.random.default_rng(0).normal(size=(3, 5, 4)).astype("float32")


@pytest.fixture
def restore_policy():
    yield
    keras.config.set_dtype_policy("float32")


@pytest.mark.parametrize("policy", list(TOL))
@pytest.mark.parametrize("name", ["lstm", "peephole", "cifg", "layernorm_lstm", "gru",
                                  "gru_reset_before", "layernorm_gru"])
def test_mixed_precision_matches_float32(policy, name, restore_policy):
    keras.utils.set_random_seed(0)
    reference = make_rnn(name, 6, return_sequences=True)
    reference(X)
    keras.config.set_dtype_policy(policy)
    layer = make_rnn(name, 6, return_sequences=True)
    layer(X)
    layer.set_weights(reference.get_weights())
    out = layer(X)
    assert keras.backend.standardize_dtype(out.dtype) == policy.split("_")[1]
    assert all(keras.backend.standardize_dtype(w.dtype) == "float32" for w in layer.weights)
    want = keras.ops.convert_to_numpy(reference(X))
    got = keras.ops.convert_to_numpy(keras.ops.cast(out, "float32"))
    np.testing.assert_allclose(got, want, atol=TOL[policy])
    trace = layer.trace_gates(X)
    np.testing.assert_allclose(trace["h"], want, atol=TOL[policy])


@pytest.mark.parametrize("policy", list(TOL))
def test_mixed_precision_training_step_is_finite(policy, restore_policy):
    keras.config.set_dtype_policy(policy)
    inp = keras.Input((None, 4))
    h = make_rnn("layernorm_lstm", 8)(inp)
    model = keras.Model(inp, keras.layers.Dense(1, dtype="float32")(h))
    model.compile("adam", "mse")
    history = model.fit(X, np.ones((3, 1), "float32"), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
