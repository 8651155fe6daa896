"""``export``: a Keras model (or a fit result) → a TF Serving version folder, atomically.

See :mod:`seqkit.serving` for the signature contract (input and output names).

Steps, all inside a hidden temporary folder ``base_path/.tmp-<version>-<pid>``:

1. check the arguments (:func:`_read_arguments`) and reserve the version
   (:func:`_reserve_version`: stale leftovers removed, the next free integer);
2. trace ``serving_default`` and the endpoints' signatures as if no GPU were visible and
   write the SavedModel (:func:`seqkit.serving.portable.write_saved_model`), then
   ``assets.extra/tf_serving_warmup_requests`` (:mod:`seqkit.serving.warmup`);
3. verify the folder (:func:`seqkit.serving.verify.verify_export`: no ``Cudnn*`` op,
   reload, same outputs, warmup replay; then each endpoint's checks), let the endpoints
   write their files and write ``assets.extra/seqkit_export.json``
   (:mod:`seqkit.serving.metadata`);
4. flush and rename the folder to ``base_path/<version>`` (:func:`seqkit.serving.layout.
   publish`; atomic on one file system).

The endpoints (:mod:`seqkit.serving.endpoint`) are what an export adds beside
``serving_default``, each taking part in the stages it needs: the streaming
``serving_step`` where the model decomposes step-wise
(:class:`seqkit.serving.step.StepEndpoint`), the gate traces ``serving_trace`` when
asked (:class:`seqkit.serving.trace_export.TraceEndpoint`) and, with ``litert=True``,
``assets.extra/model.tflite`` checked against the SavedModel
(:class:`seqkit.serving.litert.LitertEndpoint`).

An export that fails or is killed leaves no integer folder and never touches other
versions; the next export removes temporary folders whose process is gone.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from seqkit.errors import ConfigError, ExportError, SeqkitError
from seqkit.serving import layout, litert, portable, trace_export
from seqkit.serving import metadata as metadata_lib
from seqkit.serving import signature as signature_lib
from seqkit.serving import warmup as warmup_lib
from seqkit.serving.endpoint import Endpoint
from seqkit.serving.signature import (
    SIGNATURE_NAME,
    OutputNaming,
    input_specs,
    output_kind,
    serving_function,
    symbolic_outputs,
    vocabulary_sample,
)
from seqkit.serving.step import StepEndpoint, prepare_step
from seqkit.serving.verify import dir_size, reload_sample, rnn_path, verify_export
from seqkit.serving.warmup import DEFAULT_WARMUP_BATCH_SIZES
from seqkit.validation import check_bool, fail

__all__ = ["SIGNATURE_NAME", "ExportInfo", "export"]


@dataclass
class ExportInfo:
    """What :func:`export` wrote.

    Attributes:
        path: the version folder (``base_path/<version>``).
        base_path: the model's folder (absolute).
        version: the version number.
        task: the task the outputs were named for.
        signature_name: ``"serving_default"``.
        inputs, outputs: ``{signature key: {"dtype", "shape"}}`` (``None`` = dynamic).
        class_names: the class names in output order, or ``None``.
        warmup_records: records in ``assets.extra/tf_serving_warmup_requests``.
        size_bytes: bytes on disk of the version folder.
        rnn_path: the graph scan (:func:`seqkit.serving.verify.rnn_path`; ``"loop"`` or
            ``"none"``, never ``"cudnn"``, which fails the export).
        params: the model's parameter count.
        elapsed_s: seconds the export took.
        removed_stale: leftovers of killed exports removed first.
        streaming: the streaming signature ``serving_step`` (its inputs, outputs and
            states), or ``{"available": False, "reason": ...}``; as in the metadata.
        litert: the LiteRT file (``litert=True``; path, size, interpreter, ops, max abs
            difference) or ``{"available": False, "reason": ...}``; ``{}`` when not asked.

    Example:

    >>> info = ExportInfo(path="m/1", base_path="m", version=1, task="generic",
    ...                   signature_name="serving_default", inputs={}, outputs={},
    ...                   class_names=None, warmup_records=0, size_bytes=0, rnn_path={},
    ...                   params=0, elapsed_s=0.0)
    >>> info.to_dict()["version"]
    1
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
    streaming: dict = field(default_factory=dict)
    litert: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The fields as a plain dict (JSON-able).

        Returns:
            ``dataclasses.asdict(self)``.

        Example:

        >>> sorted(ExportInfo("m/1", "m", 1, "generic", "serving_default", {}, {}, None,
        ...                   0, 0, {}, 0, 0.0).to_dict())[:3]
        ['base_path', 'class_names', 'elapsed_s']
        """
        return asdict(self)


def export(model_or_result, base_path, version=None, *, name_outputs="auto", warmup=True,
           warmup_examples=None, overwrite=False, task=None, class_names=None,
           input_signature=None, warmup_batch_sizes=DEFAULT_WARMUP_BATCH_SIZES,
           warmup_seq_lens=None, step_signature=True, step_warmup=True,
           trace_signature=False, litert=False, on_stage=None) -> ExportInfo:
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
        warmup_batch_sizes: the batch sizes of the warmup records (positive integers).
        warmup_seq_lens: the sequence lengths of the synthetic warmup records (time steps
            of a dynamic time axis, or words for texts); default ``(16, 64)``; unused with
            ``warmup_examples`` and for models that fix their length.
        step_signature: add the streaming signature ``serving_step`` (new steps and the
            RNN states in, outputs at the last step and new states out;
            :mod:`seqkit.serving.step`) when the model decomposes step-wise; a model that
            does not gets none, and ``ExportInfo.streaming`` / the metadata say why.
        step_warmup: also write warmup records for ``serving_step`` (batch sizes × 1 and
            8 new steps, zero states) after ``serving_default``'s, so TF Serving, which
            runs each record against the signature it names, warms both up before the
            version takes traffic. Step records beyond TF Serving's 1000 are left out
            (``ExportInfo.streaming["warmup_records"]`` says how many were written).
        trace_signature: add the gate-trace signature ``serving_trace`` (the inputs of
            ``serving_default``; every gate of every RNN layer per step, ``[B, T, units]``,
            equal to :func:`seqkit.trace_gates`; keys and layers in the metadata's
            ``trace`` entry; warmup records too; :mod:`seqkit.serving.trace_export`). A
            model it cannot trace is a ConfigError saying why.
        litert: also write ``assets.extra/model.tflite`` (LiteRT, batch 1, dynamic time;
            :mod:`seqkit.serving.litert`), inside the version so the atomic publish
            covers it, after checking it against ``serving_default`` on the export's
            sample (<= 1e-4). A model it cannot convert or match (raw text, ...) gets no
            file, a warning and ``ExportInfo.litert == {"available": False, "reason": ...}``.
        on_stage: called as ``on_stage(stage, folder)`` when the export reaches a stage,
            e.g. to show progress: ``"written"`` (the SavedModel is in the hidden
            temporary folder ``folder``) and ``"validated"`` (every check passed, about to
            publish). An exception it raises aborts the export; nothing is published.

    Returns:
        An :class:`ExportInfo` (the version folder, its signature, sizes, the graph scan).

    Raises:
        ConfigError: bad arguments (unbuilt model, bad version, bad names, ...).
        DataError: ``warmup_examples`` that do not fit the signature.
        ExportError: the folder could not be written, the version exists, or validation
            failed (cuDNN ops in the graph, outputs differ after reload, ...). Nothing was
            published then.

    Example:

    >>> import tempfile, keras, seqkit
    >>> inp = keras.Input((None, 3), name="window")
    >>> model = keras.Model(inp, keras.layers.Dense(1)(seqkit.ExplicitGRU(2)(inp)))
    >>> tmp = tempfile.TemporaryDirectory()
    >>> info = export(model, f"{tmp.name}/gru", task="forecasting")
    >>> info.version, info.inputs, info.outputs
    (1, {'window': {'dtype': 'float32', 'shape': [None, None, 3]}}, \
{'forecast': {'dtype': 'float32', 'shape': [None, 1]}})
    >>> info.warmup_records, info.streaming["warmup_records"], info.rnn_path["path"]
    (12, 6, 'loop')
    >>> info.streaming["signature_name"], list(info.streaming["inputs"])
    ('serving_step', ['window', 'rnn_0_h'])
    >>> export(model, f"{tmp.name}/gru", warmup=False).version
    2
    >>> tmp.cleanup()
    """
    started = time.perf_counter()
    job = _read_arguments(model_or_result, base_path, version, task=task,
                          class_names=class_names, name_outputs=name_outputs,
                          input_signature=input_signature, warmup_examples=warmup_examples,
                          step_signature=step_signature, step_warmup=step_warmup,
                          trace_signature=trace_signature, litert=litert, on_stage=on_stage)
    version, target, tmp, removed = _reserve_version(job.base, job.version, overwrite)
    try:
        out_specs, n_records, entries = _write_version(job, tmp, version, warmup,
                                                       warmup_batch_sizes, warmup_seq_lens)
        graph = rnn_path(tmp)
        job.on_stage("validated", tmp)
        layout.fsync_tree(tmp)
        layout.publish(tmp, target, overwrite)
    except BaseException as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(err, SeqkitError) or not isinstance(err, Exception):
            raise
        raise ExportError(f"export to {str(target)!r} failed, nothing was published: "
                          f"{type(err).__name__}: {err}") from err

    return ExportInfo(
        path=str(target), base_path=str(job.base), version=version, task=job.task,
        signature_name=SIGNATURE_NAME, inputs=job.specs, outputs=out_specs,
        class_names=job.class_names, warmup_records=n_records, size_bytes=dir_size(target),
        rnn_path=graph, params=int(job.model.count_params()),
        elapsed_s=round(time.perf_counter() - started, 3), removed_stale=removed,
        streaming=entries["streaming"], litert=entries["litert"] or {})


# ------------------------------------------------------------------------------ steps


@dataclass
class _Job:
    """The checked arguments of one export."""

    model: object
    task: str
    class_names: list | None
    config: object
    version: int | None
    specs: dict
    naming: OutputNaming
    words: list | None
    examples: dict | None
    base: Path
    step_signature: bool = True
    step_warmup: bool = True
    trace: object = None  # trace_export.TraceSignature, or None
    litert: bool = False
    on_stage: object = None  # on_stage(stage, folder), a no-op when not given


def _read_arguments(model_or_result, base_path, version, *, task, class_names, name_outputs,
                    input_signature, warmup_examples, step_signature=True,
                    step_warmup=True, trace_signature=False, litert=False,
                    on_stage=None) -> _Job:
    """Check every argument; the base path is created only once they are known good."""
    model, task, class_names, config = _model_and_task(model_or_result, task, class_names)
    _check_built(model)
    if version is not None:
        version = layout.check_version(version)
    specs = input_specs(model, input_signature)
    naming = OutputNaming(model, task, class_names, name_outputs)
    words = vocabulary_sample(model)
    examples = signature_lib.example_arrays(warmup_examples, specs)
    step_signature = check_bool("step_signature", step_signature)
    step_warmup = check_bool("step_warmup", step_warmup)
    trace = trace_export.prepare_trace(model, specs,
                                       check_bool("trace_signature", trace_signature))
    litert = check_bool("litert", litert)
    if on_stage is not None and not callable(on_stage):
        fail("on_stage", "a callable on_stage(stage, folder) or None", on_stage)
    base = layout.prepare_base_path(base_path)
    return _Job(model=model, task=task, class_names=class_names, config=config,
                version=version, specs=specs, naming=naming, words=words, examples=examples,
                base=base, step_signature=step_signature, step_warmup=step_warmup,
                trace=trace, litert=litert, on_stage=on_stage or _no_stage)


def _no_stage(stage: str, folder: Path):
    """The default ``on_stage``: nothing to report."""


def _reserve_version(base: Path, version, overwrite) -> tuple[int, Path, Path, list]:
    """``(version, target folder, temporary folder, stale leftovers removed)``."""
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
    return version, target, tmp, removed


def _endpoints(job: _Job, serve) -> list[Endpoint]:
    """The export's endpoints beside ``serving_default``, in signature order."""
    step = prepare_step(job.model, job.specs, job.naming, job.step_signature)
    return [StepEndpoint(step, job.step_warmup),
            trace_export.TraceEndpoint(job.model, job.trace),
            litert.LitertEndpoint(job.model, job.specs, serve, job.litert)]


def _write_version(job: _Job, tmp: Path, version: int, warmup: bool, batch_sizes,
                   seq_lens) -> tuple[dict, int, dict]:
    """Write and verify the version in ``tmp``; ``(output specs, records, endpoint entries)``.

    The core writes ``serving_default`` and calls every endpoint at each stage
    (:mod:`seqkit.serving.endpoint`).
    """
    serve = serving_function(job.model, job.specs, job.naming)
    sample = reload_sample(job.specs, job.examples, job.words)
    endpoints = _endpoints(job, serve)
    portable.write_saved_model(tmp, job.model, job.specs, serve, endpoints, sample)
    job.on_stage("written", tmp)
    n_records = _write_warmup(job, tmp, endpoints, batch_sizes, seq_lens) if warmup else 0
    out_specs = verify_export(tmp, job.specs, job.naming, serve, sample, warmup)
    for endpoint in endpoints:
        endpoint.verify(tmp, sample, warmup)
    for endpoint in endpoints:
        endpoint.write_files(tmp, sample)
    entries = {endpoint.key: endpoint.metadata() for endpoint in endpoints}
    metadata_lib.write_metadata(tmp, metadata_lib.export_metadata(
        job.model, version=version, task=job.task, class_names=job.class_names,
        config=job.config, inputs=job.specs, outputs=out_specs, sample_words=job.words,
        warmup_records=n_records, signature_name=SIGNATURE_NAME,
        quantile_levels=getattr(job.naming, "quantile_levels", None), **entries))
    return out_specs, n_records, entries


def _write_warmup(job: _Job, tmp: Path, endpoints, batch_sizes, seq_lens) -> int:
    """``serving_default``'s warmup records, then each endpoint's while there is room."""
    batches = warmup_lib.warmup_batches(job.specs, job.examples, job.words, batch_sizes,
                                        seq_lens)
    room = max(0, warmup_lib.MAX_RECORDS - len(batches))  # TF Serving reads 1000
    more = {}
    for endpoint in endpoints:
        records = endpoint.warmup_records(batches, batch_sizes, room)
        room -= sum(len(feeds) for feeds in records.values())
        more.update(records)
    return warmup_lib.write_warmup_file(warmup_lib.warmup_path(tmp), batches, job.base.name,
                                        SIGNATURE_NAME, more=more)


# ----------------------------------------------------------------------------- inputs


def _model_and_task(obj, task, class_names):
    """``(model, task, class_names, config)`` from a ``keras.Model`` or a fit result."""
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
        fail("model_or_result", "a keras.Model or a fit result with .model", obj)
    if task is None:
        task = "classification" if (class_names or _looks_like_classifier(model)) else "generic"
    output_kind(task)  # a registered task, "classification" or "generic"
    if class_names is not None:
        class_names = [str(c) for c in class_names]
    return model, task, class_names, config


def _looks_like_classifier(model) -> bool:
    import keras

    outputs = symbolic_outputs(model)
    if not outputs or len(outputs) != 1 or len(outputs[0].shape) != 2:
        return False
    last = model.layers[-1] if model.layers else None
    if isinstance(last, keras.layers.Softmax):
        return True
    activation = getattr(last, "activation", None)
    name = getattr(activation, "__name__", "")
    units = outputs[0].shape[-1]
    return name == "softmax" or (name == "sigmoid" and units == 1)


def _check_built(model):
    if not model.built:
        raise ConfigError(
            f"model {model.name!r} is not built: build it (call it on a batch, or give it a "
            f"keras.Input) before exporting")
