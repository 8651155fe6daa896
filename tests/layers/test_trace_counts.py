"""Gate traces against the NumPy reference; heatmaps; parameter counts against Keras."""

import keras
import numpy as np
import pytest
from keras.ops import convert_to_numpy as to_np

import seqkit
from seqkit.errors import ConfigError
from seqkit.layers import ExplicitGRU, ExplicitLSTM, count_rnn, make_rnn, variant_names
from tests.layers import numpy_reference as ref


def _layer(cls, x, **kw):
    layer = cls(4, **kw)
    layer(x)
    rng = np.random.default_rng(5)
    layer.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32")
                       for w in layer.get_weights()])
    return layer


def test_lstm_trace_matches_numpy_gates_under_masking():
    x = np.random.default_rng(0).normal(size=(3, 6, 2)).astype("float32")
    mask = np.ones((3, 6), bool)
    mask[0, 3:] = False
    layer = _layer(ExplicitLSTM, x, peephole=True)
    trace = layer.trace_gates(x, mask=mask)
    cell = layer.cell
    _, _, _, gates = ref.lstm(x, to_np(cell.kernel), to_np(cell.recurrent_kernel),
                              to_np(cell.bias), peephole=to_np(cell.peephole_kernel),
                              mask=mask)
    assert trace.names == ["i", "f", "g", "o", "c", "h"]
    for name in trace.names:
        assert trace[name].shape == (3, 6, 4)
        np.testing.assert_allclose(trace[name], gates[name], atol=1e-5, err_msg=name)
    assert not trace["i"][0, 3:].any()  # masked steps are zeros
    np.testing.assert_array_equal(trace.mask, mask)


def test_gru_trace_h_equals_layer_output_and_backwards_is_in_input_order():
    x = np.random.default_rng(1).normal(size=(2, 5, 3)).astype("float32")
    layer = _layer(ExplicitGRU, x, return_sequences=True, go_backwards=True)
    trace = layer.trace_gates(x)
    outputs = to_np(layer(x))  # processing order (reversed) for go_backwards
    np.testing.assert_allclose(trace["h"][:, ::-1], outputs, atol=1e-6)
    cell = layer.cell
    _, _, gates = ref.gru(x, to_np(cell.kernel), to_np(cell.recurrent_kernel),
                          to_np(cell.bias), go_backwards=True)
    np.testing.assert_allclose(trace["z"][:, ::-1], gates["z"], atol=1e-5)


def test_model_trace_uses_the_embedding_mask(tmp_path):
    inp = keras.Input((None,), dtype="int32", name="tokens")
    h = keras.layers.Embedding(20, 3, mask_zero=True)(inp)
    h = make_rnn("cifg", 4, name="rnn")(h)
    model = keras.Model(inp, keras.layers.Dense(1)(h))
    tokens = np.array([[3, 4, 5, 0, 0], [7, 0, 0, 0, 0]])
    trace = seqkit.trace_gates(model, tokens, layer="rnn")
    np.testing.assert_array_equal(trace.mask, tokens != 0)
    np.testing.assert_allclose(trace["f"][0, :3], 1.0 - trace["i"][0, :3], atol=1e-6)  # CIFG
    png = seqkit.plot_gate_trace(trace, tmp_path / "gates.png", tokens=["a", "b", "c"])
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    with pytest.raises(ConfigError, match="no seqkit RNN layer 'nope'"):
        seqkit.trace_gates(model, tokens, layer="nope")


@pytest.mark.parametrize("name", variant_names())
def test_counts_match_keras_count_params(name):
    layer = make_rnn(name, 8)
    layer(np.zeros((1, 2, 5), "float32"))
    counts = count_rnn(layer)
    assert counts["params"] == layer.count_params()
    assert counts["matmul_macs_per_step"] == (5 + 8) * counts["gate_blocks"] * 8


def test_gru_has_three_quarters_of_lstm_parameters():
    lstm = count_rnn(make_rnn("lstm", 128), input_dim=128)
    gru = count_rnn(make_rnn("gru_reset_before", 128), input_dim=128)
    assert gru["params"] / lstm["params"] == pytest.approx(0.75)
    gru_ra = count_rnn(make_rnn("gru", 128), input_dim=128)  # reset_after: 2 bias rows
    assert 0.75 < gru_ra["params"] / lstm["params"] < 0.76
    bi = keras.layers.Bidirectional(make_rnn("lstm", 8))
    bi(np.zeros((1, 2, 5), "float32"))
    assert count_rnn(bi)["params"] == bi.count_params()


def test_make_rnn_names_and_templates():
    with pytest.raises(ConfigError, match="unknown cell 'lstmm'.*lstm, gru"):
        make_rnn("lstmm", 4)
    template = ExplicitLSTM(4, peephole=True)
    a, b = make_rnn(template, 4), make_rnn(template, 4, return_sequences=True)
    assert a is not template and a.cell.options.peephole and b.return_sequences
