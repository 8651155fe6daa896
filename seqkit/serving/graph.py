"""Read a SavedModel's graph without running it: op scan (cuDNN, loops) and file sizes.

Only TensorFlow's protobuf definitions are used (no Keras, no seqkit model code), so the
report worker and tests can call these on any SavedModel.

``saved_model.pb`` is a ``SavedModel`` proto: ``meta_graphs[i].graph_def.node`` holds the
top-level graph and ``meta_graphs[i].graph_def.library.function[j].node_def`` every
``tf.function`` body (the signature, the model call, ``While`` loop bodies, ...). A cuDNN
RNN traced on a GPU appears there as ``CudnnRNN``/``CudnnRNNV2``/``CudnnRNNV3`` nodes, which
have no CPU kernel: such a SavedModel fails on a CPU-only TensorFlow or TF Serving
(keras#18504, tensorflow#77442).

Words: the scan names what the graph *holds* — ``"cudnn"`` (a fused cuDNN kernel) or
``"loop"`` (a ``While`` loop). The layers' words (:meth:`seqkit.layers.ExplicitLSTM.
execution_path`) name what a layer *runs* — ``"fused"`` (Keras' backend op) or
``"explicit"`` (seqkit's loop). An export always holds a loop: off cuDNN, Keras' fused op
is itself a ``While`` loop, so the graph cannot tell the two apart.

Example:

>>> import tempfile, keras
>>> from seqkit.serving import export
>>> inp = keras.Input((None, 1), name="window")
>>> tmp = tempfile.TemporaryDirectory()
>>> folder = export(keras.Model(inp, keras.layers.GRU(2)(inp)), tmp.name, warmup=False,
...                 step_signature=False).path
>>> find_cudnn_ops(folder), rnn_path(folder)["path"]
([], 'loop')
>>> tmp.cleanup()
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from seqkit.serving.layout import SAVED_MODEL_PB


def read_saved_model_proto(saved_model_dir):
    """Parse ``saved_model_dir/saved_model.pb``.

    Args:
        saved_model_dir: a SavedModel folder.

    Returns:
        A ``tensorflow.core.protobuf.saved_model_pb2.SavedModel``.

    Raises:
        OSError: the file cannot be read.
        ValueError: it is not a SavedModel protobuf, or holds no MetaGraph.

    Example:

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / SAVED_MODEL_PB).write_bytes(b"\\x00garbage")
    ...     read_saved_model_proto(folder)
    Traceback (most recent call last):
    ...
    ValueError: .../saved_model.pb is not a SavedModel protobuf: ...
    """
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
    """Every node of every meta graph, top-level graph and function library alike.

    Args:
        proto: a parsed ``SavedModel`` (:func:`read_saved_model_proto`).

    Yields:
        ``(function name, NodeDef)``; the name is ``None`` for top-level nodes.

    Example:

    >>> from tensorflow.core.protobuf import saved_model_pb2
    >>> proto = saved_model_pb2.SavedModel()
    >>> proto.meta_graphs.add().graph_def.node.add(name="x", op="Placeholder").op
    'Placeholder'
    >>> [(f, n.op) for f, n in iter_nodes(proto)]
    [(None, 'Placeholder')]
    """
    for meta_graph in proto.meta_graphs:
        graph_def = meta_graph.graph_def
        for node in graph_def.node:
            yield None, node
        for function in graph_def.library.function:
            for node in function.node_def:
                yield function.signature.name, node


def op_counts(saved_model_dir) -> Counter:
    """How many nodes of each op type the graph and its function library hold.

    Args:
        saved_model_dir: a SavedModel folder.

    Returns:
        A ``Counter`` ``{op type: nodes}``.

    Example:

    >>> import tempfile, keras
    >>> from seqkit.serving import export
    >>> inp = keras.Input((None, 1), name="window")
    >>> model = keras.Model(inp, keras.layers.GRU(2)(inp))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     counts = op_counts(export(model, folder, warmup=False, step_signature=False).path)
    >>> counts["While"] + counts["StatelessWhile"] > 0
    True
    """
    return Counter(node.op for _, node in iter_nodes(read_saved_model_proto(saved_model_dir)))


def find_cudnn_ops(saved_model_dir_or_proto) -> list[str]:
    """Every node whose op type contains ``Cudnn``, as ``"OpType (in function f)"`` strings.

    Args:
        saved_model_dir_or_proto: a SavedModel folder, or its parsed proto.

    Returns:
        The sorted descriptions; empty: the graph runs wherever TensorFlow runs (as far as
        cuDNN is concerned).

    Example:

    >>> from tensorflow.core.protobuf import saved_model_pb2
    >>> proto = saved_model_pb2.SavedModel()
    >>> function = proto.meta_graphs.add().graph_def.library.function.add()
    >>> function.signature.name = "while_body"
    >>> _ = function.node_def.add(name="rnn", op="CudnnRNNV3")
    >>> find_cudnn_ops(proto)
    ['CudnnRNNV3 (in while_body)']
    """
    proto = (saved_model_dir_or_proto if hasattr(saved_model_dir_or_proto, "meta_graphs")
             else read_saved_model_proto(saved_model_dir_or_proto))
    found = set()
    for function, node in iter_nodes(proto):
        if "cudnn" in node.op.lower():
            found.add(f"{node.op} (in {function or 'the top-level graph'})")
    return sorted(found)


def rnn_path(saved_model_dir) -> dict:
    """Which recurrent implementation the graph holds (see the module docstring's words).

    Args:
        saved_model_dir: a SavedModel folder.

    Returns:
        ``{"path", "cudnn_ops", "while_loops", "node_count", "op_types", "note"}``; ``path``
        is ``"cudnn"`` when a ``CudnnRNN*`` op is present, ``"loop"`` when a ``While`` /
        ``StatelessWhile`` loop is (Keras' fused op off cuDNN, or seqkit's explicit loop),
        else ``"none"`` (no recurrence, or an unrolled one).

    Example:

    >>> import tempfile, keras
    >>> from seqkit.serving import export
    >>> inp = keras.Input((None, 1), name="window")
    >>> model = keras.Model(inp, keras.layers.Dense(1)(inp))  # no recurrent layer
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     scan = rnn_path(export(model, folder, warmup=False).path)
    >>> scan["path"], scan["while_loops"], scan["cudnn_ops"]
    ('none', 0, [])
    """
    counts = op_counts(saved_model_dir)
    cudnn = sorted(op for op in counts if "cudnn" in op.lower())
    loops = counts.get("While", 0) + counts.get("StatelessWhile", 0)
    if cudnn:
        path, note = "cudnn", f"cuDNN fused kernels ({', '.join(cudnn)}): GPU only"
    elif loops:
        path, note = "loop", (f"{loops} While loop(s): a step-by-step loop (Keras' fused op "
                              f"off cuDNN, or seqkit's explicit loop), runs on any device")
    else:
        path, note = "none", "no While loop and no cuDNN op (no recurrence, or unrolled)"
    return {"path": path, "cudnn_ops": cudnn, "while_loops": loops,
            "node_count": sum(counts.values()), "op_types": len(counts), "note": note}


def dir_size(path) -> int:
    """Bytes of all regular files under ``path`` (links not followed).

    Args:
        path: a folder.

    Returns:
        The total size in bytes.

    Example:

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "a").write_bytes(b"1234")
    ...     dir_size(folder)
    4
    """
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                total += os.path.getsize(full)
    return total
