"""``serving_trace`` (``export(..., trace_signature=True)``): every gate of every RNN layer
per step from the exported, reloaded SavedModel equals ``seqkit.trace_gates`` on the same
inputs (and, for a plain LSTM, the gate equations written here in NumPy); the keys map
to ``<layer>/<gate>`` in the metadata; ``serving_default`` is the default export's; a
default export has no ``serving_trace``; models that cannot be traced are refused with
the reason."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import seqkit
from seqkit.conformance import GOLDEN_CASES
from seqkit.errors import ConfigError
from seqkit.serving import export, read_metadata, read_warmup_requests
from seqkit.serving.warmup import signature_of

TOL = 1e-5
CASES = {c.name: c for c in GOLDEN_CASES}
#: a plain LSTM, a peephole and a layer-norm (GRU) variant, stacked GRUs, a masked LSTM,
#: a bidirectional one (trace_gates traces both halves, the backward one go_backwards)
TRACED = ("lstm", "peephole", "layernorm_gru", "gru_stacked", "lstm_sequences_masked",
          "lstm_bidirectional")
SAVED_MODEL_CLI = Path(sys.executable).parent / "saved_model_cli"


def _call(signature, **inputs):
    return {k: v.numpy() for k, v in
            signature(**{k: tf.constant(v) for k, v in inputs.items()}).items()}


def _rnn_layers(model):
    """Every recurrent layer of the model, a Bidirectional's halves included."""
    out = []
    for layer in model.layers:
        for inner in (layer, getattr(layer, "forward_layer", None),
                      getattr(layer, "backward_layer", None)):
            if isinstance(inner, keras.layers.RNN):
                out.append(inner)
    return out


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    """``name -> (case, model, info, loaded)``, exported with trace_signature=True."""
    root = tmp_path_factory.mktemp("trace_golden")
    cache = {}

    def get(name):
        if name not in cache:
            case = CASES[name]
            model = case.build_model()
            info = export(model, root / name, warmup=False, trace_signature=True)
            cache[name] = (case, model, info, tf.saved_model.load(info.path))
        return cache[name]

    return get


def _check_against_trace_gates(model, loaded, entry, x):
    got = _call(loaded.signatures["serving_trace"], sequence=x)
    assert set(got) == set(entry["outputs"])
    # every gate of every RNN layer, under a key that is a plain identifier
    expected = {(layer.name, gate) for layer in _rnn_layers(model)
                for gate in layer.cell.gate_names}
    assert {(r["layer"], r["gate"]) for r in entry["outputs"].values()} == expected
    for key, row in entry["outputs"].items():
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", key), key
        assert row["name"] == f"{row['layer']}/{row['gate']}"
        assert got[key].dtype == np.float32
        assert got[key].shape == (*x.shape[:2], row["units"])
        want = seqkit.trace_gates(model, x, layer=row["layer"])[row["gate"]]
        np.testing.assert_allclose(got[key], want, atol=TOL, rtol=0, err_msg=row["name"])
    return got


@pytest.mark.parametrize("name", TRACED)
def test_serving_trace_equals_trace_gates(traced, name):
    case, model, info, loaded = traced(name)
    entry = read_metadata(info.path)["trace"]
    assert entry["available"] and entry["signature_name"] == "serving_trace"
    assert "serving_trace" in loaded.signatures
    x = dataclasses.replace(case, time=11).inputs(seed=2)  # not the export's sample
    got = _check_against_trace_gates(model, loaded, entry, x)
    if case.masked:  # padded steps (the last two of row 0, all of the last row): zeros
        for value in got.values():
            assert not value[0, -2:].any() and not value[-1].any()
    full = _call(loaded.signatures["serving_default"], sequence=x)["output"]
    np.testing.assert_allclose(full, keras.ops.convert_to_numpy(model(x)), atol=TOL)


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def test_lstm_gates_match_numpy_equations(traced):
    """The plain LSTM's trace against i, f, g, o, c, h computed here from the weights
    (Keras' layout: kernel (d, 4u), gate order i, f, c, o)."""
    case, model, info, loaded = traced("lstm")
    layer, = _rnn_layers(model)
    kernel, recurrent, bias = (keras.ops.convert_to_numpy(w).astype(np.float64) for w in
                               (layer.cell.kernel, layer.cell.recurrent_kernel,
                                layer.cell.bias))
    x = case.inputs(seed=5).astype(np.float64)
    units = layer.cell.units
    h = c = np.zeros((len(x), units))
    want = {g: [] for g in ("i", "f", "g", "o", "c", "h")}
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f = _sigmoid(z[:, :units]), _sigmoid(z[:, units:2 * units])
        g, o = np.tanh(z[:, 2 * units:3 * units]), _sigmoid(z[:, 3 * units:])
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, value in zip(want, (i, f, g, o, c, h), strict=True):
            want[name].append(value)
    got = _call(loaded.signatures["serving_trace"], sequence=x.astype("float32"))
    rows = read_metadata(info.path)["trace"]["outputs"]
    for key, row in rows.items():
        np.testing.assert_allclose(got[key], np.stack(want[row["gate"]], axis=1),
                                   atol=TOL, err_msg=row["name"])


@pytest.mark.parametrize("name", ["lstm_sequences_masked"])
def test_default_export_has_no_trace_and_same_serving_default(traced, tmp_path, name):
    case, model, info, loaded = traced(name)
    default = export(model, tmp_path / name, warmup=False)
    plain = tf.saved_model.load(default.path)
    assert "serving_trace" not in plain.signatures
    assert sorted(plain.signatures) == ["serving_default", "serving_step"]
    assert sorted(loaded.signatures) == ["serving_default", "serving_step", "serving_trace"]
    assert read_metadata(default.path)["trace"]["available"] is False
    x = case.inputs(seed=3)
    for signature in ("serving_default", "serving_step"):
        ins = {k: v.shape for k, v in
               plain.signatures[signature].structured_input_signature[1].items()}
        assert ins == {k: v.shape for k, v in
                       loaded.signatures[signature].structured_input_signature[1].items()}
    np.testing.assert_allclose(_call(loaded.signatures["serving_default"], sequence=x)["output"],
                               _call(plain.signatures["serving_default"], sequence=x)["output"],
                               atol=TOL)


def test_fit_result_exports_traces_with_warmup(tmp_path):
    rng = np.random.default_rng(0)
    lengths = [5, 9, 7, 9, 6, 8, 9, 5, 7, 8, 6, 9]
    x = [rng.normal(size=(n, 2)).astype("float32") for n in lengths]
    y = ["a", "b"] * 6
    result = seqkit.fit_sequence_classifier(x, y, cell="gru", units=4, epochs=1, verbose=0,
                                            val_fraction=0.2)
    info = seqkit.export(result, tmp_path / "seq", trace_signature=True)
    loaded = tf.saved_model.load(info.path)
    entry = read_metadata(info.path)["trace"]
    padded = np.zeros((4, 9, 2), "float32")
    for i in range(4):
        padded[i, :lengths[i]] = x[i]
    got = _check_against_trace_gates(result.model, loaded, entry, padded)
    assert all(not v[0, 5:].any() for v in got.values())  # padding steps: zeros
    # warmup: serving_default's records again, named serving_trace, and they run
    names = [signature_of(r) for r in read_warmup_requests(info.path)]
    assert names.count("serving_trace") == names.count("serving_default") > 0
    assert entry["warmup_records"] == names.count("serving_trace")
    for request in read_warmup_requests(info.path):
        if signature_of(request) == "serving_trace":
            feeds = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
            assert set(_call(loaded.signatures["serving_trace"], **feeds)) == \
                set(entry["outputs"])


def _conv_model():
    inp = keras.Input((None, 3), name="sequence")
    x = keras.layers.Conv1D(4, 3, padding="same")(inp)
    return keras.Model(inp, keras.layers.Dense(2)(keras.layers.GlobalAveragePooling1D()(x)))


def _keras_lstm_model():
    inp = keras.Input((None, 3), name="sequence")
    return keras.Model(inp, keras.layers.Dense(2)(keras.layers.LSTM(4, name="lstm")(inp)))


def _nested_model():
    inp = keras.Input((None, 3), name="sequence")
    inner = keras.Sequential([keras.Input((None, 3)), seqkit.make_rnn("gru", 2, name="deep")],
                             name="inner")
    return keras.Model(inp, inner(inp))


@pytest.mark.parametrize("build, reason", [
    (_conv_model, "has no recurrent layer: there are no gates to trace"),
    (_keras_lstm_model, r"layer 'lstm' \(LSTM\) is not a seqkit RNN layer, and "
                        r"seqkit.trace_gates traces only ExplicitLSTM/ExplicitGRU"),
    (_nested_model, r"layer 'deep' \(ExplicitGRU\) lies inside a nested model"),
])
def test_untraceable_models_are_refused_with_the_reason(tmp_path, build, reason):
    model = build()
    with pytest.raises(ConfigError, match=f"^trace_signature=True: .*{reason}"):
        export(model, tmp_path / "m", trace_signature=True)
    assert not (tmp_path / "m").exists()  # refused before anything was written
    assert export(model, tmp_path / "ok", warmup=False).version == 1  # the default works


def test_trace_signature_must_be_a_bool(tmp_path):
    with pytest.raises(ConfigError, match="trace_signature must be"):
        export(CASES["gru"].build_model(), tmp_path / "m", trace_signature="yes")


def test_saved_model_cli_lists_serving_trace(traced):
    if not SAVED_MODEL_CLI.exists():
        pytest.skip(f"saved_model_cli not found next to {sys.executable}")
    _, _, info, _ = traced("lstm")
    out = subprocess.run([str(SAVED_MODEL_CLI), "show", "--all", "--dir", info.path],
                         capture_output=True, text=True, timeout=180, check=True).stdout
    assert "signature_def['serving_trace']" in out
    for key, row in read_metadata(info.path)["trace"]["outputs"].items():
        assert (f"outputs['{key}'] tensor_info:\n        dtype: DT_FLOAT\n"
                f"        shape: (-1, -1, {row['units']})") in out
    assert "Method name is: tensorflow/serving/predict" in out
