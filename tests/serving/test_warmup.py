"""Warmup records: format, shapes, every record replayed through the signature it names
(as TF Serving does), in this process and in a fresh TensorFlow-only one."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
import tensorflow as tf
from tensorflow_serving.apis import prediction_log_pb2

from seqkit.errors import DataError
from seqkit.serving import export, read_warmup_requests
from seqkit.serving.warmup import (
    MAX_RECORDS,
    replay,
    request_arrays,
    signature_of,
    warmup_path,
    write_warmup_file,
)
from tests.serving import models
from tests.serving.test_standalone import ENV, _site_without_keras_or_seqkit

# k new steps of the serving_step records, at every warmup batch size (step_export's)
STEP_KS = (1, 8)


def _replay_all(info):
    """``(signature name, inputs, outputs)`` per record, each through its own signature."""
    loaded = tf.saved_model.load(info.path)
    outputs = []
    for request in read_warmup_requests(info.path):
        name = request.model_spec.signature_name or "serving_default"  # TF Serving's rule
        arrays = request_arrays(request)
        out = loaded.signatures[name](**{k: tf.constant(v) for k, v in arrays.items()})
        outputs.append((name, arrays, {k: v.numpy() for k, v in out.items()}))
    return outputs


def test_text_warmup_records_replay(tmp_path):
    model = models.text_classifier("lstm")
    info = export(model, tmp_path / "text", warmup_batch_sizes=(1, 4), warmup_seq_lens=(3, 9))
    assert info.streaming["available"] is False  # raw text: no serving_step, no step records
    raw = list(tf.data.TFRecordDataset(str(warmup_path(info.path))))
    assert len(raw) == info.warmup_records == 4
    log = prediction_log_pb2.PredictionLog.FromString(raw[0].numpy())
    assert log.WhichOneof("log_type") == "predict_log"
    assert log.predict_log.request.model_spec.name == "text"
    shapes = []
    replayed = _replay_all(info)
    for name, arrays, out in replayed:
        assert name == "serving_default"
        texts = arrays["text"]
        assert texts.dtype == object and isinstance(texts[0], bytes)
        shapes.append((len(texts), len(texts[0].split())))
        want = model(tf.constant(texts)).numpy()
        np.testing.assert_allclose(out["probabilities"], want, rtol=1e-5, atol=1e-6)
    assert shapes == [(1, 3), (1, 9), (4, 3), (4, 9)]
    vocabulary = set(" ".join(models.CORPUS).split())
    assert all(w.decode() in vocabulary for _, a, _ in replayed for w in a["text"][0].split())


def test_float_warmup_records_cover_both_signatures(tmp_path):
    model = models.forecaster("gru")
    info = export(model, tmp_path / "fc", task="forecasting")
    replayed = _replay_all(info)
    names = [name for name, _, _ in replayed]
    # 3 batch sizes × 2 lengths for serving_default, then 3 batch sizes × k in (1, 8)
    assert names == ["serving_default"] * 6 + ["serving_step"] * 6
    assert len(replayed) == info.warmup_records == 12 and info.streaming["warmup_records"] == 6
    assert [a["window"].shape for _, a, _ in replayed[:6]] == [
        (1, 16, 3), (1, 64, 3), (8, 16, 3), (8, 64, 3), (32, 16, 3), (32, 64, 3)]
    assert [(a["window"].shape, a["rnn_0_h"].shape) for _, a, _ in replayed[6:]] == [
        ((b, k, 3), (b, 8)) for b in (1, 8, 32) for k in STEP_KS]
    for name, arrays, out in replayed:
        assert arrays["window"].dtype == np.float32
        # a step record starts from zero states, so it answers as the full call on its k steps
        np.testing.assert_allclose(out["forecast"], model(arrays["window"]).numpy(),
                                   rtol=1e-5, atol=1e-5)
        if name == "serving_step":
            assert not arrays["rnn_0_h"].any()
            assert out["rnn_0_h"].shape == arrays["rnn_0_h"].shape
    loaded = tf.saved_model.load(info.path)   # the library's replay dispatches the same way
    assert len(replay(loaded.signatures, info.path, missing="error")) == 12
    assert len(replay(loaded.signatures["serving_default"], info.path)) == 6


def test_warmup_lengths_follow_the_batching_buckets(tmp_path):
    from seqkit.reporting.batching import choose_batching
    from seqkit.serving.warmup import bucket_seq_lens

    grid = [{"batch": b, "seq_len": t, "p99_ms": 1.0} for b in (1, 4) for t in (5, 12, 30)]
    choice = choose_batching(grid, 10, cores=1, dynamic_length=True)
    lengths = bucket_seq_lens({"batching": choice})  # a report.json model entry
    assert lengths == [5, 12, 30]
    info = export(models.forecaster("gru"), tmp_path / "fc", warmup_batch_sizes=(1, 4),
                  warmup_seq_lens=lengths, step_warmup=False)
    shapes = [request_arrays(r)["window"].shape for r in read_warmup_requests(info.path)]
    assert shapes == [(b, t, 3) for b in (1, 4) for t in (5, 12, 30)]  # one per bucket


def test_step_warmup_can_be_left_out(tmp_path):
    info = export(models.forecaster("gru"), tmp_path / "fc", task="forecasting",
                  warmup_batch_sizes=(2,), step_warmup=False)
    assert info.streaming["available"] and info.streaming["warmup_records"] == 0
    assert [signature_of(r) for r in read_warmup_requests(info.path)] == ["serving_default"] * 2


def test_real_examples_become_warmup_rows(tmp_path):
    examples = models.windows(5, 7)
    info = export(models.forecaster("gru"), tmp_path / "fc", warmup_examples=examples,
                  warmup_batch_sizes=(1, 3, 8))
    replayed = _replay_all(info)
    default = [a for name, a, _ in replayed if name == "serving_default"]
    assert [a["window"].shape for a in default] == [(1, 7, 3), (3, 7, 3), (8, 7, 3)]
    np.testing.assert_array_equal(default[0]["window"][0], examples[0])
    np.testing.assert_array_equal(default[2]["window"][5], examples[(2 + 5) % 5])
    steps = Counter(a["window"].shape[:2] for name, a, _ in replayed if name == "serving_step")
    assert steps == {(b, k): 1 for b in (1, 3, 8) for k in STEP_KS}

    texts = ["the cast was great", "a weak script"]
    info = export(models.text_classifier("gru"), tmp_path / "text", warmup_examples=texts,
                  warmup_batch_sizes=(2,))
    (name, arrays, _), = _replay_all(info)
    assert name == "serving_default" and list(arrays["text"]) == [t.encode() for t in texts]


def test_step_records_stop_at_the_record_limit(tmp_path):
    # 996 serving_default records (one per batch size, from examples) leave room for 4
    info = export(models.forecaster("gru", units=2), tmp_path / "fc", warmup_examples=
                  models.windows(1, 2), warmup_batch_sizes=[1] * (MAX_RECORDS - 4))
    names = Counter(signature_of(r) for r in read_warmup_requests(info.path))
    assert names == {"serving_default": MAX_RECORDS - 4, "serving_step": 4}
    assert info.warmup_records == MAX_RECORDS and info.streaming["warmup_records"] == 4


def test_no_warmup_file_when_disabled(tmp_path):
    info = export(models.forecaster("gru"), tmp_path / "fc", warmup=False)
    assert info.warmup_records == 0 and not warmup_path(info.path).exists()
    assert info.streaming["available"] and info.streaming["warmup_records"] == 0


def test_record_limit(tmp_path):
    batch = {"x": np.zeros((1, 2), "float32")}
    with pytest.raises(DataError, match="at most 1000"):
        write_warmup_file(tmp_path / "w", [batch] * (MAX_RECORDS + 1), "m")
    with pytest.raises(DataError, match="1001 warmup records"):
        write_warmup_file(tmp_path / "w", [batch] * MAX_RECORDS, "m", more={"s": [batch]})
    assert write_warmup_file(tmp_path / "w", [batch] * 3, "m") == 3


def test_a_record_of_an_unknown_signature_is_an_error(tmp_path):
    batch = {"x": np.ones((1, 2), "float32")}
    write_warmup_file(warmup_path(tmp_path), [batch], "m", more={"serving_stpe": [batch]})
    with pytest.raises(DataError, match="record 1 calls signature 'serving_stpe'"):
        replay({"serving_default": lambda x: {"y": x}}, tmp_path, missing="error")
    assert len(replay({"serving_default": lambda x: {"y": x}}, tmp_path)) == 1


# TF Serving's warmup, written with TensorFlow and the serving protos only: each record's
# PredictRequest runs against model_spec.signature_name ("" = serving_default).
FRESH = r"""
import json, sys
sys.path.append(sys.argv[2])
import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import prediction_log_pb2

loaded = tf.saved_model.load(sys.argv[1])
counts, states = {}, []
for raw in tf.data.TFRecordDataset(sys.argv[1] + "/assets.extra/tf_serving_warmup_requests"):
    request = prediction_log_pb2.PredictionLog.FromString(raw.numpy()).predict_log.request
    name = request.model_spec.signature_name or "serving_default"
    feeds = {k: tf.constant(tf.make_ndarray(v)) for k, v in request.inputs.items()}
    out = loaded.signatures[name](**feeds)
    counts[name] = counts.get(name, 0) + 1
    if name == "serving_step":
        states.append(sorted(k for k in out if k.startswith("rnn_")))
print("RESULT", json.dumps({"counts": counts, "states": states, "modules": sorted(
    {m.split(".")[0] for m in sys.modules} & {"keras", "seqkit", "tf_keras"})}))
"""


def test_fresh_tensorflow_only_process_replays_every_record(tmp_path):
    model = models.sequence_classifier("lstm", stacked=True)
    info = export(model, tmp_path / "seq", warmup_batch_sizes=(1, 4))
    site = _site_without_keras_or_seqkit(tmp_path / "site")
    done = subprocess.run([sys.executable, "-I", "-S", "-c", FRESH, info.path, str(site)],
                          cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    assert result["modules"] == []
    assert result["counts"] == {"serving_default": 4, "serving_step": 4}
    assert sum(result["counts"].values()) == info.warmup_records
    assert result["states"] == [["rnn_0_c", "rnn_0_h", "rnn_1_c", "rnn_1_h"]] * 4
