"""TF Serving warmup records: ``assets.extra/tf_serving_warmup_requests``.

TF Serving replays this TFRecord file of ``PredictionLog`` protos
(``predict_log.request`` = a ``PredictRequest``) right after loading a version and before
marking it available, so the first real requests do not pay for lazy initialization
(serving#385, #733). At most 1000 records are read. The protos come from
``tensorflow-serving-api`` (``tensorflow_serving.apis``); this module needs TensorFlow and
that package only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqkit.errors import DataError

WARMUP_FILE = "tf_serving_warmup_requests"
ASSETS_EXTRA = "assets.extra"
MAX_RECORDS = 1000


def warmup_path(saved_model_dir) -> Path:
    return Path(saved_model_dir) / ASSETS_EXTRA / WARMUP_FILE


def make_predict_request(inputs: dict, model_name: str,
                         signature_name: str = "serving_default"):
    """A ``PredictRequest`` with one ``TensorProto`` per input (``tf.make_tensor_proto``)."""
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2

    request = predict_pb2.PredictRequest()
    request.model_spec.name = model_name
    request.model_spec.signature_name = signature_name
    for name, value in inputs.items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    return request


def write_warmup_file(path, batches, model_name: str,
                      signature_name: str = "serving_default") -> int:
    """Write one ``PredictionLog`` record per batch (``{input name: array}``); returns count."""
    import tensorflow as tf
    from tensorflow_serving.apis import prediction_log_pb2

    batches = list(batches)
    if len(batches) > MAX_RECORDS:
        raise DataError(f"{len(batches)} warmup records; TF Serving reads at most {MAX_RECORDS}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for inputs in batches:
            request = make_predict_request(inputs, model_name, signature_name)
            log = prediction_log_pb2.PredictionLog(
                predict_log=prediction_log_pb2.PredictLog(request=request))
            writer.write(log.SerializeToString())
    return len(batches)


def read_warmup_requests(path) -> list:
    """The ``PredictRequest`` of every record; ``path`` is the file or a SavedModel folder."""
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
    """The inputs of a ``PredictRequest`` as NumPy arrays (strings as ``bytes`` objects)."""
    import tensorflow as tf

    return {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}


def replay(signature_fn, path) -> list[dict]:
    """Run every warmup record through ``signature_fn``; returns the outputs as arrays."""
    import tensorflow as tf

    outputs = []
    for request in read_warmup_requests(path):
        feeds = {k: tf.constant(v) for k, v in request_arrays(request).items()}
        result = signature_fn(**feeds)
        outputs.append({k: v.numpy() for k, v in result.items()})
    return outputs
