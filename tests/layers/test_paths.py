"""Which loop runs: the built-in fused op only for built-in math, seqkit's loop otherwise.

On this CPU-only machine no fused op exists, so the test makes the backend report one
(``cudnn_ok`` → True) and records calls to ``backend.lstm``/``backend.gru``: a layer with
the built-in math must call it; a variant or a trace must never reach it.
"""

import keras
import numpy as np
import pytest
from keras.ops import convert_to_numpy as to_np
from keras.src import backend as keras_backend

from seqkit.layers import ExplicitGRU, ExplicitLSTM


@pytest.fixture
def fake_fused(monkeypatch):
    """Pretend a fused op is usable; record calls, then decline (NotImplementedError), which
    makes Keras fall back to its own loop over the cell, as it does when cuDNN is absent."""
    calls = []

    def recorder(name):
        def fused(*args, **kwargs):
            calls.append(name)
            raise NotImplementedError
        return fused

    monkeypatch.setattr(keras_backend, "cudnn_ok", lambda *a, **k: True)
    monkeypatch.setattr(keras_backend, "lstm", recorder("lstm"))
    monkeypatch.setattr(keras_backend, "gru", recorder("gru"))
    return calls


X = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")


@pytest.mark.parametrize("cls,name", [(ExplicitLSTM, "lstm"), (ExplicitGRU, "gru")])
def test_builtin_math_takes_the_fused_path(fake_fused, cls, name):
    layer = cls(4)
    assert layer.execution_path() == "fused"
    ours = to_np(layer(X))
    assert fake_fused == [name]
    builtin = getattr(keras.layers, name.upper())(4)
    builtin(X)
    builtin.set_weights(layer.get_weights())
    np.testing.assert_allclose(ours, to_np(builtin(X)), atol=1e-6)


@pytest.mark.parametrize("layer", [
    lambda: ExplicitLSTM(4, peephole=True),
    lambda: ExplicitLSTM(4, layer_norm=True),
    lambda: ExplicitLSTM(4, coupled_input_forget=True),
    lambda: ExplicitGRU(4, layer_norm=True),
    lambda: ExplicitLSTM(4, use_cudnn=False),
    lambda: ExplicitGRU(4, recurrent_dropout=0.2),
], ids=["peephole", "ln-lstm", "cifg", "ln-gru", "use_cudnn-false", "recurrent-dropout"])
def test_variants_never_reach_the_fused_op(fake_fused, layer):
    layer = layer()
    assert layer.execution_path() == "explicit"
    layer(X)
    assert fake_fused == []


def test_trace_is_explicit_even_for_builtin_math(fake_fused):
    layer = ExplicitLSTM(4)
    layer(X)
    fake_fused.clear()
    assert layer.execution_path(trace=True) == "explicit"
    trace = layer.trace_gates(X)
    assert fake_fused == []
    assert trace["h"].shape == (2, 5, 4)


def test_cpu_without_fused_op_runs_explicit_loop():
    assert not keras_backend.cudnn_ok(keras.activations.tanh, keras.activations.sigmoid,
                                      False, True)
    assert ExplicitLSTM(4).execution_path() == "explicit"
    assert ExplicitGRU(4).execution_path() == "explicit"


def test_use_cudnn_true_without_fused_op_is_a_clear_error():
    with pytest.raises(ValueError, match="use_cudnn=True"):
        ExplicitLSTM(4, use_cudnn=True)(X)
