"""Export for TF Serving, warmup records, server configs, a small client and streaming.

Public API (imported lazily, so ``seqkit.serving.verify``/``layout`` stay TensorFlow-light)::

    export(model_or_result, base_path, version=None, *, name_outputs="auto", warmup=True,
           warmup_examples=None, overwrite=False, task=None, class_names=None,
           input_signature=None, warmup_batch_sizes=(1, 8, 32),
           warmup_seq_lens=None, step_signature=True, step_warmup=True) -> ExportInfo
    write_models_config(saved_models_root, path=None, *, base_path_prefix=None) -> Path
    write_batching_parameters(path, *, max_batch_size=32, batch_timeout_micros=1000, ...)
    read_batching_parameters(path) -> dict
    find_cudnn_ops(saved_model_dir) -> list[str];  rnn_path(saved_model_dir) -> dict
    read_warmup_requests(path) -> list[PredictRequest]
    read_metadata(version_dir) -> dict          (assets.extra/seqkit_export.json)
    list_versions(base_path) / latest_version(base_path)
    cpu_portable_trace(model)   (context manager used by export)
    StreamingSession(source, *, transport=None, model_name=None, version=None)
        .step(x_new) / .reset() / .rest_request(x_new) / .grpc_request(x_new) / .update(resp)
    STEP_SIGNATURE_NAME = "serving_step"
    rest_transport(host, port, model) / grpc_transport(target, model)
    signature_transport(loaded.signatures["serving_step"])   (in-process)

See :func:`seqkit.serving.exporter.export` for every argument. One module per concern:
``exporter`` (the steps of an export), ``endpoint`` (the protocol every extra signature
or file implements), ``signature`` (input specs, synthetic batches, output names),
``portable`` (tracing without cuDNN), ``warmup``, ``verify`` (checks before publishing:
the op scan, the one output comparer), ``metadata``
(``seqkit_export.json``), ``layout`` (version folders, publishing, ``models.config``),
``litert`` (the LiteRT file), ``step`` (the streaming signature and its endpoint),
``trace_export`` (the gate-trace signature), ``client`` (the subpackage calling a
server: ``client.transport`` for REST bodies, HTTP, gRPC, TLS, auth headers, retries,
and ``client.streaming``, the streaming session). The batching parameters file is
:mod:`seqkit.reporting.batching`'s.

Layout written (TF Serving's)::

    base_path/<version>/saved_model.pb, variables/, assets/, fingerprint.pb
    base_path/<version>/assets.extra/tf_serving_warmup_requests   (TFRecord of PredictionLog,
                                                      records for every signature)
    base_path/<version>/assets.extra/seqkit_export.json           (task, names, shapes, ...)

Signature contract (``serving_default``; batch is always dynamic, time is dynamic unless
the model fixes it; the method is ``tensorflow/serving/predict``):

Inputs — the ``keras.Input`` names of the model:

- ``text``: ``string [B]`` raw texts (text classifiers);
- ``window``: ``float32 [B, T, F]`` raw windows in original units (forecasters);
- ``sequence``: ``float32 [B, T, F]`` post-padded sequences (sequence classifiers);
- any other model: its ``keras.Input`` names and dtypes, as they are.

Outputs:

- classification (``text_classification``, ``sequence_classification``, or a model whose
  last layer is a softmax): ``probabilities float32 [B, C]``, ``class_ids int64 [B]``
  (argmax) and, when class names are known, ``class_names string [B]`` (the name of
  ``class_ids`` as ``str(name)``: a class ``3`` is ``"3"``, ``True`` is ``"True"``;
  ``FitResult.class_names`` keeps the types). A one-unit sigmoid output becomes
  ``probabilities [B, 2]`` = ``[1-p, p]``.
- forecasting: ``forecast float32 [B, horizon, targets]`` in original units.
- any other model: ``output`` (one output), or the Keras output names (several);
  ``name_outputs=`` renames them; ``name_outputs=False`` keeps Keras' ``output_0``.

The graph never contains cuDNN ops (traced as if no GPU were visible; checked after
writing), so the same folder runs on CPU and GPU TensorFlow / TF Serving, and loading it
needs TensorFlow only (no Keras, no seqkit).

Streaming (``serving_step``, beside ``serving_default`` for every model that decomposes
step-wise; :mod:`seqkit.serving.step`): the new steps ``[B, k, F]`` and one float32
``[B, units]`` state per RNN state (``rnn_<i>_h``, ``rnn_<i>_c``; all zeros = the start of
a sequence) in; the outputs at the last new step and the new states out.
:class:`StreamingSession` holds the states on the client side::

    session = StreamingSession("saved_models/sensor", transport=rest_transport(
        "tfs", 8501, "sensor"))
    out = session.step(x_new)            # x_new [B, k, F] or [B, F]; states kept

Example:

>>> import seqkit.serving as serving
>>> serving.STEP_SIGNATURE_NAME, serving.StreamingSession.__name__
('serving_step', 'StreamingSession')
"""

from seqkit._lazy import lazy_module_attributes

_PUBLIC = {
    "export": "seqkit.serving.exporter",
    "ExportInfo": "seqkit.serving.exporter",
    "cpu_portable_trace": "seqkit.serving.portable",
    "SIGNATURE_NAME": "seqkit.serving.signature",
    "read_metadata": "seqkit.serving.metadata",
    "write_models_config": "seqkit.serving.layout",
    # the one batching parameters writer is the report's (it also chooses them)
    "write_batching_parameters": "seqkit.reporting.batching",
    "read_batching_parameters": "seqkit.reporting.batching",
    "find_cudnn_ops": "seqkit.serving.verify",
    "rnn_path": "seqkit.serving.verify",
    "read_warmup_requests": "seqkit.serving.warmup",
    "list_versions": "seqkit.serving.layout",
    "latest_version": "seqkit.serving.layout",
    "STEP_SIGNATURE_NAME": "seqkit.serving.step",
    "StreamingSession": "seqkit.serving.client.streaming",
    "rest_transport": "seqkit.serving.client.streaming",
    "grpc_transport": "seqkit.serving.client.streaming",
    "signature_transport": "seqkit.serving.client.streaming",
}

__all__ = sorted(_PUBLIC)


__getattr__, __dir__ = lazy_module_attributes(__name__, _PUBLIC, globals())
