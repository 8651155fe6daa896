"""export(..., litert=True): assets.extra/model.tflite, run in ai-edge-litert, equal to the
SavedModel's serving_default (<= 1e-4) for every golden case; LSTMs with the built-in math
take the fused UNIDIRECTIONAL_SEQUENCE_LSTM op, the rest a WHILE loop, each with its reason;
declined for raw text; absent by default."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

from seqkit import cli
from seqkit.conformance import GOLDEN_CASES
from seqkit.serving import export
from seqkit.serving.metadata import read_metadata
from tests.serving import models

CASES = {case.name: case for case in GOLDEN_CASES}
# the cases the fused op can express: Keras' LSTM math (forget_bias folds into the bias),
# unmasked, forwards, backwards or both; every other case keeps the WHILE loop
FUSED = {"lstm", "lstm_bidirectional", "lstm_go_backwards", "forget_bias"}
FAST = ["lstm", "gru", "peephole", "gru_stacked", "lstm_sequences_masked",
        "lstm_bidirectional", "lstm_go_backwards", "forget_bias", "cifg", "layernorm_lstm"]
# the same WHILE path as FAST's variants, other cell math: run with the slow tests
NUMERIC = FAST + [pytest.param(c.name, marks=pytest.mark.slow)
                  for c in GOLDEN_CASES if c.name not in FAST]


def _serving_default(path, feeds):
    loaded = tf.saved_model.load(str(path))
    out = loaded.signatures["serving_default"](**{k: tf.constant(v) for k, v in feeds.items()})
    return {k: v.numpy() for k, v in out.items()}


def _litert_rows(file, feeds):
    """The .tflite's serving_default, one row per call (its batch axis is 1), each from a
    fresh interpreter (the fused LSTM op keeps its state between calls)."""
    n = len(next(iter(feeds.values())))
    rows = [Interpreter(model_path=str(file)).get_signature_runner("serving_default")(
        **{k: v[i:i + 1] for k, v in feeds.items()}) for i in range(n)]
    return {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}


@pytest.mark.parametrize("name", NUMERIC)
def test_golden_case_litert_matches_saved_model(tmp_path, name):
    case = CASES[name]
    model = case.build_model()
    info = export(model, tmp_path / name, warmup=False, step_signature=False, litert=True,
                  warmup_examples=case.inputs() if case.masked else None)
    entry = info.litert
    assert entry["available"], entry
    file = tmp_path / name / "1" / "assets.extra" / "model.tflite"
    assert file.is_file() and entry["path"] == "assets.extra/model.tflite"
    assert entry["size_bytes"] == file.stat().st_size
    assert entry["interpreter"].startswith("ai_edge_litert")
    ops = entry["ops"]
    if name in FUSED:
        assert ops["path"] == "fused" and not ops["while"], ops
        assert ops["fused"] == ["UNIDIRECTIONAL_SEQUENCE_LSTM"] and entry["reset_variables"]
        assert {v["path"] for v in entry["layers"].values()} == {
            "fused UnidirectionalSequenceLSTM"}
    else:
        assert ops["path"] == "loop" and ops["while"] and not ops["fused"], ops
        assert all(v["path"] == "WHILE loop" and v["reason"] for v in entry["layers"].values())
    assert len(entry["layers"]) == (1 + case.stacked) * (1 + case.bidirectional)
    assert entry["max_abs_diff"] <= 1e-4
    assert read_metadata(info.path)["litert"] == entry
    rng = np.random.default_rng(7)
    for steps in (3, 11):
        x = rng.normal(size=(4, steps, case.features)).astype("float32")
        if case.masked:
            x[0, steps - 2:] = 0.0  # post-padding
            x[-1] = 0.0  # a fully padded row
        want = _serving_default(info.path, {"sequence": x})
        got = _litert_rows(file, {"sequence": x})
        assert set(got) == set(want)
        np.testing.assert_allclose(got["output"], want["output"], rtol=0, atol=1e-4)
        # an independent reference too: the Keras model itself
        np.testing.assert_allclose(got["output"], model(x).numpy(), rtol=0, atol=1e-4)


def test_reasons_name_what_the_fused_op_lacks(tmp_path):
    reasons = {}
    for name in ("gru", "peephole", "lstm_sequences_masked"):
        info = export(CASES[name].build_model(), tmp_path / name, warmup=False,
                      step_signature=False, litert=True,
                      warmup_examples=CASES[name].inputs() if CASES[name].masked else None)
        (layer,) = info.litert["layers"].values()
        reasons[name] = layer["reason"]
    assert "no fused GRU" in reasons["gru"]
    assert "peephole" in reasons["peephole"]
    assert "mask" in reasons["lstm_sequences_masked"]


def test_lstm_then_gru_is_mixed_and_the_fused_state_must_be_reset(tmp_path):
    import keras

    inp = keras.Input((None, 3), name="sequence")
    x = keras.layers.LSTM(4, return_sequences=True, name="enc")(inp)
    model = keras.Model(inp, keras.layers.GRU(2, name="dec")(x))
    info = export(model, tmp_path / "m", warmup=False, step_signature=False, litert=True)
    entry = info.litert
    assert entry["ops"]["path"] == "mixed" and entry["ops"]["while"]
    assert entry["layers"]["enc"]["path"] == "fused UnidirectionalSequenceLSTM"
    assert entry["layers"]["dec"] == {"path": "WHILE loop",
                                      "reason": "GRU: TFLite has no fused GRU builtin"}
    x = models.windows(2, 5, seed=3)
    want = model(x).numpy()
    interpreter = Interpreter(model_path=str(tmp_path / "m" / "1" / entry["path"]))
    runner = interpreter.get_signature_runner("serving_default")
    (key,) = entry["outputs"]
    first = runner(sequence=x[:1])[key]
    second = runner(sequence=x[1:])[key]  # starts from the first row's final LSTM state
    assert np.abs(second - want[1:]).max() > 1e-4
    interpreter.reset_all_variables()
    np.testing.assert_allclose(runner(sequence=x[1:])[key], want[1:], atol=1e-4)
    np.testing.assert_allclose(first, want[:1], atol=1e-4)


def test_a_failed_fused_conversion_falls_back_to_the_loop(tmp_path, monkeypatch):
    from seqkit.serving import litert

    def broken(*args, **kwargs):
        raise RuntimeError("no fusion today")

    monkeypatch.setattr(litert, "convert_fused", broken)
    info = export(CASES["lstm"].build_model(), tmp_path / "m", warmup=False,
                  step_signature=False, litert=True)
    entry = info.litert
    assert entry["available"] and entry["ops"]["path"] == "loop"
    assert "no fusion today" in entry["fused_attempt"]
    assert [v["reason"] for v in entry["layers"].values()] == [entry["fused_attempt"]]
    assert entry["max_abs_diff"] <= 1e-4


def test_classifier_outputs_named_like_the_saved_model(tmp_path):
    model = models.sequence_classifier("gru", masked=False)
    info = export(model, tmp_path / "seq", warmup=False, step_signature=False, litert=True,
                  class_names=["a", "b", "c"])
    entry = info.litert
    assert entry["available"], entry
    x = models.windows(3, 9, seed=2)
    got = _litert_rows(tmp_path / "seq" / "1" / entry["path"], {"sequence": x})
    want = _serving_default(info.path, {"sequence": x})
    assert sorted(got) == sorted(want) == entry["outputs"]
    np.testing.assert_allclose(got["probabilities"], want["probabilities"], atol=1e-4)
    np.testing.assert_array_equal(got["class_ids"], want["class_ids"])
    np.testing.assert_array_equal(got["class_names"], want["class_names"])


def test_raw_text_model_is_declined_with_reason(tmp_path):
    model = models.text_classifier("lstm")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        info = export(model, tmp_path / "text", warmup=False, step_signature=False,
                      litert=True, class_names=models.CLASS_NAMES)
    assert info.litert["available"] is False
    assert "TextVectorization" in info.litert["reason"]
    assert any("no LiteRT file" in str(w.message) for w in caught)
    assert not (tmp_path / "text" / "1" / "assets.extra" / "model.tflite").exists()
    assert read_metadata(info.path)["litert"]["available"] is False


def test_mismatch_is_declined_and_no_file_written(tmp_path, monkeypatch):
    from seqkit.serving import verify

    # nothing can match
    monkeypatch.setitem(verify.TOLERANCES, "litert", verify.Tolerance(atol=-1.0))
    with pytest.warns(UserWarning, match="no LiteRT file"):
        info = export(CASES["gru"].build_model(), tmp_path / "m", warmup=False,
                      step_signature=False, litert=True)
    assert info.litert["available"] is False
    assert "differs from serving_default" in info.litert["reason"]
    assert info.litert["max_abs_diff"] >= 0.0
    assert not list((tmp_path / "m").rglob("*.tflite"))
    assert (tmp_path / "m" / "1" / "saved_model.pb").is_file()  # the SavedModel still is


def test_default_export_writes_no_tflite(tmp_path):
    info = export(CASES["gru"].build_model(), tmp_path / "m", warmup=False,
                  step_signature=False)
    assert info.litert == {}
    assert read_metadata(info.path)["litert"] is None
    assert not list((tmp_path / "m").rglob("*.tflite"))


def test_litert_must_be_a_bool(tmp_path):
    from seqkit.errors import ConfigError

    with pytest.raises(ConfigError, match="litert must be"):
        export(CASES["gru"].build_model(), tmp_path / "m", litert="yes")
    assert not (tmp_path / "m").exists()


def test_cli_litert_flag(monkeypatch, capsys):
    import seqkit
    from seqkit.fit import FitResult

    calls = []

    class Info:
        path, size_bytes, inputs, outputs = "b/1", 1000, {"x": 0}, {"y": 0}
        litert = {"available": True, "path": "assets.extra/model.tflite",
                  "ops": {"path": "loop"}, "max_abs_diff": 1e-7}

    monkeypatch.setattr(FitResult, "load", staticmethod(lambda path: f"loaded {path}"))
    monkeypatch.setattr(seqkit, "export", lambda *a, **k: calls.append((a, k)) or Info())
    assert cli.main(["export", "res", "base", "--litert"]) == 0
    assert calls[-1][1]["litert"] is True
    assert "LiteRT: assets.extra/model.tflite (loop" in capsys.readouterr().out
    assert cli.main(["export", "res", "base"]) == 0
    assert calls[-1][1]["litert"] is False
