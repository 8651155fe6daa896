"""TF Serving warmup records: ``assets.extra/tf_serving_warmup_requests``.

TF Serving replays this TFRecord file of ``PredictionLog`` protos
(``predict_log.request`` = a ``PredictRequest``) right after loading a version and before
marking it available, so the first real requests do not pay for lazy initialization
(serving#385, #733). At most 1000 records are read. The protos come from
``tensorflow-serving-api`` (``tensorflow_serving.apis``); this module needs TensorFlow and
that package only (imported inside the functions).

What the records hold (:func:`warmup_batches`): the user's example rows at each batch
size, or synthetic batches of batch sizes (1, 8, 32) × lengths (16, 64), lengths only where
the time axis is dynamic (words for texts). ``export(..., warmup_seq_lens=...)`` sets the
lengths; :func:`bucket_seq_lens` reads the length buckets the batching report chose
(:mod:`seqkit.reporting.batching`), so each bucket gets its warmup records. Records of
the streaming signature ``serving_step`` follow (:mod:`seqkit.serving.step`; on by default,
``export(..., step_warmup=False)`` leaves them out). Each record names its signature in
``model_spec.signature_name`` and TF Serving runs each record against the signature it
names (an empty name is ``serving_default``; TF Serving's ``saved_model_warmup.md`` and
``servables/tensorflow/predict_util.cc``), so every reader of this file must dispatch on
that name (:func:`signature_of`, :func:`replay`), never feed every record to
``serving_default``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from seqkit.errors import DataError
from seqkit.serving import signature as signature_lib
from seqkit.serving.layout import ASSETS_EXTRA
from seqkit.serving.signature import SIGNATURE_NAME
from seqkit.validation import check_choice, check_int, fail

WARMUP_FILE = "tf_serving_warmup_requests"
MAX_RECORDS = 1000
DEFAULT_WARMUP_BATCH_SIZES = (1, 8, 32)
DEFAULT_WARMUP_SEQ_LENS = (16, 64)

__all__ = ["ASSETS_EXTRA", "DEFAULT_WARMUP_BATCH_SIZES", "DEFAULT_WARMUP_SEQ_LENS",
           "MAX_RECORDS", "WARMUP_FILE", "make_predict_request", "read_warmup_requests",
           "bucket_seq_lens", "replay", "request_arrays", "signature_of", "warmup_batches",
           "warmup_path", "write_warmup_file"]


def warmup_path(saved_model_dir) -> Path:
    """Where TF Serving looks for the warmup records of a version folder.

    Args:
        saved_model_dir: a version folder.

    Returns:
        ``saved_model_dir/assets.extra/tf_serving_warmup_requests``.

    Example:

    >>> warmup_path("models/gru/1").as_posix()
    'models/gru/1/assets.extra/tf_serving_warmup_requests'
    """
    return Path(saved_model_dir) / ASSETS_EXTRA / WARMUP_FILE


def warmup_batches(specs: dict, examples=None, words=None,
                   batch_sizes=DEFAULT_WARMUP_BATCH_SIZES, seq_lens=None) -> list[dict]:
    """The batches to record: one per batch size (user rows) or per batch size × length.

    Args:
        specs: the signature's input specs.
        examples: ``{input name: rows}`` from the user (cycled to each batch size), or
            ``None`` for synthetic batches.
        words: the vocabulary for synthetic texts.
        batch_sizes: positive integers.
        seq_lens: lengths of a dynamic time axis (words for texts); default
            :data:`DEFAULT_WARMUP_SEQ_LENS`; unused when the model fixes its length.

    Returns:
        A list of ``{input name: array}``.

    Raises:
        ConfigError: an empty ``batch_sizes`` or one that is not a positive integer.

    Example:

    >>> specs = {"window": {"dtype": "float32", "shape": [None, None, 2]}}
    >>> [b["window"].shape for b in warmup_batches(specs, batch_sizes=(1, 4), seq_lens=(3,))]
    [(1, 3, 2), (4, 3, 2)]
    """
    batch_sizes = list(batch_sizes)
    if not batch_sizes:
        fail("warmup_batch_sizes", "a non-empty list of positive integers", batch_sizes)
    batch_sizes = [check_int(f"warmup_batch_sizes[{i}]", b) for i, b in enumerate(batch_sizes)]
    if examples is not None:
        return [signature_lib.rows(examples, b, start=i) for i, b in enumerate(batch_sizes)]
    if seq_lens is None:
        seq_lens = DEFAULT_WARMUP_SEQ_LENS
    has_dynamic_time = signature_lib.is_text(specs) or any(
        signature_lib.fixed_time(s) is None and len(s["shape"]) >= 2 for s in specs.values())
    lens = [int(t) for t in seq_lens] if has_dynamic_time else [signature_lib.sample_seq_len(specs)]
    batches = []
    for i, b in enumerate(batch_sizes):
        for j, t in enumerate(lens):
            batches.append(signature_lib.synthetic_batch(specs, b, t, seed=100 + 10 * i + j,
                                                      words=words))
    return batches


def bucket_seq_lens(batching) -> list[int]:
    """The length buckets a batching report chose, as ``export(warmup_seq_lens=...)``.

    TF Serving batches only requests of equal shape, so a model with a dynamic time axis
    is served in length buckets (``seqkit report --batching``); one warmup record per
    bucket (and batch size) makes each bucket's first batch fast.

    Args:
        batching: a model's ``"batching"`` entry of the report (``report.json``'s
            ``models[i]["batching"]`` or :func:`seqkit.reporting.batching.choose_batching`'s
            result), or the report's model entry holding one.

    Returns:
        The bucket lengths, increasing.

    Raises:
        ConfigError: no length buckets in it (a fixed-length model, or no batching run).

    Example:

    >>> bucket_seq_lens({"buckets": {"lengths": [64, 16, 256]}})
    [16, 64, 256]
    >>> bucket_seq_lens({"batching": {"buckets": None}})
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: batching must be a batching report entry with length buckets ...
    """
    entry = batching.get("batching", batching) if isinstance(batching, Mapping) else None
    buckets = (entry or {}).get("buckets") if isinstance(entry, Mapping) else None
    lengths = (buckets or {}).get("lengths")
    if not lengths:
        fail("batching", "a batching report entry with length buckets (a model with a "
             "dynamic time axis)", entry if entry is not None else batching)
    return sorted(check_int(f"batching lengths[{i}]", t) for i, t in enumerate(lengths))


def make_predict_request(inputs: dict, model_name: str, signature_name: str = SIGNATURE_NAME):
    """A ``PredictRequest`` with one ``TensorProto`` per input (``tf.make_tensor_proto``).

    Args:
        inputs: ``{input name: array}``.
        model_name: the model's name on the server (its folder name).
        signature_name: the signature to call.

    Returns:
        A ``tensorflow_serving.apis.predict_pb2.PredictRequest``.

    Example:

    >>> request = make_predict_request({"window": np.zeros((1, 3, 2), "float32")}, "gru")
    >>> request.model_spec.name, list(request.inputs)
    ('gru', ['window'])
    """
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2

    request = predict_pb2.PredictRequest()
    request.model_spec.name = model_name
    request.model_spec.signature_name = signature_name
    for name, value in inputs.items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    return request


def write_warmup_file(path, batches, model_name: str,
                      signature_name: str = SIGNATURE_NAME, more=None) -> int:
    """Write one ``PredictionLog`` record per batch; returns how many were written.

    Args:
        path: the file (usually :func:`warmup_path` of a version folder).
        batches: ``{input name: array}`` per record.
        model_name: the model's name on the server.
        signature_name: the signature the records call.
        more: ``{other signature name: batches}``, written after ``batches`` (one file
            warms up every signature), or ``None``.

    Returns:
        The number of records.

    Raises:
        DataError: more than :data:`MAX_RECORDS` batches.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> batch = {"window": np.zeros((2, 3, 1), "float32")}
    >>> write_warmup_file(warmup_path(tmp.name), [batch, batch], "gru")
    2
    >>> [request_arrays(r)["window"].shape for r in read_warmup_requests(tmp.name)]
    [(2, 3, 1), (2, 3, 1)]
    >>> tmp.cleanup()
    """
    import tensorflow as tf
    from tensorflow_serving.apis import prediction_log_pb2

    records = [(signature_name, inputs) for inputs in batches]
    for name, extra in (more or {}).items():
        records += [(name, inputs) for inputs in extra]
    if len(records) > MAX_RECORDS:
        raise DataError(f"{len(records)} warmup records; TF Serving reads at most {MAX_RECORDS}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for name, inputs in records:
            request = make_predict_request(inputs, model_name, name)
            log = prediction_log_pb2.PredictionLog(
                predict_log=prediction_log_pb2.PredictLog(request=request))
            writer.write(log.SerializeToString())
    return len(records)


def read_warmup_requests(path) -> list:
    """The ``PredictRequest`` of every record.

    Args:
        path: the warmup file, or a version folder holding one.

    Returns:
        The requests, in file order.

    Raises:
        DataError: no such file, or a record that is not a ``PredictLog``.

    Example:

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as version_dir:
    ...     read_warmup_requests(version_dir)
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: no warmup file at '.../assets.extra/tf_serving_warmup_requests'
    """
    import tensorflow as tf
    from tensorflow_serving.apis import prediction_log_pb2

    path = Path(path)
    if path.is_dir():
        path = warmup_path(path)
    if not path.is_file():
        raise DataError(f"no warmup file at {str(path)!r}")
    requests = []
    for raw in tf.data.TFRecordDataset(str(path)):
        log = prediction_log_pb2.PredictionLog()
        log.ParseFromString(raw.numpy())
        if not log.HasField("predict_log"):
            raise DataError(f"{path}: a record is not a PredictLog ({log.WhichOneof('log_type')})")
        requests.append(log.predict_log.request)
    return requests


def request_arrays(request) -> dict[str, np.ndarray]:
    """The inputs of a ``PredictRequest`` as NumPy arrays (strings as ``bytes`` objects).

    Args:
        request: a ``PredictRequest``.

    Returns:
        ``{input name: array}``.

    Example:

    >>> request = make_predict_request({"text": np.array([b"a film"], dtype=object)}, "m")
    >>> request_arrays(request)
    {'text': array([b'a film'], dtype=object)}
    """
    import tensorflow as tf

    return {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}


def signature_of(request) -> str:
    """The signature a warmup record (a ``PredictRequest``) calls, as TF Serving reads it.

    Args:
        request: a ``PredictRequest``.

    Returns:
        ``request.model_spec.signature_name``, or ``"serving_default"`` when it is empty
        (TF Serving's default).

    Example:

    >>> signature_of(make_predict_request({"x": np.ones(1, "float32")}, "m", "serving_step"))
    'serving_step'
    >>> from tensorflow_serving.apis import predict_pb2
    >>> signature_of(predict_pb2.PredictRequest())
    'serving_default'
    """
    return request.model_spec.signature_name or SIGNATURE_NAME


def replay(signature_fn, path, *, missing: str = "skip") -> list[dict]:
    """Run each warmup record through the signature it names; returns the outputs as arrays.

    Args:
        signature_fn: ``{signature name: signature}`` — e.g. a loaded SavedModel's
            ``.signatures``, which replays every record as TF Serving does — or one
            loaded signature (keyword tensors in, ``{name: tensor}`` out) for the records
            of ``serving_default``.
        path: the warmup file or a version folder.
        missing: a record whose signature is not given: ``"skip"`` it, or ``"error"``
            (a ``DataError``; TF Serving fails to load such a version).

    Returns:
        One ``{output name: array}`` per record run, in file order.

    Raises:
        DataError: with ``missing="error"``, a record naming a signature not given.

    Example:

    >>> import tempfile, tensorflow as tf
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = write_warmup_file(warmup_path(tmp.name), [{"x": np.ones(2, "float32")}], "m",
    ...                       more={"serving_step": [{"x": np.ones(1, "float32")}]})
    >>> replay(lambda x: {"y": 2 * x}, tmp.name)
    [{'y': array([2., 2.], dtype=float32)}]
    >>> replay({"serving_default": lambda x: {"y": 2 * x},
    ...         "serving_step": lambda x: {"z": x + 1}}, tmp.name)
    [{'y': array([2., 2.], dtype=float32)}, {'z': array([2.], dtype=float32)}]
    >>> replay({"serving_default": lambda x: {"y": x}}, tmp.name, missing="error")
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: warmup record 1 calls signature 'serving_step', which is not ...
    >>> tmp.cleanup()
    """
    import tensorflow as tf

    check_choice("missing", missing, ("skip", "error"))
    functions = (signature_fn if isinstance(signature_fn, Mapping)
                 else {SIGNATURE_NAME: signature_fn})
    outputs = []
    for i, request in enumerate(read_warmup_requests(path)):
        name = signature_of(request)
        function = functions.get(name)
        if function is None:
            if missing == "error":
                raise DataError(f"warmup record {i} calls signature {name!r}, which is not "
                                f"among {sorted(functions)}")
            continue
        feeds = {k: tf.constant(v) for k, v in request_arrays(request).items()}
        result = function(**feeds)
        outputs.append({k: np.asarray(v) for k, v in result.items()})
    return outputs
