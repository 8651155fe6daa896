"""Trace the serving signature so that the graph runs wherever TensorFlow runs.

Keras' TensorFlow backend decides at trace time (``cudnn_ok`` → ``_is_gpu_available``)
whether ``LSTM``/``GRU`` (and seqkit's layers, which ask the same function) emit the fused
``CudnnRNNV3`` op; that op has no CPU kernel, so a SavedModel traced on a GPU machine fails
on CPU-only TensorFlow / TF Serving (keras#18504). :func:`cpu_portable_trace` traces as if
no GPU were visible; :func:`write_saved_model` uses it to write the SavedModel, with the
signatures of the export's endpoints (:mod:`seqkit.serving.endpoint`) beside
``serving_default``.
"""

from __future__ import annotations

import contextlib
import importlib

from seqkit.errors import ExportError
from seqkit.serving.signature import SIGNATURE_NAME


@contextlib.contextmanager
def cpu_portable_trace(model=None):
    """Trace as if no GPU were visible, so RNN layers take the portable ``While`` loop.

    Inside this context Keras' GPU check answers False and every RNN layer of ``model``
    has ``use_cudnn=False``; both are restored afterwards. Not thread-safe (it patches a
    module attribute).

    Args:
        model: the ``keras.Model`` whose RNN layers get ``use_cudnn=False`` (``None``: only
            the GPU check is patched).

    Example:

    >>> import keras
    >>> layer = keras.layers.LSTM(2)
    >>> with cpu_portable_trace(keras.Sequential([keras.Input((None, 3)), layer])):
    ...     layer.use_cudnn
    False
    >>> layer.use_cudnn
    'auto'
    """
    # Keras 3.15 has no public switch for the trace-time cuDNN choice: patch its private check
    rnn_module = importlib.import_module("keras.src.backend.tensorflow.rnn")
    saved_check = rnn_module._is_gpu_available
    saved_flags = []
    if model is not None:
        from seqkit.layers.walk import rnn_layers

        for layer in rnn_layers(model):
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


def write_saved_model(folder, model, specs: dict, serve, endpoints=(), sample=None) -> list:
    """Trace ``serving_default`` and the endpoints' signatures with no GPU visible; write.

    ``keras.export.ExportArchive`` tracks the model, so its variables and lookup tables
    (``TextVectorization``) travel with the signatures. Each endpoint's functions
    (:meth:`seqkit.serving.endpoint.Endpoint.functions`) are traced after
    ``serving_default`` and checked (:meth:`~seqkit.serving.endpoint.Endpoint.check`); an
    optional endpoint that fails there is declined and the archive traced again without it.

    Args:
        folder: where to write (``saved_model.pb``, ``variables/``, ``assets/``).
        model: the ``keras.Model`` (tracked by the archive).
        specs: the signature's inputs (:func:`seqkit.serving.signature.input_specs`).
        serve: the function behind the signature
            (:func:`seqkit.serving.signature.serving_function`).
        endpoints: :class:`~seqkit.serving.endpoint.Endpoint`\\ s, in signature order.
        sample: ``{input name: array}`` their checks run on.

    Returns:
        The endpoints whose signatures were written.

    Raises:
        Exception: a non-optional endpoint's failure, as raised.

    Example:

    >>> import keras, tempfile
    >>> from pathlib import Path
    >>> from seqkit.serving.signature import input_specs, OutputNaming, serving_function
    >>> inp = keras.Input((None, 3), name="window")
    >>> model = keras.Model(inp, keras.layers.GRU(2)(inp))
    >>> specs = input_specs(model)
    >>> serve = serving_function(model, specs, OutputNaming(model, "generic", None))
    >>> tmp = tempfile.TemporaryDirectory()
    >>> write_saved_model(tmp.name, model, specs, serve)
    []
    >>> (Path(tmp.name) / "saved_model.pb").is_file()
    True
    >>> tmp.cleanup()
    """
    kept = [endpoint for endpoint in endpoints if endpoint.functions()]
    with cpu_portable_trace(model):
        while True:
            archive, default = _archive(model, specs, serve)
            declined = _add_endpoints(archive, default, kept, sample)
            if declined is None:
                break
            kept.remove(declined)
        archive.write_out(str(folder), verbose=False)
    return kept


def _tensor_specs(specs: dict) -> dict:
    import tensorflow as tf

    return {name: tf.TensorSpec(s["shape"], s["dtype"], name=name) for name, s in specs.items()}


def _archive(model, specs: dict, serve):
    """A new ``ExportArchive`` tracking ``model``, with ``serving_default`` traced."""
    import keras

    archive = keras.export.ExportArchive()
    archive.track(model)
    default = archive.add_endpoint(SIGNATURE_NAME, serve,
                                   input_signature=[_tensor_specs(specs)])
    default.get_concrete_function()  # trace now, while no GPU is visible
    return archive, default


def _add_endpoints(archive, default, endpoints, sample):
    """Trace each endpoint into ``archive``; the optional one that failed (declined), or None."""
    for endpoint in endpoints:
        try:
            traced = []
            for name, function, specs in endpoint.functions():
                traced.append(archive.add_endpoint(name, function,
                                                   input_signature=[_tensor_specs(specs)]))
                traced[-1].get_concrete_function()
            reason = endpoint.check(traced, default, sample)
        except Exception as err:
            if not endpoint.optional:
                raise
            reason = f"the {endpoint.label} function failed: {type(err).__name__}: {err}"
        if reason is not None:
            if not endpoint.optional:
                raise ExportError(reason)
            endpoint.decline(reason)
            return endpoint
    return None
