"""Warmup records: format, shapes, replay through the reloaded signature."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from tensorflow_serving.apis import prediction_log_pb2

from seqkit.errors import DataError
from seqkit.serving import export, read_warmup_requests
from seqkit.serving.warmup import MAX_RECORDS, request_arrays, warmup_path, write_warmup_file
from tests.serving import models


def _replay_all(info):
    signature = tf.saved_model.load(info.path).signatures["serving_default"]
    outputs = []
    for request in read_warmup_requests(info.path):
        assert request.model_spec.signature_name == "serving_default"
        arrays = request_arrays(request)
        out = signature(**{k: tf.constant(v) for k, v in arrays.items()})
        outputs.append((arrays, {k: v.numpy() for k, v in out.items()}))
    return outputs


def test_text_warmup_records_replay(tmp_path):
    model = models.text_classifier("lstm")
    info = export(model, tmp_path / "text", warmup_batch_sizes=(1, 4), warmup_seq_lens=(3, 9))
    raw = list(tf.data.TFRecordDataset(str(warmup_path(info.path))))
    assert len(raw) == info.warmup_records == 4
    log = prediction_log_pb2.PredictionLog.FromString(raw[0].numpy())
    assert log.WhichOneof("log_type") == "predict_log"
    assert log.predict_log.request.model_spec.name == "text"
    shapes = []
    for arrays, out in _replay_all(info):
        texts = arrays["text"]
        assert texts.dtype == object and isinstance(texts[0], bytes)
        shapes.append((len(texts), len(texts[0].split())))
        want = model(tf.constant(texts)).numpy()
        np.testing.assert_allclose(out["probabilities"], want, rtol=1e-5, atol=1e-6)
    assert shapes == [(1, 3), (1, 9), (4, 3), (4, 9)]
    vocabulary = set(" ".join(models.CORPUS).split())
    assert all(w.decode() in vocabulary for a, _ in _replay_all(info) for w in a["text"][0].split())


def test_float_warmup_records_replay_with_default_shapes(tmp_path):
    model = models.forecaster("gru")
    info = export(model, tmp_path / "fc", task="forecasting")
    replayed = _replay_all(info)
    assert len(replayed) == info.warmup_records == 6  # 3 batch sizes x 2 lengths
    assert [a["window"].shape for a, _ in replayed] == [
        (1, 16, 3), (1, 64, 3), (8, 16, 3), (8, 64, 3), (32, 16, 3), (32, 64, 3)]
    for arrays, out in replayed:
        assert arrays["window"].dtype == np.float32
        np.testing.assert_allclose(out["forecast"], model(arrays["window"]).numpy(),
                                   rtol=1e-5, atol=1e-5)


def test_real_examples_become_warmup_rows(tmp_path):
    examples = models.windows(5, 7)
    info = export(models.forecaster("gru"), tmp_path / "fc", warmup_examples=examples,
                  warmup_batch_sizes=(1, 3, 8))
    replayed = _replay_all(info)
    assert [a["window"].shape for a, _ in replayed] == [(1, 7, 3), (3, 7, 3), (8, 7, 3)]
    np.testing.assert_array_equal(replayed[0][0]["window"][0], examples[0])
    np.testing.assert_array_equal(replayed[2][0]["window"][5], examples[(2 + 5) % 5])

    texts = ["the cast was great", "a weak script"]
    info = export(models.text_classifier("gru"), tmp_path / "text", warmup_examples=texts,
                  warmup_batch_sizes=(2,))
    (arrays, _), = _replay_all(info)
    assert list(arrays["text"]) == [t.encode() for t in texts]


def test_no_warmup_file_when_disabled(tmp_path):
    info = export(models.forecaster("gru"), tmp_path / "fc", warmup=False)
    assert info.warmup_records == 0 and not warmup_path(info.path).exists()


def test_record_limit(tmp_path):
    batch = {"x": np.zeros((1, 2), "float32")}
    with pytest.raises(DataError, match="at most 1000"):
        write_warmup_file(tmp_path / "w", [batch] * (MAX_RECORDS + 1), "m")
    assert write_warmup_file(tmp_path / "w", [batch] * 3, "m") == 3
