"""The report's LiteRT rows: batch 1 runs the export's own assets.extra/model.tflite (the
fused LSTM here) in ai-edge-litert, other batches a conversion (WHILE loop); each row says
its source and path; outputs equal the SavedModel's; tf.lite.Interpreter only as the
fallback without ai-edge-litert."""

from __future__ import annotations

import sys

import keras
import tensorflow as tf

from seqkit.reporting.modes import mode_tflite_convert, mode_tflite_measure
from seqkit.serving import export
from seqkit.serving.litert import interpreter_class


def test_rows_use_the_exported_file_and_name_the_path(tmp_path):
    inp = keras.Input((None, 3), name="window")
    model = keras.Model(inp, keras.layers.Dense(1)(keras.layers.LSTM(4)(inp)))
    info = export(model, tmp_path / "m", warmup=False, step_signature=False, litert=True)
    assert info.litert["ops"]["path"] == "fused"
    config = {"path": info.path, "batch_sizes": [1, 2], "out_dir": str(tmp_path / "t")}
    conversions = mode_tflite_convert(tf, config)["conversions"]
    by_batch = {c["batch"]: c for c in conversions}
    assert by_batch[1]["source"] == "export" and by_batch[1]["path"] == "fused"
    assert by_batch[1]["file"].endswith("assets.extra/model.tflite")
    assert by_batch[1]["reset_variables"] is True
    assert by_batch[2]["source"] == "converted" and by_batch[2]["path"] == "loop"
    specs = {"window": {"dtype": "float32", "shape": [None, None, 3]}}
    result = mode_tflite_measure(tf, {**config, "conversions": conversions, "specs": specs,
                                      "seq_lens": [5], "repeats": 1, "calls_per_repeat": 3,
                                      "threads": 1})
    assert result["interpreter"].startswith("ai_edge_litert")
    assert [(r["batch"], r["source"], r["path"]) for r in result["grid"]] == [
        (1, "export", "fused"), (2, "converted", "loop")]
    # repeated calls on the fused file reset its state: still equal to the SavedModel
    assert all(c["close"] and c["mismatched"] == 0 for c in result["checks"]), result["checks"]


def test_tf_lite_interpreter_is_only_the_fallback(monkeypatch):
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)  # import fails
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    cls, name = interpreter_class()
    assert cls is tf.lite.Interpreter
    assert name.startswith("tf.lite.Interpreter (ai-edge-litert missing")
