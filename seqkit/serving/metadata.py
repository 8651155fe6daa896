"""``assets.extra/seqkit_export.json``: what an export knows that the graph does not say.

:func:`seqkit.serving.export` writes it into every version folder; :func:`seqkit.report`
and its measuring workers read it (the task, class names, the RNN layers for the activation
estimate, words for synthetic texts). This module is the one place that names the file:
everything reads and writes it through :func:`read_metadata` / :func:`write_metadata`.
TF Serving ignores it (``assets.extra`` is copied, not loaded).

Fields (format 1): ``format``, ``seqkit_version``, ``tensorflow_version``,
``keras_version``, ``created_unix``, ``model_name``, ``version``, ``task``,
``signature_name``, ``inputs`` / ``outputs`` (``{name: {"dtype", "shape"}}``),
``class_names``, ``quantile_levels`` (a quantile forecaster's levels, else null),
``params``, ``rnn_layers`` (:func:`rnn_layer_summary`),
``text_vectorization`` (:func:`text_vectorization_summary`), ``sample_words``,
``warmup_records``, ``config`` (the fit result's config, JSON-able), ``streaming`` (the
streaming signature ``serving_step``: its inputs, outputs and states, or
``{"available": false, "reason": ...}``; see :mod:`seqkit.serving.step`), ``trace`` (the
gate-trace signature ``serving_trace``: its output keys → layer, gate, units; see
:mod:`seqkit.serving.trace_export`), ``litert`` (``export(..., litert=True)``: the
``assets.extra/model.tflite`` file, its size, interpreter, ops and difference to the
SavedModel, or ``{"available": false, "reason": ...}``; null when not asked; see
:mod:`seqkit.serving.litert`).

Reading it needs neither TensorFlow nor Keras.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from seqkit.serving.layout import ASSETS_EXTRA

METADATA_FILE = "seqkit_export.json"
METADATA_FORMAT = 1


def metadata_path(version_dir) -> Path:
    """Where the metadata of a version folder lies.

    Args:
        version_dir: a version folder (``base_path/<version>``).

    Returns:
        ``version_dir/assets.extra/seqkit_export.json``.

    Example:

    >>> metadata_path("models/gru/1").as_posix()
    'models/gru/1/assets.extra/seqkit_export.json'
    """
    return Path(version_dir) / ASSETS_EXTRA / METADATA_FILE


def write_metadata(version_dir, metadata: dict) -> Path:
    """Write ``metadata`` as indented JSON into ``version_dir`` (non-JSON values as text).

    Args:
        version_dir: the version folder being written.
        metadata: the fields (see the module docstring; :func:`export_metadata` builds them).

    Returns:
        The file written.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = write_metadata(tmp.name, {"format": 1, "task": "forecasting"})
    >>> path.relative_to(tmp.name).as_posix()
    'assets.extra/seqkit_export.json'
    >>> read_metadata(tmp.name)
    {'format': 1, 'task': 'forecasting'}
    >>> tmp.cleanup()
    """
    path = metadata_path(version_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(metadata, indent=2, default=str))
    return path


def read_metadata(version_dir) -> dict:
    """The metadata of a version folder; ``{}`` when it is missing or unreadable.

    A SavedModel exported by something else than seqkit has none; readers then fall back
    to what the signature says.

    Args:
        version_dir: a version folder.

    Returns:
        The parsed JSON object, or ``{}``.

    Example:

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as version_dir:
    ...     read_metadata(version_dir)
    {}
    """
    try:
        return json.loads(metadata_path(version_dir).read_text())
    except (OSError, ValueError):
        return {}


def export_metadata(model, *, version: int, task: str, class_names, config, inputs: dict,
                    outputs: dict, sample_words, warmup_records: int,
                    signature_name: str = "serving_default", quantile_levels=None,
                    streaming=None, trace=None, litert=None) -> dict:
    """The metadata fields of one export (format :data:`METADATA_FORMAT`).

    Args:
        model: the exported ``keras.Model``.
        version: the version number.
        task: the export's task (``"forecasting"``, ``"classification"``, ...).
        class_names: the class names in output order, or ``None``.
        config: the fit result's config (made JSON-able), or ``None``.
        inputs: the signature's input specs ``{name: {"dtype", "shape"}}``.
        outputs: the signature's output specs.
        sample_words: words of the model's vocabulary (for synthetic texts), or ``None``.
        warmup_records: how many warmup records were written.
        signature_name: the signature's key.
        quantile_levels: a quantile forecaster's levels (the ``Q`` axis of its
            ``quantiles [B, horizon, Q, targets]`` output), or ``None``.
        streaming: the ``serving_step`` entry
            (:meth:`seqkit.serving.step.StepSignature.metadata`), or ``None``.
        trace: the ``serving_trace`` entry
            (:func:`seqkit.serving.trace_export.trace_metadata`), or ``None``.
        litert: the LiteRT entry
            (:func:`seqkit.serving.litert.write_litert`), or ``None``.

    Returns:
        A JSON-able dict.

    Example:

    >>> import keras
    >>> model = keras.Sequential([keras.Input((None, 3)), keras.layers.GRU(2)])
    >>> meta = export_metadata(model, version=1, task="generic", class_names=None,
    ...                        config={"cell": "gru"}, inputs={}, outputs={},
    ...                        sample_words=None, warmup_records=0)
    >>> meta["params"], [layer["units"] for layer in meta["rnn_layers"]]
    (42, [2])
    """
    import keras
    import tensorflow as tf

    import seqkit

    return {
        "format": METADATA_FORMAT,
        "seqkit_version": seqkit.__version__,
        "tensorflow_version": tf.__version__,
        "keras_version": keras.__version__,
        "created_unix": round(time.time(), 3),
        "model_name": model.name,
        "version": version,
        "task": task,
        "signature_name": signature_name,
        "inputs": inputs,
        "outputs": outputs,
        "class_names": class_names,
        "quantile_levels": None if quantile_levels is None else [float(q) for q in
                                                                 quantile_levels],
        "params": int(model.count_params()),
        "rnn_layers": rnn_layer_summary(model),
        "text_vectorization": text_vectorization_summary(model),
        "sample_words": sample_words,
        "warmup_records": warmup_records,
        "streaming": streaming,
        "trace": trace,
        "litert": litert,
        "config": _jsonable(config),
    }


def rnn_layer_summary(model) -> list[dict]:
    """Every recurrent layer: units, states, sequence output, input width, dtype bytes.

    Args:
        model: a built ``keras.Model``.

    Returns:
        One dict per ``keras.layers.RNN`` (nested ones included, in model order):
        ``name``, ``class``, ``units``, ``n_states``, ``return_sequences``,
        ``go_backwards``, ``input_dim``, ``dtype_bytes``.

    Example:

    >>> import keras
    >>> model = keras.Sequential([keras.Input((None, 3)), keras.layers.LSTM(4)])
    >>> row, = rnn_layer_summary(model)
    >>> row["class"], row["units"], row["n_states"], row["input_dim"], row["dtype_bytes"]
    ('LSTM', 4, 2, 3, 4)
    """
    from seqkit.layers.walk import rnn_layers

    rows = []
    for layer in rnn_layers(model):
        cell = layer.cell
        state_size = cell.state_size
        n_states = len(state_size) if isinstance(state_size, (list, tuple)) else 1
        kernel = getattr(cell, "kernel", None)
        rows.append({
            "name": layer.name, "class": type(layer).__name__,
            "units": int(getattr(cell, "units", 0) or 0), "n_states": n_states,
            "return_sequences": bool(layer.return_sequences),
            "go_backwards": bool(layer.go_backwards),
            "input_dim": int(kernel.shape[0]) if kernel is not None else None,
            "dtype_bytes": int(np.dtype(layer.compute_dtype).itemsize),
        })
    return rows


def text_vectorization_summary(model) -> list[dict]:
    """Every ``TextVectorization`` layer: fixed token count, vocabulary size.

    Args:
        model: a built ``keras.Model``.

    Returns:
        One dict per layer: ``name``, ``output_sequence_length`` (``None``: as many tokens
        as words), ``max_tokens``, ``vocabulary_size``.

    Example:

    >>> import keras
    >>> vectorize = keras.layers.TextVectorization(output_sequence_length=5)
    >>> vectorize.adapt(["a good film", "a dull one"])
    >>> model = keras.Sequential([keras.Input((), dtype="string"), vectorize])
    >>> text_vectorization_summary(model)[0]["output_sequence_length"]
    5
    """
    import keras

    from seqkit.layers.walk import nested_layers

    rows = []
    for layer in nested_layers(model):
        if isinstance(layer, keras.layers.TextVectorization):
            config = layer.get_config()
            rows.append({"name": layer.name,
                         "output_sequence_length": config.get("output_sequence_length"),
                         "max_tokens": config.get("max_tokens"),
                         "vocabulary_size": int(layer.vocabulary_size())})
    return rows


def _jsonable(value):
    if value is None:
        return None
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return str(value)
