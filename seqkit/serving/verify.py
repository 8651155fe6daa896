"""Check a written version before it is published: no cuDNN op, reload, same answers.

:func:`verify_export` runs on the temporary folder, after the SavedModel and the warmup
records are written and before the folder is renamed into place:

1. the graph and its function library hold no ``Cudnn*`` op (:func:`check_no_cudnn`);
2. ``tf.saved_model.load`` gives a ``serving_default`` signature with the expected input
   and output names;
3. a sample run through the reloaded signature equals the in-memory model
   (:func:`compare_outputs`, ``rtol=1e-4, atol=1e-5``);
4. every warmup record runs through the reloaded signature.

Any failure is an ``ExportError``; nothing is published then. (Argument checks are
:mod:`seqkit.validation`; this module checks what was written.)
"""

from __future__ import annotations

import numpy as np

from seqkit.errors import ExportError
from seqkit.serving import inputs as inputs_lib
from seqkit.serving import warmup as warmup_lib
from seqkit.serving.graph import find_cudnn_ops
from seqkit.serving.signature import SIGNATURE_NAME, dtype_name

RTOL, ATOL = 1e-4, 1e-5
SAMPLE_ROWS = 3


def verify_export(folder, specs: dict, naming, serve, sample: dict, check_warmup: bool) -> dict:
    """Run the checks of the module docstring on a written SavedModel folder.

    Args:
        folder: the written (not yet published) version folder.
        specs: the signature's input specs.
        naming: the :class:`~seqkit.serving.naming.OutputNaming` used to trace.
        serve: the in-memory serving function (the reference).
        sample: ``{input name: array}`` run through both (:func:`reload_sample`).
        check_warmup: also replay ``assets.extra/tf_serving_warmup_requests``.

    Returns:
        The reloaded signature's output specs ``{name: {"dtype", "shape"}}``, sorted.

    Raises:
        ExportError: a check failed.

    Example:

    >>> import keras, tempfile
    >>> from seqkit.serving.naming import OutputNaming
    >>> from seqkit.serving.portable import write_saved_model
    >>> from seqkit.serving.signature import input_specs, serving_function
    >>> inp = keras.Input((None, 3), name="window")
    >>> model = keras.Model(inp, keras.layers.GRU(2)(inp))
    >>> specs, naming = input_specs(model), OutputNaming(model, "generic", None)
    >>> serve = serving_function(model, specs, naming)
    >>> tmp = tempfile.TemporaryDirectory()
    >>> write_saved_model(tmp.name, model, specs, serve)
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
        return inputs_lib.rows(examples, SAMPLE_ROWS)
    return inputs_lib.synthetic_batch(specs, SAMPLE_ROWS, inputs_lib.sample_seq_len(specs),
                                      seed=0, words=words)


def check_no_cudnn(folder):
    """Refuse a SavedModel whose graph holds a ``Cudnn*`` op (GPU-only kernels).

    Args:
        folder: a SavedModel folder.

    Raises:
        ExportError: naming the ops found.

    Example:

    >>> import tempfile
    >>> from seqkit.serving.demo import save_demo_model
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     check_no_cudnn(save_demo_model(folder, loop=True))
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
    for key, value in want.items():
        key = key if key in got else out_keys[0]
        compare_outputs(key, np.asarray(value), got[key])


def compare_outputs(key: str, want: np.ndarray, got: np.ndarray):
    """Refuse an output that changed in the reload (floats: ``rtol=1e-4, atol=1e-5``).

    Args:
        key: the output's name (for the message).
        want: the in-memory model's value.
        got: the reloaded signature's value.

    Raises:
        ExportError: another shape, floats not close, other integers or strings.

    Example:

    >>> compare_outputs("forecast", np.zeros((2, 3)), np.full((2, 3), 1e-6))
    >>> compare_outputs("forecast", np.zeros((2, 3)), np.ones((2, 3)))
    Traceback (most recent call last):
    ...
    seqkit.errors.ExportError: output 'forecast' differs after reload (max |diff| 1)
    """
    if want.shape != got.shape:
        raise ExportError(f"output {key!r}: shape {got.shape} after reload, {want.shape} before")
    if want.dtype.kind in "fc":
        if not np.allclose(want, got, rtol=RTOL, atol=ATOL, equal_nan=True):
            diff = float(np.nanmax(np.abs(want.astype(np.float64) - got)))
            raise ExportError(f"output {key!r} differs after reload (max |diff| {diff:.3g})")
    elif not np.array_equal(want, got):
        raise ExportError(f"output {key!r} differs after reload")
