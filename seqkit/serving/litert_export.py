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
  (:mod:`seqkit.serving.litert_fused`): those layers go through TF's composite-op fusion
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
``serving_default``: a difference above :data:`LITERT_TOLERANCE`, a converter error or a
raw-text model (``TextVectorization`` needs TF text ops, i.e. Flex) leaves no file and the
metadata's ``litert`` entry says ``{"available": false, "reason": ...}`` (with a warning;
the SavedModel export itself is unaffected).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from seqkit.layers.gradients import without_written_gradients
from seqkit.serving import inputs as inputs_lib
from seqkit.serving import litert_fused
from seqkit.serving.layout import ASSETS_EXTRA
from seqkit.serving.signature import SIGNATURE_NAME

LITERT_FILE = "model.tflite"
#: the batch axis of the flatbuffer (TFLite's ``WHILE`` lowering needs it static)
LITERT_BATCH = 1
#: the largest absolute difference to ``serving_default`` accepted before writing
LITERT_TOLERANCE = 1e-4
#: TFLite builtins that hold a whole recurrent layer (the fused path)
FUSED_OPS = ("UNIDIRECTIONAL_SEQUENCE_LSTM", "BIDIRECTIONAL_SEQUENCE_LSTM",
             "UNIDIRECTIONAL_SEQUENCE_RNN", "BIDIRECTIONAL_SEQUENCE_RNN")
LOOP_NOTE = ("WHILE loop: no layer could take the fused UNIDIRECTIONAL_SEQUENCE_LSTM op "
             "(see layers for each one's reason)")
FUSED_NOTE = ("fused UnidirectionalSequenceLSTM: the op keeps its state tensors between "
              "invocations; call interpreter.reset_all_variables() before each sequence")
MIXED_NOTE = "fused LSTM layers and WHILE loops (see layers); " + FUSED_NOTE.split(": ", 1)[1]


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
    >>> from seqkit.serving.naming import OutputNaming
    >>> from seqkit.serving.signature import input_specs, serving_function
    >>> inp = keras.Input((None, 3), name="window")
    >>> model = keras.Model(inp, keras.layers.Dense(1)(keras.layers.GRU(2)(inp)))
    >>> specs = input_specs(model)
    >>> serve = serving_function(model, specs, OutputNaming(model, "forecasting", None))
    >>> flatbuffer = convert_litert(model, specs, serve)
    >>> sorted(op_names(flatbuffer))[-1]
    'WHILE'
    """
    import tensorflow as tf

    # no public API freezes variables read inside a While body (TF 2.21); the report's
    # TFLite mode (seqkit.reporting.tflite) uses the same function
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


def compare(got: dict, want: dict) -> tuple[float, str | None]:
    """``(max abs difference, reason they differ or None)`` of LiteRT vs SavedModel outputs.

    Args:
        got: the LiteRT outputs.
        want: the SavedModel's outputs.

    Returns:
        Floats must agree within :data:`LITERT_TOLERANCE`, other dtypes exactly.

    Example:

    >>> compare({"y": np.zeros(2)}, {"y": np.full(2, 1e-6)})
    (1e-06, None)
    >>> compare({"y": np.zeros(2)}, {"y": np.ones(2)})[1]
    "output 'y' differs by 1 > 0.0001"
    """
    diff = 0.0
    for key, ref in want.items():
        value = got.get(key)
        if value is None or np.shape(value) != np.shape(ref):
            return diff, f"output {key!r} missing or shaped {np.shape(value)} not {np.shape(ref)}"
        if np.asarray(ref).dtype.kind in "fc":
            key_diff = float(np.max(np.abs(value - ref))) if np.size(ref) else 0.0
            diff = max(diff, key_diff)
            if not key_diff <= LITERT_TOLERANCE:  # NaN fails too
                return diff, f"output {key!r} differs by {key_diff:.3g} > {LITERT_TOLERANCE}"
        elif not np.array_equal(value, ref):
            return diff, f"output {key!r} differs ({int(np.sum(value != ref))} values)"
    return diff, None


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
    if inputs_lib.is_text(specs) or any(s["dtype"] == "string" for s in specs.values()):
        return _decline("raw-text input: TextVectorization needs TensorFlow text ops "
                        "(Select TF ops / Flex), which the LiteRT builtins lack; export the "
                        "model after the vectorizer (token ids in) for LiteRT")
    import tensorflow as tf

    loaded = tf.saved_model.load(str(version_dir))  # owns the variables: keep it alive
    want = {k: v.numpy() for k, v in loaded.signatures[SIGNATURE_NAME](
        **{k: tf.constant(v) for k, v in sample.items()}).items()}
    layers, fused_error, chosen = {}, None, None
    if any(litert_fused.fusable_reason(layer) is None
           for layer in litert_fused.rnn_layers(model)):
        chosen, fused_error = _try(lambda: litert_fused.convert_fused(
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
        layers = {name: {"path": litert_fused.LOOP, "reason": layer["reason"] or
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
        "max_abs_diff": diff, "tolerance": LITERT_TOLERANCE,
        "checked_rows": len(next(iter(sample.values()))),
        "note": {"loop": LOOP_NOTE, "mixed": MIXED_NOTE, "fused": FUSED_NOTE}.get(
            summary["path"]),
    }


def _try(convert, sample, want, what):
    """``((flatbuffer, diff), None)`` when it converts and matches, else ``(None, error)``."""
    try:
        flatbuffer = convert()
        got = run_litert(flatbuffer, sample)
    except Exception as err:  # noqa: BLE001 - the converter's many error types
        return None, (f"{what} failed: {_short(err)}", {})
    diff, reason = compare(got, want)
    if reason:
        return None, (f"LiteRT ({what}) differs from {SIGNATURE_NAME}: {reason}",
                      {"max_abs_diff": diff})
    return (flatbuffer, diff), None


def _loop_layers(model, fused_error) -> dict:
    """Every RNN layer on the WHILE path, with why (its own reason or the fused failure)."""
    out = {}
    for layer in litert_fused.rnn_layers(model):
        reason = litert_fused.fusable_reason(layer) or (fused_error and fused_error[0])
        out[layer.name] = {"path": litert_fused.LOOP, "reason": reason}
    return out


def _decline(reason: str, **extra) -> dict:
    warnings.warn(f"no LiteRT file written: {reason}", stacklevel=3)
    return {"available": False, "reason": reason, **extra}


def _short(err) -> str:
    lines = [line.split("error: ", 1)[-1].strip() for line in str(err).splitlines()
             if "error:" in line]
    text = " | ".join(dict.fromkeys(lines[:3])) if lines else str(err)[:400]
    return f"{type(err).__name__}: {text[:600]}"
