"""Read a SavedModel's graph without running it: op scan (cuDNN, loops) and file sizes.

Only TensorFlow's protobuf definitions are used (no Keras, no seqkit model code), so the
report worker and tests can call these on any SavedModel.

``saved_model.pb`` is a ``SavedModel`` proto: ``meta_graphs[i].graph_def.node`` holds the
top-level graph and ``meta_graphs[i].graph_def.library.function[j].node_def`` every
``tf.function`` body (the signature, the model call, ``While`` loop bodies, ...). A cuDNN
RNN traced on a GPU appears there as ``CudnnRNN``/``CudnnRNNV2``/``CudnnRNNV3`` nodes, which
have no CPU kernel: such a SavedModel fails on a CPU-only TensorFlow or TF Serving
(keras#18504, tensorflow#77442).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

SAVED_MODEL_PB = "saved_model.pb"


def read_saved_model_proto(saved_model_dir):
    """Parse ``saved_model_dir/saved_model.pb``; raises ``OSError`` / ``ValueError``."""
    from tensorflow.core.protobuf import saved_model_pb2

    path = Path(saved_model_dir) / SAVED_MODEL_PB
    data = path.read_bytes()
    proto = saved_model_pb2.SavedModel()
    try:
        proto.ParseFromString(data)
    except Exception as err:  # google.protobuf.message.DecodeError
        raise ValueError(f"{path} is not a SavedModel protobuf: {err}") from err
    if not proto.meta_graphs:
        raise ValueError(f"{path} holds no MetaGraph")
    return proto


def iter_nodes(proto):
    """Yield ``(function_name or None, NodeDef)`` for every node of every meta graph."""
    for meta_graph in proto.meta_graphs:
        graph_def = meta_graph.graph_def
        for node in graph_def.node:
            yield None, node
        for function in graph_def.library.function:
            for node in function.node_def:
                yield function.signature.name, node


def op_counts(saved_model_dir) -> Counter:
    """How many nodes of each op type the graph and its function library hold."""
    return Counter(node.op for _, node in iter_nodes(read_saved_model_proto(saved_model_dir)))


def find_cudnn_ops(saved_model_dir_or_proto) -> list[str]:
    """Every node whose op type contains ``Cudnn``, as ``"OpType (in function f)"`` strings.

    Empty list: the graph runs wherever TensorFlow runs (as far as cuDNN is concerned).
    """
    proto = (saved_model_dir_or_proto if hasattr(saved_model_dir_or_proto, "meta_graphs")
             else read_saved_model_proto(saved_model_dir_or_proto))
    found = set()
    for function, node in iter_nodes(proto):
        if "cudnn" in node.op.lower():
            found.add(f"{node.op} (in {function or 'the top-level graph'})")
    return sorted(found)


def rnn_path(saved_model_dir) -> dict:
    """Which recurrent implementation the graph holds.

    ``"cudnn"`` when a ``CudnnRNN*`` op is present, ``"loop"`` when a ``While`` /
    ``StatelessWhile`` loop is (Keras' and seqkit's step loop), else ``"none"`` (no
    recurrence, or an unrolled one).
    """
    counts = op_counts(saved_model_dir)
    cudnn = sorted(op for op in counts if "cudnn" in op.lower())
    loops = counts.get("While", 0) + counts.get("StatelessWhile", 0)
    if cudnn:
        path, note = "cudnn", f"cuDNN fused kernels ({', '.join(cudnn)}): GPU only"
    elif loops:
        path, note = "loop", f"{loops} While loop(s): step-by-step loop, runs on any device"
    else:
        path, note = "none", "no While loop and no cuDNN op (no recurrence, or unrolled)"
    return {"path": path, "cudnn_ops": cudnn, "while_loops": loops,
            "node_count": sum(counts.values()), "op_types": len(counts), "note": note}


def dir_size(path) -> int:
    """Bytes of all regular files under ``path`` (links not followed)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                total += os.path.getsize(full)
    return total
