"""LiteRT (TFLite) export: ``export(..., litert=True)`` → ``<version>/assets.extra/model.tflite``.

Where the file goes: ``assets.extra/`` of the version folder. The SavedModel format leaves
that folder to "higher-level libraries and users ... assets that co-exist with the model but
are not loaded by the graph" (tensorflow/python/saved_model/README.md); TF Serving reads only
``tf_serving_warmup_requests`` from it and copies the rest with the version. So the file is
written inside the hidden temporary folder and published by the same atomic rename as the
SavedModel: a served version never has a half-written ``.tflite``, and deleting a version
deletes its LiteRT file too.

How it is converted (TensorFlow 2.21, builtins only, no Flex delegate):

- ``tf.lite.TFLiteConverter.from_saved_model`` on the exported folder fails for every Keras
  3 RNN: its loop's ``TensorListReserve`` has element shape ``[-1, units]`` (dynamic batch)
  and "requires element_shape to be static during TF Lite transformation pass".
- So ``serving_default``'s function is traced again with the batch fixed to
  :data:`LITERT_BATCH` (the time axis stays dynamic), its variables are frozen into
  constants (without that the ``WHILE`` body keeps ``READ_VARIABLE`` ops that fail at
  invoke: "variable != nullptr"), and that function, returning the signature's named
  outputs, goes through ``tf.lite.TFLiteConverter.from_concrete_functions``. The flatbuffer
  has a ``serving_default`` signature with the SavedModel's input and output keys.
- First, when a model has an LSTM layer the fused op can express, the fused path
  (below): those layers go through TF's composite-op fusion
  and become ``UNIDIRECTIONAL_SEQUENCE_LSTM``; the rest (GRUs, variants, masked layers)
  stay ``WHILE`` loops. If it fails or does not match, the ``WHILE`` conversion above is
  used and ``fused_attempt`` says why. The entry's ``layers`` names each RNN layer's path
  (``"fused UnidirectionalSequenceLSTM"`` / ``"WHILE loop"``) and the reason, ``ops`` the
  flatbuffer's op names and ``ops["path"]`` (``fused``, ``loop`` or ``mixed``).
- The fused op keeps its state tensors between invocations (TFLite variable tensors):
  ``reset_variables: true`` in the entry means call ``interpreter.reset_all_variables()``
  before each new sequence (:func:`run_litert` does).
- The batch stays :data:`LITERT_BATCH` on both paths: the fusion needs static state
  shapes ("we cannot fuse this lstm func because the batch size is not fixed",
  ``prepare_composite_functions_tf.cc``) and the ``WHILE`` lowering static TensorList
  element shapes.

Before the file is written it runs in ``ai_edge_litert``'s interpreter (``tf.lite.
Interpreter`` is deprecated; it is used only when ``ai-edge-litert`` is missing, and the
metadata says so) on the export's sample rows, one row per call, against the SavedModel's
``serving_default``: a difference above ``TOLERANCES["litert"]`` (1e-4,
:func:`seqkit.serving.verify.compare_outputs`), a converter error or a
raw-text model (``TextVectorization`` needs TF text ops, i.e. Flex) leaves no file and the
metadata's ``litert`` entry says ``{"available": false, "reason": ...}`` (with a warning;
the SavedModel export itself is unaffected).

**The fused path**: LSTM layers as TFLite's ``UNIDIRECTIONAL_SEQUENCE_LSTM`` op.

TensorFlow's converter fuses a recurrent layer only through *composite-op fusion* ("Fusing
TensorFlow composite operations", https://ai.google.dev/edge/litert/models/operation_fusion;
RFC tensorflow/community#113): a ``tf.function`` whose attributes name the interface it
implements has its body replaced by the fused op. For the LSTM the converter's pass
(``tensorflow/compiler/mlir/lite/transforms/prepare_composite_functions_tf.cc``,
``ConvertTFAPIImplements``) looks for ``api_implements = "lstm_<id>"`` — the attribute
tf.keras 2's LSTM put on its ``standard_lstm`` function — and ``ConvertKerasLSTMLayer``
(``tensorflow/compiler/mlir/lite/utils/lstm_utils.cc``) rewrites it when:

- the function takes ``(inputs, init_h, init_c, kernel, recurrent_kernel, bias)`` (a
  7th argument, the mask, is refused: the fused op has no mask input) and returns 5 values
  of which only the first two (last output, full sequence) are used;
- ``init_h``/``init_c`` have a static shape, i.e. **the batch is fixed**
  ("we cannot fuse this lstm func because the batch size is not fixed"), and the weights
  are static;
- ``time_major`` / ``go_backwards`` attributes say the layout.

The op it builds has sigmoid gates, tanh cell/output activations, gate order i, f, c, o,
no peephole, no layer-norm and no CIFG operands (it passes none for them), and
``cell_clip = 10`` (|c| is clipped at 10, Keras does not clip; the export's equality check
on sample rows catches a model that reaches it). Keras 3 emits no such function, so
:func:`fused_lstm_layers` temporarily replaces ``inner_loop`` of every eligible LSTM layer
with a call to such a function (:func:`composite_lstm`, its body the same LSTM written in
plain TensorFlow, so an unfused conversion is still exact), and :func:`convert_fused`
traces ``serving_default`` inside a ``keras.StatelessScope`` that maps every variable to a
constant: freezing with ``convert_variables_to_constants_v2`` would delete
``api_implements`` (its function inlining strips it), and unfrozen variables stay
``READ_VARIABLE`` ops.

Eligible (:func:`fusable_reason`): ``keras.layers.LSTM`` and seqkit's ``ExplicitLSTM``
with the built-in math or only ``forget_bias`` (folded into the forget bias), tanh and
sigmoid activations, no ``return_state``/``stateful``, inside ``Bidirectional`` too (its
backward layer uses ``go_backwards``), and no mask at call time. Everything else keeps the
``WHILE`` loop: GRUs (TFLite has no fused GRU builtin), peephole, CIFG, layer norm and the
other variants (the converter cannot pass their operands), masked inputs.

**Other batch sizes** (the report's ``tflite_convert`` mode, which has the written
SavedModel but not the Keras model): :func:`convert_signature` freezes a reloaded signature
(variables → constants, also inside the ``While`` body), fixes the batch axis
(:func:`fix_batch`; the time axis stays dynamic) and converts that function with
``TFLITE_BUILTINS`` (the loop becomes a TFLite ``WHILE``).
"""

from __future__ import annotations

import contextlib
import uuid
import warnings
from pathlib import Path

import numpy as np

from seqkit.layers.gradients import without_written_gradients
from seqkit.layers.walk import rnn_layers
from seqkit.serving import signature as signature_lib
from seqkit.serving.endpoint import Endpoint
from seqkit.serving.layout import ASSETS_EXTRA
from seqkit.serving.signature import SIGNATURE_NAME
from seqkit.serving.verify import TOLERANCES, compare_outputs

LITERT_FILE = "model.tflite"
#: the batch axis of the flatbuffer (TFLite's ``WHILE`` lowering needs it static)
LITERT_BATCH = 1
#: TFLite builtins that hold a whole recurrent layer (the fused path)
FUSED_OPS = ("UNIDIRECTIONAL_SEQUENCE_LSTM", "BIDIRECTIONAL_SEQUENCE_LSTM",
             "UNIDIRECTIONAL_SEQUENCE_RNN", "BIDIRECTIONAL_SEQUENCE_RNN")
LOOP_NOTE = ("WHILE loop: no layer could take the fused UNIDIRECTIONAL_SEQUENCE_LSTM op "
             "(see layers for each one's reason)")
FUSED_NOTE = ("fused UnidirectionalSequenceLSTM: the op keeps its state tensors between "
              "invocations; call interpreter.reset_all_variables() before each sequence")
MIXED_NOTE = "fused LSTM layers and WHILE loops (see layers); " + FUSED_NOTE.split(": ", 1)[1]
FUSED = "fused UnidirectionalSequenceLSTM"
LOOP = "WHILE loop"
#: the LSTM options the fused op can express (forget_bias folds into the bias)
FOLDABLE_OPTIONS = frozenset({"forget_bias"})


def litert_path(version_dir) -> Path:
    """Where the LiteRT file of a version folder lies.

    Args:
        version_dir: a version folder (``base_path/<version>``).

    Returns:
        ``version_dir/assets.extra/model.tflite``.

    Example:

    >>> litert_path("models/gru/1").as_posix()
    'models/gru/1/assets.extra/model.tflite'
    """
    return Path(version_dir) / ASSETS_EXTRA / LITERT_FILE


def interpreter_class():
    """The LiteRT interpreter class and how it is named in the metadata.

    Returns:
        ``(class, description)``: ``ai_edge_litert.interpreter.Interpreter``, or
        ``tf.lite.Interpreter`` (deprecated) with the reason when ``ai-edge-litert`` cannot
        be imported.

    Example:

    >>> cls, name = interpreter_class()
    >>> cls.__name__, name.startswith("ai_edge_litert")
    ('Interpreter', True)
    """
    try:
        import ai_edge_litert
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as err:
        import tensorflow as tf

        warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")
        return tf.lite.Interpreter, f"tf.lite.Interpreter (ai-edge-litert missing: {err})"
    version = getattr(ai_edge_litert, "__version__", "?")
    return Interpreter, f"ai_edge_litert.interpreter.Interpreter {version}"


def convert_litert(model, specs: dict, serve, batch: int = LITERT_BATCH) -> bytes:
    """``serving_default``'s function → a TFLite flatbuffer (builtins, batch fixed).

    Args:
        model: the exported ``keras.Model``.
        specs: the signature's input specs (:func:`seqkit.serving.signature.input_specs`).
        serve: the serving function (:func:`seqkit.serving.signature.serving_function`).
        batch: the batch axis of every input.

    Returns:
        The flatbuffer, with a ``serving_default`` signature of the same keys.

    Raises:
        Exception: whatever the converter raises.

    Example:

    >>> import keras
    >>> from seqkit.serving.signature import input_specs, OutputNaming, serving_function
    >>> inp = keras.Input((None, 3), name="window")
    >>> model = keras.Model(inp, keras.layers.Dense(1)(keras.layers.GRU(2)(inp)))
    >>> specs = input_specs(model)
    >>> serve = serving_function(model, specs, OutputNaming(model, "forecasting", None))
    >>> flatbuffer = convert_litert(model, specs, serve)
    >>> sorted(op_names(flatbuffer))[-1]
    'WHILE'
    """
    import tensorflow as tf

    # no public API freezes variables read inside a While body (TF 2.21)
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    fixed = {name: tf.TensorSpec([batch, *spec["shape"][1:]], spec["dtype"], name=name)
             for name, spec in specs.items()}
    with without_written_gradients():  # a custom gradient would drop the signature
        traced = tf.function(lambda **feeds: serve(feeds)).get_concrete_function(**fixed)
    keys = sorted(traced.structured_outputs)  # a dict flattens in sorted key order
    frozen = convert_variables_to_constants_v2(traced)

    def named(**feeds):
        outputs = frozen(**feeds)
        return outputs if isinstance(outputs, dict) else dict(zip(keys, outputs, strict=True))

    function = tf.function(named).get_concrete_function(**fixed)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([function], model)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    return converter.convert()


def op_names(flatbuffer: bytes) -> list[str]:
    """The builtin op names of a flatbuffer (main graph and subgraphs), sorted, unique.

    Args:
        flatbuffer: TFLite model bytes.

    Returns:
        Op names such as ``["FULLY_CONNECTED", "WHILE"]``.

    Example:

    >>> import tensorflow as tf
    >>> f = tf.function(lambda x: x + 1.0).get_concrete_function(tf.TensorSpec([2]))
    >>> op_names(tf.lite.TFLiteConverter.from_concrete_functions([f]).convert())
    ['ADD']
    """
    cls, _ = interpreter_class()
    interpreter = cls(model_content=flatbuffer)
    return sorted({op["op_name"] for op in interpreter._get_ops_details()})


def op_summary(ops) -> dict:
    """Which recurrent path a flatbuffer takes.

    Args:
        ops: the op names (:func:`op_names`).

    Returns:
        ``{"path": "fused" | "loop" | "mixed" | "none", "while": bool, "fused": [fused
        ops], "ops": ops}`` (``"mixed"``: fused layers beside ``WHILE`` loops).

    Example:

    >>> op_summary(["FULLY_CONNECTED", "WHILE"])["path"]
    'loop'
    >>> op_summary(["UNIDIRECTIONAL_SEQUENCE_LSTM"])["fused"]
    ['UNIDIRECTIONAL_SEQUENCE_LSTM']
    >>> op_summary(["UNIDIRECTIONAL_SEQUENCE_LSTM", "WHILE"])["path"]
    'mixed'

    """
    fused = [op for op in ops if op in FUSED_OPS]
    has_while = "WHILE" in ops
    path = ("mixed" if fused and has_while else "fused" if fused else
            "loop" if has_while else "none")
    return {"path": path, "while": has_while, "fused": fused, "ops": list(ops)}


def run_litert(flatbuffer: bytes, feeds: dict) -> dict:
    """Run ``serving_default`` of a flatbuffer on ``feeds``, one row per call.

    The fused ``UNIDIRECTIONAL_SEQUENCE_LSTM`` op keeps its state tensors between calls
    (TFLite variable tensors), so each row starts with ``reset_all_variables()``; a
    ``WHILE`` flatbuffer has none and the reset changes nothing.

    Args:
        flatbuffer: TFLite model bytes (batch axis :data:`LITERT_BATCH`).
        feeds: ``{input name: array [B, ...]}``.

    Returns:
        ``{output key: array [B, ...]}`` (the rows' outputs stacked).

    Example:

    >>> import tensorflow as tf
    >>> f = tf.function(lambda x: {"y": x * 2.0}).get_concrete_function(
    ...     tf.TensorSpec([1, None], name="x"))
    >>> flatbuffer = tf.lite.TFLiteConverter.from_concrete_functions([f], tf.Module()).convert()
    >>> run_litert(flatbuffer, {"x": np.ones((2, 3), "float32")})["y"].tolist()
    [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    """
    cls, _ = interpreter_class()
    interpreter = cls(model_content=flatbuffer)
    runner = interpreter.get_signature_runner(SIGNATURE_NAME)
    n = len(next(iter(feeds.values())))
    rows = []
    for i in range(n):
        row = {k: np.asarray(v[i:i + 1]) for k, v in feeds.items()}
        if i:  # the first call allocates; later ones must not see the last row's state
            interpreter.reset_all_variables()
        rows.append(runner(**row))
    return {key: np.concatenate([row[key] for row in rows]) for key in rows[0]}


def write_litert(version_dir, model, specs: dict, serve, sample: dict) -> dict:
    """Convert, check against the written SavedModel and write ``assets.extra/model.tflite``.

    Args:
        version_dir: the (temporary) version folder holding the SavedModel.
        model: the exported ``keras.Model``.
        specs: the signature's input specs.
        serve: the serving function.
        sample: ``{input name: rows}`` checked (the export's reload sample).

    Returns:
        The metadata's ``litert`` entry: ``{"available": True, "path", "size_bytes",
        "interpreter", "signature_name", "batch", "inputs", "outputs", "ops", "layers",
        "fused_attempt", "reset_variables", "max_abs_diff", "tolerance", "checked_rows",
        "note"}`` or ``{"available": False, "reason"}`` (then no file is written and a
        warning says why). ``layers``: ``{RNN layer name: {"path", "reason"}}``;
        ``fused_attempt``: why the fused conversion was not used, or ``None``.

    Example:

    >>> import tempfile, keras
    >>> from seqkit.serving import export
    >>> inp = keras.Input((None, 3), name="window")
    >>> model = keras.Model(inp, keras.layers.Dense(1)(keras.layers.LSTM(2)(inp)))
    >>> tmp = tempfile.TemporaryDirectory()
    >>> entry = export(model, tmp.name, warmup=False, litert=True).litert
    >>> entry["available"], entry["path"], entry["ops"]["path"], entry["batch"]
    (True, 'assets.extra/model.tflite', 'fused', 1)
    >>> [layer["path"] for layer in entry["layers"].values()], entry["reset_variables"]
    (['fused UnidirectionalSequenceLSTM'], True)
    >>> tmp.cleanup()
    """
    if signature_lib.is_text(specs) or any(s["dtype"] == "string" for s in specs.values()):
        return _decline("raw-text input: TextVectorization needs TensorFlow text ops "
                        "(Select TF ops / Flex), which the LiteRT builtins lack; export the "
                        "model after the vectorizer (token ids in) for LiteRT")
    import tensorflow as tf

    loaded = tf.saved_model.load(str(version_dir))  # owns the variables: keep it alive
    want = {k: v.numpy() for k, v in loaded.signatures[SIGNATURE_NAME](
        **{k: tf.constant(v) for k, v in sample.items()}).items()}
    layers, fused_error, chosen = {}, None, None
    if any(fusable_reason(layer) is None
           for layer in rnn_layers(model)):
        chosen, fused_error = _try(lambda: convert_fused(
            model, specs, serve, LITERT_BATCH, layers), sample, want, "fused conversion")
    if chosen is None:
        chosen, error = _try(lambda: convert_litert(model, specs, serve), sample, want,
                             "conversion")
        if chosen is None:
            return _decline(error[0], **error[1])
        layers = _loop_layers(model, fused_error)
    flatbuffer, diff = chosen
    path = litert_path(version_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(flatbuffer)
    cls, interpreter = interpreter_class()
    runner = cls(model_content=flatbuffer).get_signature_runner(SIGNATURE_NAME)
    summary = op_summary(op_names(flatbuffer))
    if not summary["fused"]:  # routed, but the converter kept the composite's loop
        layers = {name: {"path": LOOP, "reason": layer["reason"] or
                         "the converter did not fuse the composite function"}
                  for name, layer in layers.items()}
    return {
        "available": True, "path": f"{ASSETS_EXTRA}/{LITERT_FILE}",
        "size_bytes": len(flatbuffer), "interpreter": interpreter,
        "signature_name": SIGNATURE_NAME, "batch": LITERT_BATCH,
        "inputs": {k: {"dtype": s["dtype"], "shape": [LITERT_BATCH, *s["shape"][1:]]}
                   for k, s in specs.items()},
        "outputs": sorted(runner.get_output_details()),
        "ops": summary, "layers": layers, "fused_attempt": fused_error and fused_error[0],
        "reset_variables": bool(summary["fused"]),
        "max_abs_diff": diff, "tolerance": TOLERANCES["litert"].atol,
        "checked_rows": len(next(iter(sample.values()))),
        "note": {"loop": LOOP_NOTE, "mixed": MIXED_NOTE, "fused": FUSED_NOTE}.get(
            summary["path"]),
    }


class LitertEndpoint(Endpoint):
    """The LiteRT file as an endpoint of the export (:mod:`seqkit.serving.endpoint`).

    It writes no signature: after the SavedModel is verified, :func:`write_litert` converts,
    checks and writes ``assets.extra/model.tflite``; its entry is the metadata's ``litert``.

    Args:
        model: the exported ``keras.Model``.
        specs: the signature's input specs.
        serve: the serving function.
        enabled: ``export(..., litert=...)``.

    Example:

    >>> endpoint = LitertEndpoint(None, {}, None, enabled=False)
    >>> endpoint.write_files("unused", {}); endpoint.metadata() is None
    True
    """

    key = "litert"
    label = "LiteRT"

    def __init__(self, model, specs: dict, serve, enabled: bool):
        self.model, self.specs, self.serve, self.enabled = model, specs, serve, enabled
        self.entry = None

    def write_files(self, folder, sample: dict) -> None:
        """:func:`write_litert` into ``folder`` when enabled."""
        if self.enabled:
            self.entry = write_litert(folder, self.model, self.specs, self.serve, sample)

    def metadata(self) -> dict | None:
        """The ``litert`` entry, or ``None`` when not asked for."""
        return self.entry


def _try(convert, sample, want, what):
    """``((flatbuffer, diff), None)`` when it converts and matches, else ``(None, error)``."""
    try:
        flatbuffer = convert()
        got = run_litert(flatbuffer, sample)
    except Exception as err:  # noqa: BLE001 - the converter's many error types
        return None, (f"{what} failed: {short_error(err)}", {})
    check = compare_outputs(want, got, "litert")
    if not check.ok:
        return None, (f"LiteRT ({what}) differs from {SIGNATURE_NAME}: {check.problems[0]}",
                      {"max_abs_diff": check.max_abs_diff})
    return (flatbuffer, check.max_abs_diff), None


def _loop_layers(model, fused_error) -> dict:
    """Every RNN layer on the WHILE path, with why (its own reason or the fused failure)."""
    out = {}
    for layer in rnn_layers(model):
        reason = fusable_reason(layer) or (fused_error and fused_error[0])
        out[layer.name] = {"path": LOOP, "reason": reason}
    return out


def _decline(reason: str, **extra) -> dict:
    warnings.warn(f"no LiteRT file written: {reason}", stacklevel=3)
    return {"available": False, "reason": reason, **extra}


def fusable_reason(layer) -> str | None:
    """Why a layer cannot become ``UNIDIRECTIONAL_SEQUENCE_LSTM`` (``None``: it can).

    Args:
        layer: a Keras layer.

    Returns:
        ``None`` for an eligible LSTM layer, else the reason (a sentence).

    Example:

    >>> import keras
    >>> fusable_reason(keras.layers.LSTM(3)) is None
    True
    >>> fusable_reason(keras.layers.GRU(3))
    'GRU: TFLite has no fused GRU builtin'
    >>> from seqkit.layers import ExplicitLSTM
    >>> fusable_reason(ExplicitLSTM(3, peephole=True))
    "options {'peephole': True}: the converter's Keras LSTM fusion passes no peephole, \
layer-norm or CIFG operands"
    """
    import keras

    if not isinstance(layer, keras.layers.LSTM):
        return f"{type(layer).__name__}: TFLite has no fused GRU builtin" if isinstance(
            layer, keras.layers.GRU) else f"{type(layer).__name__} is not an LSTM"
    options = getattr(layer, "options", None)
    changed = options.changed() if options is not None else {}
    if set(changed) - FOLDABLE_OPTIONS:
        other = {k: v for k, v in changed.items() if k not in FOLDABLE_OPTIONS}
        return (f"options {other}: the converter's Keras LSTM fusion passes no peephole, "
                f"layer-norm or CIFG operands")
    cell = layer.cell
    names = (getattr(cell.activation, "__name__", ""),
             getattr(cell.recurrent_activation, "__name__", ""))
    if names != ("tanh", "sigmoid"):
        return f"activations {names}: the fused op has tanh and sigmoid only"
    if layer.return_state or layer.stateful:
        return "return_state/stateful: the fused function may only return its outputs"
    return None


def composite_lstm(go_backwards: bool = False):
    """A ``tf.function`` the converter rewrites into ``UNIDIRECTIONAL_SEQUENCE_LSTM``.

    Its attributes are tf.keras 2's (``api_implements="lstm_<uuid>"``, ``time_major``,
    ``go_backwards``); its body is the Keras LSTM (gate order i, f, c, o) in plain
    TensorFlow, so where the converter does not fuse the result is still exact. Outputs
    ``(last, sequence, 3 placeholders [1])``: the converter replaces outputs 3-5 by
    one-element zeros, and fuses only when they are unused.

    Args:
        go_backwards: process the sequence in reverse (outputs in processing order).

    Returns:
        ``f(inputs, init_h, init_c, kernel, recurrent_kernel, bias)``.

    Example:

    >>> import numpy as np, tensorflow as tf
    >>> f = composite_lstm()
    >>> x, h0 = tf.ones((1, 3, 2)), tf.zeros((1, 1))
    >>> last, seq, *_ = f(x, h0, h0, tf.zeros((2, 4)), tf.zeros((1, 4)), tf.zeros(4))
    >>> tuple(seq.shape), float(last[0, 0])  # zero weights: c = 0.5 * tanh(0) = 0
    ((1, 3, 1), 0.0)
    """
    import tensorflow as tf

    attributes = {"api_implements": f"lstm_{uuid.uuid4()}", "api_preferred_device": "CPU",
                  "time_major": False, "go_backwards": bool(go_backwards)}

    @tf.function(experimental_attributes=attributes, autograph=False)
    def standard_lstm(inputs, init_h, init_c, kernel, recurrent_kernel, bias):
        steps = tf.transpose(inputs, [1, 0, 2])
        if go_backwards:
            steps = tf.reverse(steps, [0])

        def step(carry, x):
            z = tf.matmul(x, kernel) + tf.matmul(carry[0], recurrent_kernel) + bias
            z_i, z_f, z_c, z_o = tf.split(z, 4, axis=1)
            c = tf.sigmoid(z_f) * carry[1] + tf.sigmoid(z_i) * tf.tanh(z_c)
            return tf.stack([tf.sigmoid(z_o) * tf.tanh(c), c])

        carries = tf.scan(step, steps, initializer=tf.stack([init_h, init_c]))
        sequence = tf.transpose(carries[:, 0], [1, 0, 2])
        placeholder = tf.zeros([1], inputs.dtype)
        return sequence[:, -1], sequence, placeholder, placeholder, placeholder

    return standard_lstm


@contextlib.contextmanager
def fused_lstm_layers(model, record: dict):
    """Route every eligible LSTM layer of ``model`` through :func:`composite_lstm`.

    Inside the block each eligible layer's ``inner_loop`` calls the composite function
    (masked calls keep the layer's own loop); on exit the layers are as before.

    Args:
        model: a ``keras.Model``.
        record: filled with ``{layer name: {"path": FUSED | LOOP, "reason": str | None}}``
            (``FUSED`` means routed through the composite; the flatbuffer's ops confirm).

    Yields:
        ``record``.

    Example:

    >>> import keras, numpy as np
    >>> inp = keras.Input((None, 2))
    >>> model = keras.Model(inp, keras.layers.LSTM(3, name="enc")(inp))
    >>> with fused_lstm_layers(model, {}) as record:
    ...     out = model(np.ones((1, 4, 2), "float32"))
    >>> record["enc"]["path"], "inner_loop" in vars(model.layers[1])
    ('fused UnidirectionalSequenceLSTM', False)
    """
    patched = []
    try:
        for layer in rnn_layers(model):
            reason = fusable_reason(layer)
            record[layer.name] = {"path": LOOP if reason else FUSED, "reason": reason}
            if reason is None:
                layer.__dict__["inner_loop"] = _routed_inner_loop(layer, record)
                patched.append(layer)
        yield record
    finally:
        for layer in patched:
            layer.__dict__.pop("inner_loop", None)


def _routed_inner_loop(layer, record):
    import tensorflow as tf

    original = type(layer).inner_loop.__get__(layer)
    composite = composite_lstm(layer.go_backwards)

    def inner_loop(sequences, initial_state, mask, training=False):
        if mask is not None:
            record[layer.name] = {"path": LOOP, "reason": "masked input: the fused op has "
                                  "no mask input (the converter refuses a mask argument)"}
            return original(sequences, initial_state, mask, training=training)
        cell = layer.cell
        units = cell.units
        bias = (tf.convert_to_tensor(cell.bias) if cell.use_bias
                else tf.zeros([4 * units], sequences.dtype))
        forget_bias = float((getattr(layer, "options", None) and layer.options.forget_bias)
                            or 0.0)
        if forget_bias:
            bias = bias + tf.constant([0.0] * units + [forget_bias] * units
                                      + [0.0] * (2 * units), bias.dtype)
        last, sequence, *_ = composite(
            sequences, initial_state[0], initial_state[1], tf.convert_to_tensor(cell.kernel),
            tf.convert_to_tensor(cell.recurrent_kernel), bias)
        return last, sequence, [last, last]  # states are unused (no return_state/stateful)

    return inner_loop


def convert_fused(model, specs: dict, serve, batch: int, record: dict) -> bytes:
    """``serving_default`` → a flatbuffer with eligible LSTMs fused (batch fixed).

    Args:
        model: the exported ``keras.Model``.
        specs: the signature's input specs.
        serve: the serving function.
        batch: the batch axis (fixed: the fusion needs static state shapes).
        record: filled per layer (:func:`fused_lstm_layers`).

    Returns:
        The flatbuffer (builtins only), signature ``serving_default``.

    Raises:
        Exception: whatever the converter raises.

    Example:

    >>> import keras
    >>> from seqkit.serving.signature import input_specs, OutputNaming, serving_function
    >>> inp = keras.Input((None, 3), name="window")
    >>> model = keras.Model(inp, keras.layers.Dense(1)(keras.layers.LSTM(2)(inp)))
    >>> specs = input_specs(model)
    >>> serve = serving_function(model, specs, OutputNaming(model, "forecasting", None))
    >>> flatbuffer = convert_fused(model, specs, serve, 1, {})
    >>> "UNIDIRECTIONAL_SEQUENCE_LSTM" in op_names(flatbuffer), "WHILE" in op_names(flatbuffer)
    (True, False)
    """
    import keras
    import tensorflow as tf

    variables = list(model.variables)
    values = [v.numpy() for v in variables]
    fixed = {name: tf.TensorSpec([batch, *spec["shape"][1:]], spec["dtype"], name=name)
             for name, spec in specs.items()}

    def constant_serve(**feeds):
        mapping = [(v, tf.constant(a)) for v, a in zip(variables, values, strict=True)]
        with keras.StatelessScope(state_mapping=mapping), fused_lstm_layers(model, record):
            return dict(serve(feeds))

    function = tf.function(constant_serve).get_concrete_function(**fixed)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([function], tf.Module())
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    return converter.convert()


def fix_batch(graph_def, input_names, batch):
    """Copy of a frozen GraphDef with the batch axis fixed to ``batch``.

    TFLite's builtin ``WHILE`` lowering of TensorList ops needs static element shapes;
    Keras' RNN loop creates its TensorLists with element shape ``[-1, units]`` (dynamic
    batch). Inputs get ``[batch, ...]`` and every TensorList ``element_shape`` constant
    whose first entry is -1 gets ``batch`` (Keras lists hold ``[batch, ...]`` elements).

    Args:
        graph_def: a frozen ``GraphDef``.
        input_names: the input tensors' names (``"x:0"``).
        batch: the batch size to fix.

    Returns:
        ``(fixed GraphDef, number of element_shape constants patched)``.

    Example:

    >>> import tensorflow as tf
    >>> graph_def = tf.compat.v1.GraphDef()
    >>> x = graph_def.node.add(name="x", op="Placeholder")
    >>> _ = x.attr["shape"].shape.dim.add(size=-1)
    >>> fixed, patched = fix_batch(graph_def, ["x:0"], 4)
    >>> fixed.node[0].attr["shape"].shape.dim[0].size, patched
    (4, 0)
    """
    import tensorflow as tf

    fixed = tf.compat.v1.GraphDef()
    fixed.CopyFrom(graph_def)
    wanted = {n.split(":")[0] for n in input_names}
    patched = 0
    for nodes in [fixed.node] + [f.node_def for f in fixed.library.function]:
        by_name = {n.name: n for n in nodes}
        for node in nodes:
            if node.op == "Placeholder" and node.name in wanted:
                dims = node.attr["shape"].shape.dim
                if dims and dims[0].size == -1:
                    dims[0].size = batch
            if node.op.startswith("TensorList") or node.op == "EmptyTensorList":
                patched += _fix_element_shapes(tf, node, by_name, batch)
    return fixed, patched


def _fix_element_shapes(tf, node, by_name, batch) -> int:
    patched = 0
    for inp in node.input:
        src = by_name.get(inp.split(":")[0].lstrip("^"))
        if src is None or src.op != "Const" or not src.name.endswith("element_shape"):
            continue
        value = tf.make_ndarray(src.attr["value"].tensor)
        if value.ndim == 1 and value.size and value[0] == -1:
            value = value.copy()
            value[0] = batch
            src.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(value))
            patched += 1
    return patched


def convert_signature(tf, signature, batch):
    """SavedModel signature → TFLite flatbuffer (builtins only) for one batch size.

    Args:
        tf: the ``tensorflow`` module.
        signature: the loaded ``serving_default`` signature.
        batch: the batch size the flatbuffer is fixed to.

    Returns:
        ``(flatbuffer bytes, input names, output keys (sorted), patched shape count)``.

    Raises:
        Exception: whatever the converter raises (reported by the caller).

    Example:

    >>> import tempfile, keras, tensorflow as tf
    >>> from seqkit.serving import export
    >>> inp = keras.Input((None, 3), name="window")
    >>> model = keras.Model(inp, keras.layers.GRU(2)(inp))
    >>> tmp = tempfile.TemporaryDirectory()
    >>> info = export(model, tmp.name, warmup=False, step_signature=False)
    >>> loaded = tf.saved_model.load(info.path)  # owns the variables: keep it alive
    >>> flatbuffer, inputs, outputs, _ = convert_signature(
    ...     tf, loaded.signatures["serving_default"], batch=2)
    >>> inputs, outputs, op_summary(op_names(flatbuffer))["path"]
    (['window'], ['output'], 'loop')
    >>> tmp.cleanup()
    """
    # no public API freezes a ConcreteFunction into a GraphDef and rebuilds one (TF 2.21)
    from tensorflow.python.eager import wrap_function
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    frozen = convert_variables_to_constants_v2(signature)
    graph_def = frozen.graph.as_graph_def()
    input_names = [t.name for t in frozen.inputs]
    output_tensors = [t.name for t in frozen.outputs]
    # the frozen function returns the signature's dict flattened: keys in sorted order
    output_keys = sorted(signature.structured_outputs)
    for key, tensor in zip(output_keys, frozen.outputs, strict=True):
        if tensor.dtype != signature.structured_outputs[key].dtype:
            raise RuntimeError(f"cannot match frozen output {tensor.name} to {key!r}")
    fixed, patched = fix_batch(graph_def, input_names, batch)
    function = wrap_function.function_from_graph_def(fixed, input_names, output_tensors)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([function])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    flatbuffer = converter.convert()
    return flatbuffer, [n.split(":")[0] for n in input_names], output_keys, patched


def short_error(err) -> str:
    """The converter's error lines worth reading (it prints pages), as one line.

    Args:
        err: the exception.

    Returns:
        ``"<type>: <up to 4 error lines joined by |>"``.

    Example:

    >>> short_error(ValueError("loc(...): error: 'tf.StringSplit' op is neither a custom "
    ...                        "op nor a flex op\\nmore text"))
    "ValueError: 'tf.StringSplit' op is neither a custom op nor a flex op"
    """
    text = str(err)
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if ("error:" in line or "Ops that" in line or line.startswith("tf.")) and \
                line not in lines:
            lines.append(line.split("error: ", 1)[-1][:300])
    summary = " | ".join(lines[:4]) if lines else text[:600]
    return f"{type(err).__name__}: {summary}"
