"""cuDNN ops: the scanner finds them, export prevents them, and refuses a graph with one.

Tests run on CPU, so a GPU is simulated by telling Keras' TensorFlow backend that one is
visible (``keras.src.backend.tensorflow.rnn._is_gpu_available``): tracing then emits
``CudnnRNNV3`` exactly as on a GPU machine (keras#18504), without executing it.
"""

from __future__ import annotations

import contextlib
import importlib

import pytest
import tensorflow as tf

from seqkit.errors import ExportError
from seqkit.serving import export, find_cudnn_ops, list_versions, portable, rnn_path
from tests.serving import models

# Keras 3.15 has no public way to fake a visible GPU at trace time: the private check is patched
RNN_MODULE = importlib.import_module("keras.src.backend.tensorflow.rnn")


def _graph_ops(concrete):
    graph_def = concrete.graph.as_graph_def()
    ops = {n.op for n in graph_def.node}
    for function in graph_def.library.function:
        ops |= {n.op for n in function.node_def}
    return ops


@pytest.fixture
def simulated_gpu(monkeypatch):
    monkeypatch.setattr(RNN_MODULE, "_is_gpu_available", lambda: True)


def test_scanner_finds_cudnn_op_in_function_library(tmp_path):
    class Module(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, None, 4], tf.float32)])
        def serve(self, x):
            batch = tf.shape(x)[0]
            outputs, *_ = tf.raw_ops.CudnnRNNV3(
                input=x, input_h=tf.zeros([1, batch, 3]), input_c=tf.zeros([1, batch, 3]),
                params=tf.zeros([100]), sequence_lengths=tf.fill([batch], tf.shape(x)[1]),
                rnn_mode="lstm", is_training=False, time_major=False)
            return {"output": outputs}

    module = Module()
    tf.saved_model.save(module, str(tmp_path), signatures={"serving_default": module.serve})
    found = find_cudnn_ops(tmp_path)
    assert found and all(f.startswith("CudnnRNNV3 (in ") for f in found)
    scan = rnn_path(tmp_path)
    assert scan["path"] == "cudnn" and scan["cudnn_ops"] == ["CudnnRNNV3"]


def test_scanner_is_clean_on_a_cpu_export(tmp_path):
    info = export(models.forecaster("lstm"), tmp_path / "fc", warmup=False)
    assert find_cudnn_ops(info.path) == []
    assert rnn_path(info.path)["path"] == "loop"


@pytest.mark.parametrize("cell", ["lstm", "gru", "explicit_lstm", "explicit_gru"])
def test_export_prevents_cudnn_when_a_gpu_is_visible(tmp_path, simulated_gpu, cell):
    model = models.sequence_classifier(cell, masked=False, bidirectional=cell == "gru")
    naive = tf.function(lambda x: model(x, training=False)).get_concrete_function(
        tf.TensorSpec([None, None, 3], tf.float32))
    assert any("Cudnn" in op for op in _graph_ops(naive)), "simulation did not take"

    # _flatten_layers: Keras 3.15 has no public recursive walk (model.layers is top-level only)
    flags = [layer.use_cudnn for layer in model._flatten_layers() if hasattr(layer, "use_cudnn")]
    info = export(model, tmp_path / cell, warmup=False)
    assert find_cudnn_ops(info.path) == []
    assert info.rnn_path["path"] == "loop"
    assert RNN_MODULE._is_gpu_available() is True  # the simulation is restored afterwards
    assert flags == [layer.use_cudnn for layer in model._flatten_layers()
                     if hasattr(layer, "use_cudnn")]


def test_export_refuses_a_graph_with_cudnn_ops(tmp_path, simulated_gpu, monkeypatch):
    monkeypatch.setattr(portable, "cpu_portable_trace", lambda model: contextlib.nullcontext())
    base = tmp_path / "lstm"
    with pytest.raises(ExportError, match=r"cuDNN ops \['CudnnRNNV3 \(in .*CPU-only"):
        export(models.forecaster("lstm"), base, warmup=False)
    assert list_versions(base) == []
    assert list(base.iterdir()) == []  # temporary folder removed too
