"""The TFLite (LiteRT) modes of the worker: ``tflite_convert`` and ``tflite_measure``.

Conversion is :mod:`seqkit.serving.litert`'s (the one LiteRT converter). Batch 1 uses the
export's own ``assets.extra/model.tflite`` when the version has one (``export(...,
litert=True)``: fused ``UNIDIRECTIONAL_SEQUENCE_LSTM`` where the math allows, else the
``WHILE`` loop); other batch sizes, and versions without the file, are converted from the
reloaded signature (:func:`seqkit.serving.litert.convert_signature`: always the ``WHILE``
loop). Every conversion says its ``source`` (``"export"`` / ``"converted"``) and ``path``
(``fused`` / ``loop`` / ``mixed``, read from the flatbuffer's ops). Files run in
``ai_edge_litert``'s interpreter (``tf.lite.Interpreter`` is deprecated and only used when
``ai-edge-litert`` cannot be imported; ``interpreter`` in the result says which and why).

Why the conversion is not ``from_saved_model`` with builtins: it fails for Keras 3 LSTM/GRU
graphs in TF 2.21 (TensorList ops need static element shapes); ``SELECT_TF_OPS`` converts
but the ``tf.lite.Interpreter`` in the TensorFlow wheel has no Flex delegate to run it.
:func:`mode_tflite_measure` times the grid with the LiteRT interpreter (XNNPACK) and
compares its outputs with the SavedModel's on the same inputs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from seqkit.reporting.modes import load, signature_specs, to_numpy
from seqkit.reporting.probes import rss_point
from seqkit.reporting.timing import time_grid_point
from seqkit.serving import inputs as inputs_lib
from seqkit.serving.litert import (
    convert_signature,
    interpreter_class,
    litert_path,
    op_names,
    op_summary,
    short_error,
)
from seqkit.serving.metadata import read_metadata
from seqkit.serving.verify import compare_outputs


def mode_tflite_convert(tf, config) -> dict:
    """Convert the signature once per batch size into ``out_dir/model_b<batch>.tflite``.

    Args:
        tf: the ``tensorflow`` module.
        config: ``{"path", "batch_sizes", "out_dir"}``.

    Returns:
        ``{"conversions": [{"batch", "ok", "file", "bytes", "inputs", "outputs",
        "patched_shapes", "convert_s", "source", "path", "reset_variables"} or
        {"batch", "ok": False, "reason"}]}``; ``source`` is ``"export"`` for the
        version's own ``assets.extra/model.tflite`` (batch 1), else ``"converted"``.

    Example:

    >>> import keras, tempfile, tensorflow as tf
    >>> from seqkit.serving import export
    >>> inp = keras.Input((None, 1), name="window")
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = export(keras.Model(inp, keras.layers.GRU(2)(inp)), tmp.name, warmup=False).path
    >>> result = mode_tflite_convert(tf, {"path": path, "batch_sizes": [1],
    ...                                   "out_dir": f"{tmp.name}/tflite"})
    >>> [(c["batch"], c["ok"], Path(c["file"]).name, c["source"], c["path"])
    ...  for c in result["conversions"]]
    [(1, True, 'model_b1.tflite', 'converted', 'loop')]
    >>> tmp.cleanup()
    """
    loaded, signature, _ = load(tf, config["path"])  # `loaded` owns the variables: keep it
    out_dir = Path(config["out_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    hint = None
    if inputs_lib.is_text(signature_specs(signature)):
        hint = ("string inputs need TensorFlow text ops (Select TF ops / Flex), "
                "which tf.lite.Interpreter in the TensorFlow wheel cannot run")
    exported = _exported(config["path"], signature)
    results = []
    for batch in config["batch_sizes"]:
        if batch == 1 and exported:
            results.append(exported)
            continue
        start = time.perf_counter()
        try:
            flatbuffer, inputs, outputs, patched = convert_signature(tf, signature, batch)
        except Exception as err:  # noqa: BLE001
            reason = short_error(err)
            results.append({"batch": batch, "ok": False,
                            "reason": f"{reason} ({hint})" if hint else reason})
            continue
        file = out_dir / f"model_b{batch}.tflite"
        file.write_bytes(flatbuffer)
        results.append({"batch": batch, "ok": True, "file": str(file), "bytes": len(flatbuffer),
                        "inputs": inputs, "outputs": outputs, "patched_shapes": patched,
                        "convert_s": time.perf_counter() - start, "source": "converted",
                        "path": op_summary(op_names(flatbuffer))["path"],
                        "reset_variables": False})
    return {"conversions": results}


def _exported(version_dir, signature) -> dict | None:
    """The export's batch-1 ``model.tflite`` as a conversion entry, or ``None``."""
    file = litert_path(version_dir)
    entry = (read_metadata(version_dir).get("litert") or {}) if file.is_file() else {}
    if not entry.get("available") or entry.get("batch") != 1:
        return None
    flatbuffer = file.read_bytes()
    return {"batch": 1, "ok": True, "file": str(file), "bytes": len(flatbuffer),
            "inputs": sorted(signature_specs(signature)), "outputs": entry["outputs"],
            "patched_shapes": 0, "convert_s": 0.0, "source": "export",
            "path": op_summary(op_names(flatbuffer))["path"],
            "reset_variables": bool(entry.get("reset_variables"))}


def _input_index(details, names) -> dict:
    by_name = {d["name"]: d for d in details}
    index = {}
    for i, name in enumerate(names):
        detail = by_name.get(name) or by_name.get(f"serving_default_{name}") or details[i]
        index[name] = detail["index"]
    return index


def mode_tflite_measure(tf, config) -> dict:
    """Time the grid with the LiteRT interpreter, then compare with the SavedModel.

    The interpreter is ``ai_edge_litert``'s (:func:`~seqkit.serving.litert.
    interpreter_class`; ``tf.lite.Interpreter`` only without ``ai-edge-litert``). A file
    with the fused LSTM op gets ``reset_all_variables()`` before every call (the op keeps
    its state between calls), inside the timed call: that is its cost per sequence.

    Args:
        tf: the ``tensorflow`` module.
        config: ``{"path", "conversions" (the successful ones), "specs", "seq_lens",
            "repeats", "calls_per_repeat", "threads"}``.

    Returns:
        ``{"grid", "checks", "load_s", "threads", "rss", "interpreter"}``; each grid row
        and check names its ``source`` and ``path`` (fused / loop / mixed); each check is
        ``{"batch", "seq_len", "source", "path", "max_abs_diff", "close", "mismatched"}``.

    Example:

    >>> import keras, tempfile, tensorflow as tf
    >>> from seqkit.serving import export
    >>> inp = keras.Input((None, 1), name="window")
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = export(keras.Model(inp, keras.layers.GRU(2)(inp)), tmp.name, warmup=False).path
    >>> config = {"path": path, "batch_sizes": [2], "out_dir": f"{tmp.name}/t"}
    >>> conversions = mode_tflite_convert(tf, config)["conversions"]
    >>> specs = {"window": {"dtype": "float32", "shape": [None, None, 1]}}
    >>> result = mode_tflite_measure(tf, {**config, "conversions": conversions,
    ...                                   "specs": specs, "seq_lens": [3], "repeats": 1,
    ...                                   "calls_per_repeat": 2, "threads": 1})
    >>> [(c["batch"], c["seq_len"], c["close"]) for c in result["checks"]]
    [(2, 3, True)]
    >>> tmp.cleanup()
    """
    cls, interpreter_name = interpreter_class()
    words = read_metadata(config["path"]).get("sample_words")
    threads = config.get("threads") or os.cpu_count()
    after_import = rss_point()
    interpreters, loads = {}, {}
    for conv in config["conversions"]:
        start = time.perf_counter()
        interpreter = cls(model_path=conv["file"], num_threads=threads)
        interpreter.allocate_tensors()
        loads[conv["batch"]] = time.perf_counter() - start
        interpreters[conv["batch"]] = (interpreter, conv)
    after_load = rss_point()
    rows, samples = _tflite_grid(interpreters, config, words)
    after_inference = rss_point()
    return {"grid": rows, "checks": _compare_with_saved_model(tf, config["path"], samples),
            "load_s": loads, "threads": threads, "interpreter": interpreter_name,
            "rss": {"after_import": after_import, "after_load": after_load,
                    "after_inference": after_inference}}


def _tflite_grid(interpreters, config, words):
    """The time grid through each interpreter; also the last outputs of each grid point."""
    specs = config["specs"]
    rows, samples = [], {}
    for batch, (interpreter, conv) in interpreters.items():
        label = {"source": conv.get("source", "converted"), "path": conv.get("path")}
        for seq_len in config["seq_lens"]:
            data = inputs_lib.synthetic_batch(specs, batch, seq_len, seed=batch * 1000 + seq_len,
                                              words=words)
            call = _invoker(interpreter, conv, data)
            point = time_grid_point(call, batch, config["repeats"],
                                    config.get("calls_per_repeat"),
                                    config.get("warmup_calls", 2))
            rows.append({"batch": batch, "seq_len": seq_len, **label, **point})
            samples[(batch, seq_len)] = (data, call(), label)
    return rows, samples


def _invoker(interpreter, conv, data):
    """A no-argument call running ``data`` once: ``{output key: array}``."""
    if conv.get("source") == "export":  # the export's file has a serving_default signature
        runner = interpreter.get_signature_runner("serving_default")
        runner(**data)  # resizes and allocates for this shape

        def call():
            if conv.get("reset_variables"):
                interpreter.reset_all_variables()
            return runner(**data)
        return call
    index = _input_index(interpreter.get_input_details(), conv["inputs"])
    for name, value in data.items():
        interpreter.resize_tensor_input(index[name], list(value.shape))
    interpreter.allocate_tensors()
    outs = interpreter.get_output_details()

    def call():
        for name, value in data.items():
            interpreter.set_tensor(index[name], value)
        interpreter.invoke()
        return dict(zip(conv["outputs"], [interpreter.get_tensor(d["index"]) for d in outs],
                        strict=True))
    return call


def _compare_with_saved_model(tf, path, samples) -> list[dict]:
    loaded, signature, _ = load(tf, path)  # `loaded` owns the variables: keep it
    checks = []
    for (batch, seq_len), (data, got, label) in samples.items():
        want = to_numpy(signature(**{k: tf.constant(v) for k, v in data.items()}))
        check = compare_outputs(want, got, "litert_report")
        checks.append({"batch": batch, "seq_len": seq_len, **label,
                       "max_abs_diff": check.max_abs_diff, "close": not check.far,
                       "mismatched": check.mismatched})
    return checks
