"""Check a written version before it is published: no cuDNN op, reload, same answers.

:func:`verify_export` runs on the temporary folder, after the SavedModel and the warmup
records are written and before the folder is renamed into place:

1. the graph and its function library hold no ``Cudnn*`` op (:func:`check_no_cudnn`);
2. ``tf.saved_model.load`` gives a ``serving_default`` signature with the expected input
   and output names;
3. a sample run through the reloaded signature equals the in-memory model
   (:func:`compare_outputs` with ``TOLERANCES["saved_model"]``);
4. every warmup record runs through the reloaded signature.

Any failure is an ``ExportError``; nothing is published then. (Argument checks are
:mod:`seqkit.validation`; this module checks what was written.)

:func:`compare_outputs` is the one "outputs match" check of seqkit: the reload above, the
streaming step against ``serving_default`` (:mod:`seqkit.serving.step`),
``serving_trace`` against ``seqkit.trace_gates`` (:mod:`seqkit.serving.trace_export`), the
LiteRT file against the SavedModel (:mod:`seqkit.serving.litert`) and the report's LiteRT
grid (:mod:`seqkit.reporting.modes`). Each kind of check has its entry in
:data:`TOLERANCES`.

Read a SavedModel's graph without running it: op scan (cuDNN, loops) and file sizes.

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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqkit.errors import ExportError
from seqkit.serving import signature as signature_lib
from seqkit.serving import warmup as warmup_lib
from seqkit.serving.layout import SAVED_MODEL_PB
from seqkit.serving.signature import SIGNATURE_NAME, dtype_name

SAMPLE_ROWS = 3


@dataclass(frozen=True)
class Tolerance:
    """How far a float output may be from its reference.

    Args:
        atol: the absolute part.
        rtol: the relative part.
        rule: ``"sum"``: ``|want - got| <= atol + rtol * |got|`` (``numpy.isclose``);
            ``"max"``: ``|want - got| <= max(atol, rtol * |want|)`` (in float64).
        equal_nan: NaN in both at the same place counts as equal (else NaN never matches).

    Returns:
        The tolerance (a frozen dataclass).

    Example:

    >>> Tolerance(atol=1e-4).rule
    'sum'
    """

    atol: float
    rtol: float = 0.0
    rule: str = "sum"
    equal_nan: bool = False

    def close(self, want: np.ndarray, got: np.ndarray) -> np.ndarray:
        """Elementwise: is ``got`` within this tolerance of ``want``.

        Args:
            want: the reference values.
            got: the values checked (same shape).

        Returns:
            A boolean array.

        Example:

        >>> Tolerance(atol=1e-5, rtol=1e-5, rule="max").close(
        ...     np.array([1.0, 1e6]), np.array([1.0 + 2e-5, 1e6 + 5.0])).tolist()
        [False, True]
        """
        if self.rule == "max":
            want, got = np.asarray(want, np.float64), np.asarray(got, np.float64)
            return np.abs(want - got) <= np.maximum(self.atol, self.rtol * np.abs(want))
        return np.isclose(want, got, rtol=self.rtol, atol=self.atol, equal_nan=self.equal_nan)


#: one entry per kind of "outputs match" check (what is compared with what)
TOLERANCES = {
    # the reloaded serving_default vs the in-memory model
    "saved_model": Tolerance(atol=1e-5, rtol=1e-4, equal_nan=True),
    # serving_step streamed in chunks vs serving_default on the whole sequence
    "step": Tolerance(atol=1e-5, rtol=1e-4, equal_nan=True),
    # serving_trace vs seqkit.trace_gates: 1e-5, relative above 1
    "trace": Tolerance(atol=1e-5, rtol=1e-5, rule="max"),
    # the exported model.tflite vs the SavedModel (the export's gate)
    "litert": Tolerance(atol=1e-4),
    # the report's LiteRT grid (any batch size) vs the SavedModel
    "litert_report": Tolerance(atol=1e-5, rtol=1e-5),
}


@dataclass(frozen=True)
class OutputCheck:
    """What :func:`compare_outputs` found.

    Args:
        max_abs_diff: the largest ``|want - got|`` over the float outputs compared.
        problems: one sentence per output that does not match (empty: all match).
        mismatched: outputs missing or shaped otherwise, plus non-float values that differ.
        far: the float outputs outside the tolerance.

    Returns:
        The check (a frozen dataclass); ``ok`` when nothing differs.

    Example:

    >>> OutputCheck(0.0, (), 0, ()).ok
    True
    """

    max_abs_diff: float
    problems: tuple
    mismatched: int
    far: tuple

    @property
    def ok(self) -> bool:
        """``True`` when every output matches."""
        return not self.problems


def verify_export(folder, specs: dict, naming, serve, sample: dict, check_warmup: bool) -> dict:
    """Run the checks of the module docstring on a written SavedModel folder.

    Args:
        folder: the written (not yet published) version folder.
        specs: the signature's input specs.
        naming: the :class:`~seqkit.serving.signature.OutputNaming` used to trace.
        serve: the in-memory serving function (the reference).
        sample: ``{input name: array}`` run through both (:func:`reload_sample`).
        check_warmup: also replay ``assets.extra/tf_serving_warmup_requests``.

    Returns:
        The reloaded signature's output specs ``{name: {"dtype", "shape"}}``, sorted.

    Raises:
        ExportError: a check failed.

    Example:

    >>> import keras, tempfile
    >>> from seqkit.serving.signature import OutputNaming
    >>> from seqkit.serving.portable import write_saved_model
    >>> from seqkit.serving.signature import input_specs, serving_function
    >>> inp = keras.Input((None, 3), name="window")
    >>> model = keras.Model(inp, keras.layers.GRU(2)(inp))
    >>> specs, naming = input_specs(model), OutputNaming(model, "generic", None)
    >>> serve = serving_function(model, specs, naming)
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = write_saved_model(tmp.name, model, specs, serve)
    >>> verify_export(tmp.name, specs, naming, serve, reload_sample(specs), False)
    {'output': {'dtype': 'float32', 'shape': [None, 2]}}
    >>> tmp.cleanup()
    """
    check_no_cudnn(folder)
    # `loaded` owns the signature's variables: it must live while the signature runs
    loaded, signature = _reloaded_signature(folder, specs, naming.expected())
    _check_sample(signature, serve, sample)
    if check_warmup:
        try:
            warmup_lib.replay(signature, folder)
        except Exception as err:
            raise ExportError(f"a warmup record failed in the reloaded model: {err}") from err
    out_specs = {key: {"dtype": dtype_name(spec.dtype), "shape": spec.shape.as_list()}
                 for key, spec in signature.structured_outputs.items()}
    return dict(sorted(out_specs.items()))


def reload_sample(specs: dict, examples: dict | None = None, words=None) -> dict:
    """The rows compared before and after reload: user examples, else a synthetic batch.

    Args:
        specs: the signature's input specs.
        examples: ``{input name: rows}`` given by the user, or ``None``.
        words: the vocabulary for synthetic texts.

    Returns:
        ``{input name: array}`` of :data:`SAMPLE_ROWS` rows.

    Example:

    >>> specs = {"window": {"dtype": "float32", "shape": [None, None, 2]}}
    >>> reload_sample(specs)["window"].shape
    (3, 7, 2)
    """
    if examples is not None:
        return signature_lib.rows(examples, SAMPLE_ROWS)
    return signature_lib.synthetic_batch(specs, SAMPLE_ROWS, signature_lib.sample_seq_len(specs),
                                      seed=0, words=words)


def check_no_cudnn(folder):
    """Refuse a SavedModel whose graph holds a ``Cudnn*`` op (GPU-only kernels).

    Args:
        folder: a SavedModel folder.

    Raises:
        ExportError: naming the ops found.

    Example:

    >>> import tempfile, keras
    >>> from seqkit.serving.portable import write_saved_model
    >>> from seqkit.serving.signature import input_specs, OutputNaming, serving_function
    >>> inp = keras.Input((None, 1), name="window")
    >>> model = keras.Model(inp, keras.layers.GRU(2)(inp))
    >>> specs = input_specs(model)
    >>> serve = serving_function(model, specs, OutputNaming(model, "generic", None))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_saved_model(folder, model, specs, serve)  # traced as if no GPU were visible
    ...     check_no_cudnn(folder)
    """
    cudnn = find_cudnn_ops(folder)
    if cudnn:
        raise ExportError(
            f"the exported graph contains cuDNN ops {cudnn}, which need a GPU: the SavedModel "
            f"would not run on CPU-only TensorFlow / TF Serving (keras#18504). Trace with no "
            f"GPU visible (CUDA_VISIBLE_DEVICES='') or use_cudnn=False on the RNN layers")


def _reloaded_signature(folder, specs, expected):
    import tensorflow as tf

    loaded = tf.saved_model.load(str(folder))
    signature = loaded.signatures.get(SIGNATURE_NAME)
    if signature is None:
        raise ExportError(f"the reloaded SavedModel has no {SIGNATURE_NAME!r} signature "
                          f"(has {list(loaded.signatures)})")
    in_keys = set(signature.structured_input_signature[1])
    if in_keys != set(specs):
        raise ExportError(f"signature inputs {sorted(in_keys)} != expected {sorted(specs)}")
    out_keys = list(signature.structured_outputs)
    if expected is not None and set(out_keys) != set(expected):
        raise ExportError(f"signature outputs {sorted(out_keys)} != expected {sorted(expected)}")
    return loaded, signature


def _check_sample(signature, serve, sample):
    import tensorflow as tf

    out_keys = list(signature.structured_outputs)
    feeds = {k: tf.constant(v) for k, v in sample.items()}
    got = {k: v.numpy() for k, v in signature(**feeds).items()}
    want = serve(feeds)
    if isinstance(want, (list, tuple)):
        want = {f"output_{i}": w for i, w in enumerate(want)}
    elif not isinstance(want, dict):
        want = {out_keys[0]: want}
    want = {key if key in got else out_keys[0]: value for key, value in want.items()}
    check = compare_outputs(want, got, "saved_model")
    if not check.ok:
        raise ExportError(f"{check.problems[0]} after reload")


def compare_outputs(want: dict, got: dict, kind: str) -> OutputCheck:
    """Compare outputs with their reference: floats within ``TOLERANCES[kind]``, others equal.

    Every output of ``want`` must be in ``got`` with the same shape; float outputs (by
    ``want``'s dtype) must be within the tolerance of the kind of check, any other dtype
    (ids, strings) exactly equal.

    Args:
        want: ``{output key: reference array}``.
        got: ``{output key: array}`` checked.
        kind: a key of :data:`TOLERANCES` (``"saved_model"``, ``"step"``, ``"trace"``,
            ``"litert"``, ``"litert_report"``).

    Returns:
        An :class:`OutputCheck`; callers turn ``problems[0]`` into their error.

    Example:

    >>> compare_outputs({"y": np.zeros(2)}, {"y": np.full(2, 1e-6)}, "saved_model").ok
    True
    >>> check = compare_outputs({"y": np.zeros(2)}, {"y": np.ones(2)}, "litert")
    >>> check.problems, check.max_abs_diff
    (("output 'y' differs by 1 (tolerance atol=0.0001)",), 1.0)
    >>> compare_outputs({"ids": np.array([1, 2])}, {}, "saved_model").problems
    ("output 'ids' missing (has [])",)
    """
    tolerance = TOLERANCES[kind]
    diff, problems, mismatched, far = 0.0, [], 0, []
    for key, ref in want.items():
        ref = np.asarray(ref)
        if key not in got:
            problems.append(f"output {key!r} missing (has {sorted(got)})")
            mismatched += 1
            continue
        value = np.asarray(got[key])
        if value.shape != ref.shape:
            problems.append(f"output {key!r} shaped {value.shape}, not {ref.shape}")
            mismatched += 1
        elif ref.dtype.kind in "fc":
            key_diff = float(np.max(np.abs(ref.astype(np.float64) - value))) if ref.size \
                else 0.0
            diff = max(diff, key_diff)  # a NaN difference leaves the maximum as it was
            if not np.all(tolerance.close(ref, value)):
                far.append(key)
                problems.append(f"output {key!r} differs by {key_diff:.3g} "
                                f"(tolerance {_describe(tolerance)})")
        elif not np.array_equal(ref, value):
            mismatched += int(np.sum(ref != value))
            problems.append(f"output {key!r} differs ({int(np.sum(ref != value))} values)")
    return OutputCheck(diff, tuple(problems), mismatched, tuple(far))


def _describe(tolerance: Tolerance) -> str:
    parts = [f"atol={tolerance.atol:g}"] + ([f"rtol={tolerance.rtol:g}"] if tolerance.rtol
                                           else [])
    return ", ".join(parts) + (" of max(1, |want|)" if tolerance.rule == "max" else "")


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
