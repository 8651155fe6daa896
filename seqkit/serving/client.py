"""A small client for TF Serving: REST ``:predict`` (urllib + JSON) and gRPC ``Predict``.

REST (port 8501 by default)::

    POST http://HOST:8501/v1/models/NAME[/versions/N]:predict
    {"signature_name": "serving_default", "instances": [{"text": "a great film"}, ...]}
    {"signature_name": "serving_default", "inputs": {"text": ["a great film", ...]}}

``instances`` is the row format (one object per example; the response is
``{"predictions": [...]}``, one entry per example, an object per example when the signature
has several outputs); ``inputs`` is the column format (one list per input; the response is
``{"outputs": {...}}``, or the bare value for a single output). Strings are JSON strings;
bytes that are not UTF-8 are sent as ``{"b64": "..."}``, TF Serving's binary convention.

NaN and infinities: TF Serving's JSON parser accepts the tokens ``NaN``, ``Infinity`` and
``-Infinity`` (not standard JSON) and passes them to the model, which then returns NaN for
that example (``keras.layers.Masking`` does not mask NaN). ``nan="pass"`` (default) sends
them as those tokens (what Python's ``json`` writes); ``nan="error"`` refuses them with a
``DataError`` before sending; ``nan="null"`` sends ``null``, which TF Serving rejects — use
it only to reproduce that error. Responses are parsed accepting the same tokens.

gRPC (port 8500 by default) uses ``tensorflow_serving.apis.prediction_service_pb2_grpc``
(``grpcio`` is a dependency of ``tensorflow-serving-api``) and ``tf.make_tensor_proto``.

The request builders (``rest_body``, ``rest_url``, ``grpc_request``) are pure functions and
need no server.
"""

from __future__ import annotations

import base64
import json
import math
import urllib.error
import urllib.request

import numpy as np

from seqkit.errors import ConfigError, DataError

SIGNATURE_NAME = "serving_default"


class ServingError(RuntimeError):
    """TF Serving answered with an error (HTTP status ≥ 400 or a gRPC error)."""


# ------------------------------------------------------------------------------- REST


def rest_url(host: str = "localhost", port: int = 8501, model: str = "model", *,
             version: int | None = None, label: str | None = None,
             verb: str = "predict", scheme: str = "http") -> str:
    """``http://host:port/v1/models/model[/versions/N | /labels/L]:verb``."""
    if not model or "/" in model:
        raise ConfigError(f"model name {model!r} is not usable in a URL")
    if version is not None and label is not None:
        raise ConfigError("give version or label, not both")
    url = f"{scheme}://{host}:{int(port)}/v1/models/{model}"
    if version is not None:
        url += f"/versions/{int(version)}"
    elif label is not None:
        url += f"/labels/{label}"
    return url + (f":{verb}" if verb else "")


def _jsonable(value, nan: str, where: str):
    """NumPy/bytes → JSON-able Python values (lists, floats, strings, {"b64": ...})."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc" and nan != "pass" and not np.all(np.isfinite(value)):
            if nan == "error":
                raise DataError(f"{where} holds NaN or infinite values (nan='error')")
        if value.dtype.kind in "OSU":
            return [_jsonable(v, nan, where) for v in value.tolist()] if value.ndim else \
                _jsonable(value.item(), nan, where)
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, nan, where) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return {"b64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, float) and not math.isfinite(value):
        if nan == "error":
            raise DataError(f"{where} holds NaN or infinite values (nan='error')")
        if nan == "null":
            return None
    return value


def _columns(inputs) -> dict:
    if not isinstance(inputs, dict) or not inputs:
        raise DataError("inputs must be a non-empty {input name: values} dict")
    columns = {}
    for name, value in inputs.items():
        if isinstance(value, (str, bytes)):
            value = [value]
        arr = np.asarray(value, dtype=object if _is_text(value) else None)
        if arr.ndim == 0:
            raise DataError(f"input {name!r} needs a batch axis, got a scalar")
        columns[name] = arr
    sizes = {len(a) for a in columns.values()}
    if len(sizes) != 1:
        raise DataError(f"inputs have different batch sizes: "
                        f"{ {k: len(v) for k, v in columns.items()} }")
    return columns


def _is_text(value) -> bool:
    first = value
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    if isinstance(first, np.ndarray):
        return first.dtype.kind in "OSU"
    return isinstance(first, (str, bytes))


def rest_body(inputs: dict, *, format: str = "instances",
              signature_name: str = SIGNATURE_NAME, nan: str = "pass") -> dict:
    """The JSON body (a dict) of a REST ``:predict`` request.

    ``inputs`` is ``{input name: batch}`` (arrays or nested lists, first axis = examples).
    ``format="instances"``: rows, ``[{name: example}, ...]``; ``format="inputs"``: columns,
    ``{name: batch}``.
    """
    if format not in ("instances", "inputs"):
        raise ConfigError(f"format must be 'instances' or 'inputs', got {format!r}")
    if nan not in ("pass", "error", "null"):
        raise ConfigError(f"nan must be 'pass', 'error' or 'null', got {nan!r}")
    columns = _columns(inputs)
    body = {"signature_name": signature_name}
    if format == "inputs":
        body["inputs"] = {name: _jsonable(arr, nan, f"input {name!r}")
                          for name, arr in columns.items()}
    else:
        n = len(next(iter(columns.values())))
        body["instances"] = [
            {name: _jsonable(arr[i], nan, f"input {name!r} row {i}")
             for name, arr in columns.items()} for i in range(n)]
    return body


def encode_body(body: dict) -> bytes:
    """JSON bytes; non-finite floats as ``NaN``/``Infinity``/``-Infinity`` (TF Serving's)."""
    return json.dumps(body, allow_nan=True, separators=(",", ":")).encode("utf-8")


def parse_rest_response(payload, output_names=None) -> dict[str, np.ndarray]:
    """``{output name: array}`` from a ``:predict`` response (either format).

    A single-output signature answers without names; ``output_names`` (e.g. from
    :meth:`ServingClient.signature`) supplies the name, else ``"output"`` is used.
    """
    if isinstance(payload, (bytes, str)):
        payload = json.loads(payload)
    if "error" in payload:
        raise ServingError(payload["error"])
    single = output_names[0] if output_names and len(output_names) == 1 else "output"
    if "predictions" in payload:
        rows = payload["predictions"]
        if rows and isinstance(rows[0], dict):
            return {k: _array([r[k] for r in rows]) for k in rows[0]}
        return {single: _array(rows)}
    if "outputs" in payload:
        outputs = payload["outputs"]
        if isinstance(outputs, dict):
            return {k: _array(v) for k, v in outputs.items()}
        return {single: _array(outputs)}
    raise ServingError(f"unexpected response: {str(payload)[:200]}")


def _array(value) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind == "U":
        arr = arr.astype(object)
    return arr


def rest_predict(url: str, inputs: dict, *, format: str = "instances",
                 signature_name: str = SIGNATURE_NAME, nan: str = "pass",
                 output_names=None, timeout: float = 30.0) -> dict[str, np.ndarray]:
    """POST a ``:predict`` request to ``url`` (see :func:`rest_url`) and parse the answer."""
    data = encode_body(rest_body(inputs, format=format, signature_name=signature_name,
                                 nan=nan))
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    return parse_rest_response(_http(request, timeout), output_names)


def _http(request, timeout):
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        detail = err.read().decode("utf-8", "replace")
        raise ServingError(f"HTTP {err.code} from {request.full_url}: {detail}") from err
    except urllib.error.URLError as err:
        raise ServingError(f"cannot reach {request.full_url}: {err.reason}") from err


# ------------------------------------------------------------------------------- gRPC


def grpc_request(model: str, inputs: dict, *, signature_name: str = SIGNATURE_NAME,
                 version: int | None = None, label: str | None = None,
                 dtypes: dict | None = None):
    """A ``PredictRequest`` (``tensorflow_serving.apis.predict_pb2``) for ``inputs``.

    ``dtypes`` optionally fixes the tensor dtype per input (e.g. ``{"window": "float32"}``;
    NumPy would otherwise send float64, which a float32 signature rejects). Floating
    inputs default to float32, strings to DT_STRING.
    """
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2

    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    request.model_spec.signature_name = signature_name
    if version is not None:
        request.model_spec.version.value = int(version)
    elif label is not None:
        request.model_spec.version_label = label
    for name, arr in _columns(inputs).items():
        dtype = (dtypes or {}).get(name)
        if dtype is None and arr.dtype.kind == "f":
            dtype = "float32"
        if arr.dtype.kind in "OU":
            arr = np.array([v.encode() if isinstance(v, str) else v for v in arr.ravel()],
                           dtype=object).reshape(arr.shape)
        request.inputs[name].CopyFrom(tf.make_tensor_proto(arr, dtype=dtype))
    return request


def grpc_predict(target: str, model: str, inputs: dict, *, signature_name=SIGNATURE_NAME,
                 version=None, label=None, dtypes=None, timeout: float = 30.0):
    """Call ``PredictionService/Predict`` at ``target`` (``"host:8500"``)."""
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    request = grpc_request(model, inputs, signature_name=signature_name, version=version,
                           label=label, dtypes=dtypes)
    with grpc.insecure_channel(target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        try:
            response = stub.Predict(request, timeout=timeout)
        except grpc.RpcError as err:
            raise ServingError(f"gRPC Predict at {target} failed: {err.code().name}: "
                               f"{err.details()}") from err
    return {name: tf.make_ndarray(proto) for name, proto in response.outputs.items()}


# ----------------------------------------------------------------------------- client


class ServingClient:
    """One model on one TF Serving instance.

    >>> client = ServingClient("localhost", model="lstm")      # doctest: +SKIP
    >>> client.predict({"text": ["a great film"]})             # doctest: +SKIP
    {'probabilities': array([[0.1, 0.9]]), 'class_ids': array([1]), ...}
    """

    def __init__(self, host: str = "localhost", *, model: str, rest_port: int = 8501,
                 grpc_port: int = 8500, version: int | None = None,
                 signature_name: str = SIGNATURE_NAME, timeout: float = 30.0):
        self.host, self.model, self.version = host, model, version
        self.rest_port, self.grpc_port = rest_port, grpc_port
        self.signature_name, self.timeout = signature_name, timeout
        self._outputs = None

    def status(self) -> dict:
        """``GET /v1/models/NAME``: the version states (``AVAILABLE``, ...)."""
        url = rest_url(self.host, self.rest_port, self.model, version=self.version, verb="")
        return _http(urllib.request.Request(url), self.timeout)

    def signature(self) -> dict:
        """The signature's ``{"inputs": [...], "outputs": [...]}`` names, from ``/metadata``."""
        url = rest_url(self.host, self.rest_port, self.model, version=self.version,
                       verb="").rstrip("/") + "/metadata"
        meta = _http(urllib.request.Request(url), self.timeout)
        sig = meta["metadata"]["signature_def"]["signature_def"][self.signature_name]
        return {"inputs": sorted(sig["inputs"]), "outputs": sorted(sig["outputs"])}

    def predict(self, inputs: dict, *, protocol: str = "rest", format: str = "instances",
                nan: str = "pass") -> dict[str, np.ndarray]:
        """Predict over REST (``format`` = ``instances``/``inputs``) or gRPC."""
        if protocol == "grpc":
            return grpc_predict(f"{self.host}:{self.grpc_port}", self.model, inputs,
                                signature_name=self.signature_name, version=self.version,
                                timeout=self.timeout)
        if protocol != "rest":
            raise ConfigError(f"protocol must be 'rest' or 'grpc', got {protocol!r}")
        if self._outputs is None:
            try:
                self._outputs = self.signature()["outputs"]
            except (ServingError, KeyError):
                self._outputs = []
        url = rest_url(self.host, self.rest_port, self.model, version=self.version)
        return rest_predict(url, inputs, format=format, signature_name=self.signature_name,
                            nan=nan, output_names=self._outputs or None, timeout=self.timeout)
