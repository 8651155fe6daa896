"""export(): reload equality, signature contract, versions, bad inputs."""

from __future__ import annotations

import json
from types import SimpleNamespace

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkit.conformance import GOLDEN_CASES
from seqkit.errors import ConfigError, DataError, ExportError
from seqkit.serving import export, latest_version, list_versions
from seqkit.serving.metadata import METADATA_FILE, metadata_path, read_metadata
from tests.serving import models


def _signature(path):
    return tf.saved_model.load(str(path)).signatures["serving_default"]


def _run(signature, **inputs):
    return {k: v.numpy() for k, v in signature(**{k: tf.constant(v) for k, v in
                                                  inputs.items()}).items()}


TEXT_CELLS = ["lstm", "gru", "explicit_lstm", "explicit_gru"]


@pytest.mark.parametrize("cell", TEXT_CELLS)
def test_text_classifier_reloads_equal(tmp_path, cell):
    model = models.text_classifier(cell)
    info = export(model, tmp_path / "text", class_names=models.CLASS_NAMES)
    assert info.version == 1 and info.task == "classification"
    assert info.inputs == {"text": {"dtype": "string", "shape": [None]}}
    assert set(info.outputs) == {"probabilities", "class_ids", "class_names"}
    assert info.rnn_path["path"] == "loop" and info.rnn_path["cudnn_ops"] == []
    signature = _signature(info.path)
    for n, words in ((1, 3), (5, 11)):
        x = models.texts(n, words, seed=n)
        got = _run(signature, text=x)
        want = model(tf.constant(x)).numpy()
        np.testing.assert_allclose(got["probabilities"], want, rtol=1e-5, atol=1e-6)
        assert got["probabilities"].dtype == np.float32
        assert got["class_ids"].dtype == np.int64
        np.testing.assert_array_equal(got["class_ids"], want.argmax(axis=1))
        names = [models.CLASS_NAMES[i].encode() for i in want.argmax(axis=1)]
        assert list(got["class_names"]) == names


FLOAT_CASES = {
    "forecaster_lstm": lambda: models.forecaster("lstm"),
    "forecaster_gru": lambda: models.forecaster("gru"),
    "seq_lstm_masked": lambda: models.sequence_classifier("lstm"),
    "seq_gru_unmasked": lambda: models.sequence_classifier("gru", masked=False),
    "seq_bidirectional_lstm": lambda: models.sequence_classifier("lstm", bidirectional=True),
    "seq_stacked_gru": lambda: models.sequence_classifier("gru", stacked=True),
    "seq_bidirectional_stacked_gru": lambda: models.sequence_classifier(
        "gru", bidirectional=True, stacked=True),
    "forecaster_explicit_lstm": lambda: models.forecaster("explicit_lstm"),
    "seq_explicit_gru_bidirectional": lambda: models.sequence_classifier(
        "explicit_gru", bidirectional=True),
    "seq_peephole_lstm_stacked": lambda: models.sequence_classifier(
        "peephole_lstm", stacked=True),
    "forecaster_layernorm_gru": lambda: models.forecaster("layernorm_gru"),
}


@pytest.mark.parametrize("case", sorted(FLOAT_CASES))
def test_float_models_reload_equal(tmp_path, case):
    model = FLOAT_CASES[case]()
    forecasting = case.startswith("forecaster")
    info = export(model, tmp_path / case, task="forecasting" if forecasting else None,
                  warmup=False)
    name = "window" if forecasting else "sequence"
    assert info.inputs == {name: {"dtype": "float32", "shape": [None, None, 3]}}
    signature = _signature(info.path)
    for n, steps in ((1, 2), (4, 9)):
        x = (models.windows if forecasting else models.padded_sequences)(n, steps, seed=steps)
        got = _run(signature, **{name: x})
        want = model(x).numpy()
        if forecasting:
            assert set(got) == {"forecast"} and got["forecast"].shape == (n, 4, 2)
            np.testing.assert_allclose(got["forecast"], want, rtol=1e-5, atol=1e-5)
        else:
            assert set(got) == {"probabilities", "class_ids"}
            np.testing.assert_allclose(got["probabilities"], want, rtol=1e-5, atol=1e-6)
            np.testing.assert_array_equal(got["class_ids"], want.argmax(axis=1))


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in GOLDEN_CASES])
def test_golden_cases_reload_equal(tmp_path, case):
    model = case.build_model()
    x = case.inputs()
    info = export(model, tmp_path / case.name, warmup=False)
    assert info.task == "generic" and set(info.outputs) == {"output"}
    assert info.inputs["sequence"]["shape"] == [None, None, case.features]
    assert info.rnn_path["cudnn_ops"] == []
    got = _run(_signature(info.path), sequence=x)["output"]
    np.testing.assert_allclose(got, model(x).numpy(), rtol=1e-5, atol=1e-5)


def test_fit_result_like_object_gives_class_names(tmp_path):
    model = models.sequence_classifier("gru")
    result = SimpleNamespace(model=model, task="sequence_classification",
                             class_names=["a", "b", "c"], config={"cell": "gru", "units": 5})
    info = export(result, tmp_path / "seq")
    assert info.task == "sequence_classification"
    assert set(info.outputs) == {"probabilities", "class_ids", "class_names"}
    assert metadata_path(info.path) == tmp_path / "seq" / "1" / "assets.extra" / METADATA_FILE
    meta = json.loads(metadata_path(info.path).read_text())
    assert read_metadata(info.path) == meta
    assert meta["task"] == "sequence_classification" and meta["class_names"] == ["a", "b", "c"]
    assert meta["config"] == {"cell": "gru", "units": 5}
    assert meta["params"] == model.count_params()
    assert [r["units"] for r in meta["rnn_layers"]] == [5]


def test_fixed_time_model_keeps_its_length(tmp_path):
    model = models.fixed_time_model(steps=5)
    info = export(model, tmp_path / "fixed")
    assert info.inputs == {"window": {"dtype": "float32", "shape": [None, 5, 2]}}
    assert info.task == "generic" and set(info.outputs) == {"output"}
    x = models.windows(3, 5, features=2)
    got = _run(_signature(info.path), window=x)["output"]
    np.testing.assert_allclose(got, model(x).numpy(), rtol=1e-5, atol=1e-6)


def test_binary_sigmoid_becomes_two_probabilities(tmp_path):
    inp = keras.Input((None, 2), name="sequence")
    model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.GRU(3)(inp)))
    info = export(model, tmp_path / "binary", class_names=["no", "yes"])
    assert info.outputs["probabilities"]["shape"] == [None, 2]
    x = models.windows(4, 3, features=2)
    got = _run(_signature(info.path), sequence=x)
    p = model(x).numpy()[:, 0]
    np.testing.assert_allclose(got["probabilities"][:, 1], p, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(got["class_ids"], (p > 0.5).astype(np.int64))


def test_name_outputs_variants(tmp_path):
    model = models.forecaster("gru")
    x = models.windows(2, 4)
    info = export(model, tmp_path / "a", name_outputs="prediction", warmup=False)
    assert set(info.outputs) == {"prediction"}
    info = export(model, tmp_path / "b", name_outputs=False, warmup=False)
    assert set(info.outputs) == {"output_0"}
    got = _run(_signature(info.path), window=x)["output_0"]
    np.testing.assert_allclose(got, model(x).numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(ConfigError, match="must match"):
        export(model, tmp_path / "c", name_outputs="not valid")
    with pytest.raises(ConfigError, match="names for 1 outputs"):
        export(model, tmp_path / "c", name_outputs=["a", "b"])


def test_multi_output_model_uses_keras_output_names(tmp_path):
    inp = keras.Input((None, 2), name="sequence")
    h = keras.layers.LSTM(3)(inp)
    model = keras.Model(inp, {"score": keras.layers.Dense(1, name="score")(h),
                              "embedding": keras.layers.Dense(2, name="embedding")(h)})
    info = export(model, tmp_path / "multi", warmup=False)
    assert set(info.outputs) == {"score", "embedding"}
    info = export(model, tmp_path / "multi2", warmup=False,
                  name_outputs={"score": "risk", "embedding": "vector"})
    assert set(info.outputs) == {"risk", "vector"}


def test_versions_next_explicit_existing_and_overwrite(tmp_path):
    base = tmp_path / "fc"
    model = models.forecaster("gru")
    assert export(model, base, warmup=False).version == 1
    assert export(model, base, warmup=False).version == 2
    assert export(model, base, version=7, warmup=False).version == 7
    assert list_versions(base) == [1, 2, 7] and latest_version(base) == 7
    assert export(model, base, warmup=False).version == 8
    with pytest.raises(ExportError, match="version 2 already exists.*overwrite=True"):
        export(model, base, version=2, warmup=False)
    before = (base / "2" / "saved_model.pb").stat().st_mtime_ns
    other = models.forecaster("gru", seed=1)
    info = export(other, base, version=2, overwrite=True, warmup=False)
    assert (base / "2" / "saved_model.pb").stat().st_mtime_ns != before
    x = models.windows(2, 5)
    got = _run(_signature(info.path), window=x)["output"]
    np.testing.assert_allclose(got, other(x).numpy(), rtol=1e-5, atol=1e-5)
    assert sorted(p.name for p in base.iterdir()) == ["1", "2", "7", "8"]


def test_stale_temp_folders_are_removed_and_ignored(tmp_path):
    base = tmp_path / "fc"
    stale = base / ".tmp-1-999999999"  # no such process
    stale.mkdir(parents=True)
    (stale / "saved_model.pb").write_bytes(b"partial")
    assert list_versions(base) == []
    info = export(models.forecaster("gru"), base, warmup=False)
    assert info.version == 1 and info.removed_stale == [".tmp-1-999999999"]
    assert sorted(p.name for p in base.iterdir()) == ["1"]


# ------------------------------------------------------------------------- bad inputs


def test_base_path_that_is_a_file(tmp_path):
    path = tmp_path / "model"
    path.write_text("not a folder")
    with pytest.raises(ExportError, match="is a file"):
        export(models.forecaster(), path)
    with pytest.raises(ExportError, match="is a file"):
        export(models.forecaster(), path / "sub")


@pytest.mark.parametrize("version", [-1, 1.5, "2", True, [1]])
def test_bad_versions(tmp_path, version):
    with pytest.raises(ConfigError, match="version must be an integer >= 0"):
        export(models.forecaster(), tmp_path / "m", version=version)
    assert not (tmp_path / "m").exists()


def test_unbuilt_and_subclassed_models(tmp_path):
    unbuilt = keras.Sequential([keras.layers.LSTM(3), keras.layers.Dense(1)])
    with pytest.raises(ConfigError, match="not built"):
        export(unbuilt, tmp_path / "u")

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.rnn = keras.layers.GRU(3)
            self.head = keras.layers.Dense(2)

        def call(self, x):
            return self.head(self.rnn(x))

    sub = Sub()
    x = models.windows(2, 6, features=2)
    sub(x)
    with pytest.raises(ConfigError, match="input_signature"):
        export(sub, tmp_path / "s")
    info = export(sub, tmp_path / "s", warmup=False, input_signature={
        "window": tf.TensorSpec([None, None, 2], tf.float32)})
    assert info.inputs["window"]["shape"] == [None, None, 2]
    x = models.windows(3, 9, features=2)  # another T than the first call
    got = _run(_signature(info.path), window=x)["output"]
    np.testing.assert_allclose(got, sub(x).numpy(), rtol=1e-5, atol=1e-5)


def test_bad_model_argument_and_task(tmp_path):
    with pytest.raises(ConfigError, match="keras.Model"):
        export("not a model", tmp_path / "x")
    with pytest.raises(ConfigError, match="task must be one of"):
        export(models.forecaster(), tmp_path / "x", task="regression")
    with pytest.raises(ConfigError, match="class_names"):
        export(models.sequence_classifier(), tmp_path / "x", class_names=["a", "b"])


def test_bad_warmup_examples(tmp_path):
    model = models.forecaster()
    with pytest.raises(DataError, match="rank 3"):
        export(model, tmp_path / "x", warmup_examples=np.zeros((2, 3), "float32"))
    with pytest.raises(DataError, match=r"shape \[B, \?, 3\]"):
        export(model, tmp_path / "x", warmup_examples=np.zeros((2, 4, 5), "float32"))
    bad = models.windows(2, 4)
    bad[0, 1, 1] = np.nan
    with pytest.raises(DataError, match="NaN"):
        export(model, tmp_path / "x", warmup_examples=bad)
    with pytest.raises(DataError, match="signature inputs"):
        export(model, tmp_path / "x", warmup_examples={"text": ["a"]})
    assert not (tmp_path / "x").exists()


def test_interrupted_overwrite_restores_the_old_version(tmp_path):
    base = tmp_path / "fc"
    model = models.forecaster("gru")
    export(model, base, warmup=False)
    export(model, base, warmup=False)
    # an overwrite of version 2 killed between its two renames: 2 moved aside, not replaced
    (base / "2").rename(base / ".old-2-999999999")
    (base / ".tmp-2-999999999").mkdir()
    info = export(model, base, warmup=False)
    assert info.version == 3  # version 2 is restored before the next version is chosen
    assert list_versions(base) == [1, 2, 3]
    assert ".old-2-999999999 (restored as 2)" in info.removed_stale
