"""``export``: a Keras model (or a fit result) → a TF Serving version folder, atomically.

See :mod:`seqkit.serving` for the signature contract (input and output names).

Steps, all inside a hidden temporary folder ``base_path/.tmp-<version>-<pid>``:

1. trace ``serving_default`` with ``keras.export.ExportArchive`` (the model is tracked, so
   ``TextVectorization`` tables travel with it) while Keras is told no GPU is visible and
   every RNN layer has ``use_cudnn=False``: the graph gets the portable ``While`` loop,
   never ``CudnnRNNV3`` (which has no CPU kernel; keras#18504);
2. write ``assets.extra/tf_serving_warmup_requests`` and ``assets.extra/seqkit_export.json``;
3. validate: scan ``saved_model.pb`` and its function library for ``Cudnn*`` ops, load the
   folder back with ``tf.saved_model.load``, check the input/output names, run the
   signature on a sample and compare with the in-memory model, replay every warmup record;
4. ``os.rename`` the folder to ``base_path/<version>`` (atomic on one file system).

An export that fails or is killed leaves no integer folder and never touches other
versions; the next export removes temporary folders whose process is gone.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from seqkit.errors import ConfigError, DataError, ExportError, SeqkitError
from seqkit.serving import inputs as inputs_lib
from seqkit.serving import layout
from seqkit.serving import warmup as warmup_lib
from seqkit.serving.graph import dir_size, find_cudnn_ops, rnn_path

SIGNATURE_NAME = "serving_default"
METADATA_FILE = "seqkit_export.json"
METADATA_FORMAT = 1
CLASSIFICATION_TASKS = ("text_classification", "sequence_classification", "classification")
TASKS = (*CLASSIFICATION_TASKS, "forecasting", "generic")
DEFAULT_WARMUP_BATCH_SIZES = (1, 8, 32)
DEFAULT_WARMUP_SEQ_LENS = (16, 64)
PAUSE_ENV = "SEQKIT_EXPORT_TEST_PAUSE"  # "<stage>:<seconds>", stage: written | validated
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INPUT_NAME_RE = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/]*$")
_RTOL, _ATOL = 1e-4, 1e-5


@dataclass
class ExportInfo:
    """What :func:`export` wrote.

    ``path`` is the version folder (``base_path/<version>``); ``inputs``/``outputs`` map
    signature keys to ``{"dtype", "shape"}`` (``None`` = dynamic); ``rnn_path`` is the graph
    scan (``"loop"`` / ``"none"``; never ``"cudnn"``, which fails the export).
    """

    path: str
    base_path: str
    version: int
    task: str
    signature_name: str
    inputs: dict
    outputs: dict
    class_names: list | None
    warmup_records: int
    size_bytes: int
    rnn_path: dict
    params: int
    elapsed_s: float
    removed_stale: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def export(model_or_result, base_path, version=None, *, name_outputs="auto", warmup=True,
           warmup_examples=None, overwrite=False, task=None, class_names=None,
           input_signature=None, warmup_batch_sizes=DEFAULT_WARMUP_BATCH_SIZES,
           warmup_seq_lens=None) -> ExportInfo:
    """Export a model for TF Serving as ``base_path/<version>/`` and return an ExportInfo.

    Args:
        model_or_result: a built ``keras.Model`` taking raw inputs, or a fit result with
            ``.model``, ``.task``, ``.class_names`` (and ``.config``).
        base_path: the model's folder (TF Serving's ``--model_base_path``); created if
            missing; must not be a file.
        version: a non-negative integer; default: one more than the highest existing.
        name_outputs: ``"auto"`` (the task's names: ``probabilities``/``class_ids``/
            ``class_names``, ``forecast``, ``output``), a string (the single output's
            name), a list/tuple of names (one per model output, in order), a dict
            ``{keras output name: signature name}``, or ``False`` (Keras' ``output_0``...).
            Anything but ``"auto"`` exports the raw model outputs (no ``class_ids``).
        warmup: write ``assets.extra/tf_serving_warmup_requests``.
        warmup_examples: real example rows for the warmup records: an array-like (one
            input) or ``{input name: array-like}``; default: synthetic inputs of the right
            dtype (texts from the model's vocabulary).
        overwrite: replace an existing version (it is renamed away, the new one renamed in,
            then the old one deleted; a server polling in between may briefly see the
            version missing — prefer a new version for a live model); without it an
            existing version is an ExportError.
        task: override the task; default ``result.task``, else ``"classification"`` for a
            model whose last layer is a softmax (or a 1-unit sigmoid), else ``"generic"``.
        class_names: names of the classes in output order (default ``result.class_names``).
        input_signature: ``{input name: tf.TensorSpec | keras.InputSpec}`` for models without
            symbolic inputs (subclassed models); use ``None`` for batch and time.
        warmup_batch_sizes, warmup_seq_lens: the shapes of the warmup records (sequence
            lengths apply to dynamic time axes and to texts, in words).

    Raises:
        ConfigError: bad arguments (unbuilt model, bad version, bad names, ...).
        DataError: ``warmup_examples`` that do not fit the signature.
        ExportError: the folder could not be written, the version exists, or validation
            failed (cuDNN ops in the graph, outputs differ after reload, ...). Nothing was
            published then.
    """
    started = time.perf_counter()
    model, task, class_names, config = _unpack(model_or_result, task, class_names)
    _check_model(model)
    if version is not None:
        version = layout.check_version(version)
    specs = _input_specs(model, input_signature)
    naming = _OutputNaming(model, task, class_names, name_outputs)
    words = _vocabulary_sample(model)
    examples = _examples(warmup_examples, specs)
    base = _check_base_path(base_path)  # created only once the arguments are known good

    removed = layout.clean_stale_temp(base)  # first: it may restore a moved-aside version
    if version is None:
        version = layout.next_version(base)
    target = base / str(version)
    if target.exists() and not overwrite:
        raise ExportError(
            f"version {version} already exists at {str(target)!r}; pass overwrite=True to "
            f"replace it, or version=None for the next one ({layout.next_version(base)})")
    tmp = layout.temp_dir(base, version)
    if tmp.exists():
        shutil.rmtree(tmp)

    import tensorflow as tf

    def serve(feeds):
        return naming.postprocess(_call_model(model, specs, feeds))

    try:
        with cpu_portable_trace(model):
            archive = _archive()
            archive.track(model)
            tensor_specs = {name: tf.TensorSpec(s["shape"], s["dtype"], name=name)
                            for name, s in specs.items()}
            endpoint = archive.add_endpoint(SIGNATURE_NAME, serve,
                                            input_signature=[tensor_specs])
            endpoint.get_concrete_function()  # trace now, while no GPU is visible
            archive.write_out(str(tmp), verbose=False)
        _pause("written", base, version)

        model_name = base.name
        n_records = 0
        if warmup:
            batches = _warmup_batches(specs, examples, words, warmup_batch_sizes,
                                      warmup_seq_lens)
            n_records = warmup_lib.write_warmup_file(warmup_lib.warmup_path(tmp), batches,
                                                 model_name, SIGNATURE_NAME)
        sample = (inputs_lib.rows(examples, 3) if examples is not None else
                  inputs_lib.synthetic_batch(specs, 3, _sample_len(specs), seed=0, words=words))
        out_specs = _validate(tmp, specs, naming, serve, sample, warmup)
        metadata = _metadata(model, task, class_names, config, specs, out_specs, words,
                             n_records, version)
        extra = tmp / warmup_lib.ASSETS_EXTRA
        extra.mkdir(exist_ok=True)
        (extra / METADATA_FILE).write_text(json.dumps(metadata, indent=2, default=str))
        graph = rnn_path(tmp)
        _pause("validated", base, version)
        _fsync_tree(tmp)
        _publish(tmp, target, overwrite)
    except BaseException as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(err, SeqkitError) or not isinstance(err, Exception):
            raise
        raise ExportError(f"export to {str(target)!r} failed, nothing was published: "
                          f"{type(err).__name__}: {err}") from err

    return ExportInfo(
        path=str(target), base_path=str(base), version=version, task=task,
        signature_name=SIGNATURE_NAME, inputs=specs, outputs=out_specs,
        class_names=class_names, warmup_records=n_records, size_bytes=dir_size(target),
        rnn_path=graph, params=int(model.count_params()),
        elapsed_s=round(time.perf_counter() - started, 3), removed_stale=removed)


# ----------------------------------------------------------------------------- inputs


def _unpack(obj, task, class_names):
    import keras

    config = None
    if isinstance(obj, keras.Model):
        model = obj
    elif hasattr(obj, "model") and isinstance(obj.model, keras.Model):
        model = obj.model
        task = task or getattr(obj, "task", None)
        if class_names is None:
            class_names = getattr(obj, "class_names", None)
        config = getattr(obj, "config", None)
    else:
        raise ConfigError(
            f"export needs a keras.Model or a fit result with .model, got "
            f"{type(obj).__name__}")
    if task is None:
        task = "classification" if (class_names or _looks_like_classifier(model)) else "generic"
    if task not in TASKS:
        raise ConfigError(f"task must be one of {TASKS}, got {task!r}")
    if class_names is not None:
        class_names = [str(c) for c in class_names]
    return model, task, class_names, config


def _looks_like_classifier(model) -> bool:
    import keras

    outputs = _symbolic_outputs(model)
    if not outputs or len(outputs) != 1 or len(outputs[0].shape) != 2:
        return False
    last = model.layers[-1] if model.layers else None
    if isinstance(last, keras.layers.Softmax):
        return True
    activation = getattr(last, "activation", None)
    name = getattr(activation, "__name__", "")
    units = outputs[0].shape[-1]
    return name == "softmax" or (name == "sigmoid" and units == 1)


def _symbolic_outputs(model):
    """The functional outputs (KerasTensors), or None for a subclassed model."""
    try:
        outputs = model.outputs
    except (AttributeError, ValueError):
        return None
    if not outputs:
        return None
    import keras

    return outputs if all(isinstance(o, keras.KerasTensor) for o in outputs) else None


def _check_model(model):
    if not model.built:
        raise ConfigError(
            f"model {model.name!r} is not built: build it (call it on a batch, or give it a "
            f"keras.Input) before exporting")


def _check_base_path(base_path) -> Path:
    if not isinstance(base_path, (str, os.PathLike)):
        raise ConfigError(f"base_path must be a path, got {type(base_path).__name__}")
    base = Path(base_path).expanduser().absolute()
    if base.exists() and not base.is_dir():
        raise ExportError(f"base_path {str(base)!r} is a file; it must be a folder "
                          f"(TF Serving's --model_base_path)")
    for parent in base.parents:
        if parent.exists() and not parent.is_dir():
            raise ExportError(f"cannot create {str(base)!r}: {str(parent)!r} is a file")
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"cannot create base_path {str(base)!r}: {err}") from err
    if not os.access(base, os.W_OK):
        raise ExportError(f"base_path {str(base)!r} is not writable")
    return base


def _input_specs(model, input_signature) -> dict:
    """``{name: {"dtype", "shape"}}`` with a dynamic batch axis."""
    specs = {}
    if input_signature is not None:
        if not isinstance(input_signature, dict) or not input_signature:
            raise ConfigError("input_signature must be a non-empty {name: TensorSpec} dict")
        for name, spec in input_signature.items():
            shape = getattr(spec, "shape", None)
            dtype = getattr(spec, "dtype", None)
            if shape is None or dtype is None:
                raise ConfigError(f"input_signature[{name!r}] has no shape/dtype: {spec!r}")
            shape = list(shape.as_list() if hasattr(shape, "as_list") else shape)
            specs[name] = {"dtype": _dtype_name(dtype), "shape": [None, *shape[1:]]}
    else:
        inputs = None
        with contextlib.suppress(AttributeError, ValueError):
            inputs = model.inputs
        if not inputs:
            raise ConfigError(
                f"model {model.name!r} has no symbolic inputs (a subclassed model?); pass "
                f"input_signature={{'name': tf.TensorSpec([None, None, F], 'float32')}}")
        for tensor in inputs:
            specs[tensor.name] = {"dtype": _dtype_name(tensor.dtype),
                                  "shape": [None, *list(tensor.shape)[1:]]}
    for name, spec in specs.items():
        if not _INPUT_NAME_RE.match(name):
            raise ConfigError(f"input name {name!r} is not a valid tensor name; name the "
                              f"keras.Input (e.g. 'text', 'window', 'sequence')")
        if not spec["shape"]:
            raise ConfigError(f"input {name!r} is a scalar; inputs need a batch axis")
    return specs


def _dtype_name(dtype) -> str:
    name = getattr(dtype, "name", None) or str(dtype)
    return "string" if name in ("string", "str", "object") else name


def _call_model(model, specs, feeds):
    names = list(specs)
    if len(names) == 1:
        x = feeds[names[0]]
    else:
        x = [feeds[n] for n in names]
    return model(x, training=False)


class _OutputNaming:
    """Turns the model's outputs into the signature's named outputs."""

    def __init__(self, model, task, class_names, name_outputs):
        self.task = task
        self.class_names = class_names
        self.mode = name_outputs
        outputs = _symbolic_outputs(model)
        self.n_outputs = len(outputs) if outputs else None
        self.keras_names = list(getattr(model, "output_names", None) or [])
        if name_outputs == "auto":
            if task in CLASSIFICATION_TASKS:
                if outputs is not None and (len(outputs) != 1 or len(outputs[0].shape) != 2):
                    raise ConfigError(
                        f"task {task!r} needs one output of shape [B, classes]; the model "
                        f"has {[tuple(o.shape) for o in outputs]}; pass task='generic'")
                if class_names is not None and outputs is not None:
                    n = outputs[0].shape[-1]
                    n = 2 if n == 1 else n
                    if len(class_names) != n:
                        raise ConfigError(f"{len(class_names)} class_names for {n} classes")
            self.names = None
        elif name_outputs is False or name_outputs is None:
            self.names = None
        elif isinstance(name_outputs, str):
            self._check_names([name_outputs])
            if self.n_outputs not in (None, 1):
                raise ConfigError(f"name_outputs={name_outputs!r} names one output, the model "
                                  f"has {self.n_outputs}; pass a list or dict")
            self.names = [name_outputs]
        elif isinstance(name_outputs, dict):
            self._check_names(list(name_outputs.values()))
            missing = set(name_outputs) - set(self.keras_names)
            if missing:
                raise ConfigError(f"name_outputs keys {sorted(missing)} are not model outputs "
                                  f"{self.keras_names}")
            self.names = [name_outputs.get(k, k) for k in self.keras_names]
        elif isinstance(name_outputs, (list, tuple)):
            self._check_names(list(name_outputs))
            if self.n_outputs is not None and len(name_outputs) != self.n_outputs:
                raise ConfigError(f"{len(name_outputs)} names for {self.n_outputs} outputs")
            self.names = list(name_outputs)
        else:
            raise ConfigError("name_outputs must be 'auto', a name, a list or dict of names, "
                              f"or False; got {name_outputs!r}")

    @staticmethod
    def _check_names(names):
        for name in names:
            if not isinstance(name, str) or not _NAME_RE.match(name):
                raise ConfigError(f"output name {name!r} must match [A-Za-z_][A-Za-z0-9_]*")
        if len(set(names)) != len(names):
            raise ConfigError(f"output names must be unique, got {names}")

    def expected(self) -> list[str] | None:
        if self.mode == "auto":
            if self.task in CLASSIFICATION_TASKS:
                return ["probabilities", "class_ids"] + (
                    ["class_names"] if self.class_names else [])
            if self.task == "forecasting":
                return ["forecast"]
            return ["output"] if self.n_outputs in (None, 1) else None
        return self.names

    def postprocess(self, y):
        import tensorflow as tf

        flat = list(y.values()) if isinstance(y, dict) else (
            list(y) if isinstance(y, (list, tuple)) else [y])
        if self.mode is False or self.mode is None:
            return y
        if self.mode != "auto":
            return dict(zip(self.names, flat, strict=True))
        if self.task in CLASSIFICATION_TASKS:
            probs = tf.cast(flat[0], tf.float32)
            if probs.shape[-1] == 1:
                probs = tf.concat([1.0 - probs, probs], axis=-1)
            ids = tf.argmax(probs, axis=-1, output_type=tf.int64)
            out = {"probabilities": probs, "class_ids": ids}
            if self.class_names:
                out["class_names"] = tf.gather(tf.constant(self.class_names), ids)
            return out
        if self.task == "forecasting":
            value = flat[0]
            if value.dtype.is_floating and value.dtype != tf.float32:
                value = tf.cast(value, tf.float32)
            return {"forecast": value}
        if len(flat) == 1:
            return {"output": flat[0]}
        if isinstance(y, dict):
            return dict(y)
        names = self.keras_names if len(self.keras_names) == len(flat) else [
            f"output_{i}" for i in range(len(flat))]
        return dict(zip(names, flat, strict=True))


def _examples(warmup_examples, specs):
    if warmup_examples is None:
        return None
    if isinstance(warmup_examples, dict):
        unknown = set(warmup_examples) - set(specs)
        missing = set(specs) - set(warmup_examples)
        if unknown or missing:
            raise DataError(f"warmup_examples keys {sorted(warmup_examples)} must be the "
                            f"signature inputs {sorted(specs)}")
        arrays = {n: inputs_lib.as_input_array(warmup_examples[n], specs[n], n) for n in specs}
    else:
        if len(specs) != 1:
            raise DataError(f"the model has inputs {sorted(specs)}; give warmup_examples "
                            f"as a dict {{name: rows}}")
        name = next(iter(specs))
        arrays = {name: inputs_lib.as_input_array(warmup_examples, specs[name], name)}
    counts = {len(a) for a in arrays.values()}
    if len(counts) != 1:
        raise DataError(f"warmup_examples inputs have different row counts {sorted(counts)}")
    return arrays


def _vocabulary_sample(model, limit: int = 200) -> list[str] | None:
    import keras

    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, (keras.layers.TextVectorization, keras.layers.StringLookup)):
            try:
                vocab = layer.get_vocabulary()
            except Exception:  # noqa: BLE001 - an unadapted layer
                continue
            words = [w.decode() if isinstance(w, bytes) else str(w) for w in vocab]
            words = [w for w in words if w and w != "[UNK]" and " " not in w]
            if words:
                return words[:limit]
    return None


def _sample_len(specs) -> int:
    return inputs_lib.effective_seq_len(specs, 7)


def _warmup_batches(specs, examples, words, batch_sizes, seq_lens):
    batch_sizes = [int(b) for b in batch_sizes]
    if not batch_sizes or min(batch_sizes) < 1:
        raise ConfigError(f"warmup_batch_sizes must be positive integers, got {batch_sizes}")
    if examples is not None:
        return [inputs_lib.rows(examples, b, start=i) for i, b in enumerate(batch_sizes)]
    if seq_lens is None:
        seq_lens = DEFAULT_WARMUP_SEQ_LENS
    has_dynamic_time = inputs_lib.is_text(specs) or any(
        inputs_lib.fixed_time(s) is None and len(s["shape"]) >= 2 for s in specs.values())
    lens = [int(t) for t in seq_lens] if has_dynamic_time else [_sample_len(specs)]
    batches = []
    for i, b in enumerate(batch_sizes):
        for j, t in enumerate(lens):
            batches.append(inputs_lib.synthetic_batch(specs, b, t, seed=100 + 10 * i + j,
                                                      words=words))
    return batches


# ---------------------------------------------------------------------------- tracing


def _archive():
    import keras

    return keras.export.ExportArchive()


@contextlib.contextmanager
def cpu_portable_trace(model=None):
    """Trace as if no GPU were visible, so RNN layers take the portable ``While`` loop.

    Keras' TensorFlow backend decides at trace time (``cudnn_ok`` → ``_is_gpu_available``)
    whether ``LSTM``/``GRU`` (and seqkit's layers, which ask the same function) emit
    ``CudnnRNNV3``; that op has no CPU kernel. Inside this context the check answers False
    and every RNN layer of ``model`` has ``use_cudnn=False``; both are restored afterwards.
    Not thread-safe (it patches a module attribute).
    """
    rnn_module = importlib.import_module("keras.src.backend.tensorflow.rnn")
    saved_check = rnn_module._is_gpu_available
    saved_flags = []
    if model is not None:
        for layer in model._flatten_layers(include_self=False):
            if hasattr(layer, "use_cudnn") and layer.use_cudnn is not False:
                saved_flags.append((layer, layer.use_cudnn))
    rnn_module._is_gpu_available = lambda: False
    try:
        for layer, _ in saved_flags:
            layer.use_cudnn = False
        yield
    finally:
        rnn_module._is_gpu_available = saved_check
        for layer, flag in saved_flags:
            layer.use_cudnn = flag


# ------------------------------------------------------------------------- validation


def _validate(tmp, specs, naming, serve, sample, check_warmup) -> dict:
    import tensorflow as tf

    cudnn = find_cudnn_ops(tmp)
    if cudnn:
        raise ExportError(
            f"the exported graph contains cuDNN ops {cudnn}, which need a GPU: the SavedModel "
            f"would not run on CPU-only TensorFlow / TF Serving (keras#18504). Trace with no "
            f"GPU visible (CUDA_VISIBLE_DEVICES='') or use_cudnn=False on the RNN layers")
    loaded = tf.saved_model.load(str(tmp))
    signature = loaded.signatures.get(SIGNATURE_NAME)
    if signature is None:
        raise ExportError(f"the reloaded SavedModel has no {SIGNATURE_NAME!r} signature "
                          f"(has {list(loaded.signatures)})")
    in_keys = set(signature.structured_input_signature[1])
    if in_keys != set(specs):
        raise ExportError(f"signature inputs {sorted(in_keys)} != expected {sorted(specs)}")
    expected = naming.expected()
    out_keys = list(signature.structured_outputs)
    if expected is not None and set(out_keys) != set(expected):
        raise ExportError(f"signature outputs {sorted(out_keys)} != expected {sorted(expected)}")

    feeds = {k: tf.constant(v) for k, v in sample.items()}
    got = {k: v.numpy() for k, v in signature(**feeds).items()}
    want = serve(feeds)
    if isinstance(want, (list, tuple)):
        want = {f"output_{i}": w for i, w in enumerate(want)}
    elif not isinstance(want, dict):
        want = {out_keys[0]: want}
    for key, value in want.items():
        key = key if key in got else out_keys[0]
        _compare(key, np.asarray(value), got[key])
    if check_warmup:
        try:
            warmup_lib.replay(signature, tmp)
        except Exception as err:
            raise ExportError(f"a warmup record failed in the reloaded model: {err}") from err
    out_specs = {}
    for key, spec in signature.structured_outputs.items():
        out_specs[key] = {"dtype": _dtype_name(spec.dtype), "shape": spec.shape.as_list()}
    return dict(sorted(out_specs.items()))


def _compare(key, want, got):
    if want.shape != got.shape:
        raise ExportError(f"output {key!r}: shape {got.shape} after reload, {want.shape} before")
    if want.dtype.kind in "fc":
        if not np.allclose(want, got, rtol=_RTOL, atol=_ATOL, equal_nan=True):
            diff = float(np.nanmax(np.abs(want.astype(np.float64) - got)))
            raise ExportError(f"output {key!r} differs after reload (max |diff| {diff:.3g})")
    elif not np.array_equal(want, got):
        raise ExportError(f"output {key!r} differs after reload")


def _metadata(model, task, class_names, config, specs, out_specs, words, n_records, version):
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
        "signature_name": SIGNATURE_NAME,
        "inputs": specs,
        "outputs": out_specs,
        "class_names": class_names,
        "params": int(model.count_params()),
        "rnn_layers": rnn_layer_summary(model),
        "text_vectorization": _text_vectorization_summary(model),
        "sample_words": words,
        "warmup_records": n_records,
        "config": _jsonable(config),
    }


def rnn_layer_summary(model) -> list[dict]:
    """Every recurrent layer: units, states, sequence output, input width, dtype bytes."""
    import keras

    rows = []
    for layer in model._flatten_layers(include_self=False):
        if not isinstance(layer, keras.layers.RNN):
            continue
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


def _text_vectorization_summary(model) -> list[dict]:
    """``output_sequence_length`` (fixed token count, or None) of each TextVectorization."""
    import keras

    rows = []
    for layer in model._flatten_layers(include_self=False):
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


# -------------------------------------------------------------------------- publishing


def _pause(stage, base, version):
    """Test hook: ``SEQKIT_EXPORT_TEST_PAUSE=<stage>:<seconds>`` sleeps at that stage,
    with a marker file ``.tmp-<version>-<pid>.paused`` beside the temporary folder."""
    value = os.environ.get(PAUSE_ENV, "")
    if not value.startswith(stage + ":"):
        return
    marker = Path(str(layout.temp_dir(base, version)) + ".paused")
    marker.write_text(stage)
    print(f"seqkit export paused at {stage}: {marker}", file=sys.stderr, flush=True)
    try:
        time.sleep(float(value.split(":", 1)[1]))
    finally:
        marker.unlink(missing_ok=True)


def _fsync_tree(path):
    for root, dirs, files in os.walk(path):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        for name in [*dirs, "."]:
            _fsync_dir(os.path.join(root, name))


def _fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _publish(tmp: Path, target: Path, overwrite: bool):
    old = None
    if target.exists():
        if not overwrite:
            raise ExportError(f"version folder {str(target)!r} appeared during the export")
        old = target.parent / f".old-{target.name}-{os.getpid()}"
        if old.exists():
            shutil.rmtree(old)
        os.rename(target, old)
    try:
        os.rename(tmp, target)
    except OSError as err:
        if old is not None and not target.exists():
            os.rename(old, target)
        raise ExportError(f"could not publish {str(target)!r}: {err}") from err
    _fsync_dir(str(target.parent))
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
