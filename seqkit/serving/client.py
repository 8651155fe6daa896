"""A small client for TF Serving: REST ``:predict`` and gRPC ``Predict``, and one class.

- REST (port 8501): :mod:`seqkit.serving.rest` (urllib + JSON; its names are importable
  from here too: ``rest_url``, ``rest_body``, ``encode_body``, ``parse_rest_response``,
  ``rest_predict``, ``ServingError``);
- gRPC (port 8500): :func:`grpc_request` / :func:`grpc_predict` use
  ``tensorflow_serving.apis.prediction_service_pb2_grpc`` (``grpcio`` is a dependency of
  ``tensorflow-serving-api``) and ``tf.make_tensor_proto``;
- :class:`ServingClient`: one model on one server, over either.

The request builders (``rest_body``, ``rest_url``, ``grpc_request``) are pure functions and
need no server.

Example:

>>> rest_body({"text": ["a great film"]}, format="inputs")
{'signature_name': 'serving_default', 'inputs': {'text': ['a great film']}}
>>> grpc_request("text_lstm", {"text": ["a great film"]}).model_spec.name
'text_lstm'
"""

from __future__ import annotations

import urllib.request

import numpy as np

from seqkit.serving.rest import (
    FORMATS,
    NAN_POLICIES,
    ServingError,
    encode_body,
    http_json,
    input_columns,
    parse_rest_response,
    rest_body,
    rest_predict,
    rest_url,
)
from seqkit.serving.signature import SIGNATURE_NAME
from seqkit.validation import check_choice

PROTOCOLS = ("rest", "grpc")

__all__ = ["FORMATS", "NAN_POLICIES", "PROTOCOLS", "ServingClient", "ServingError",
           "encode_body", "grpc_predict", "grpc_request", "parse_rest_response", "rest_body",
           "rest_predict", "rest_url"]


# ------------------------------------------------------------------------------- gRPC


def grpc_request(model: str, inputs: dict, *, signature_name: str = SIGNATURE_NAME,
                 version: int | None = None, label: str | None = None,
                 dtypes: dict | None = None):
    """A ``PredictRequest`` (``tensorflow_serving.apis.predict_pb2``) for ``inputs``.

    Args:
        model: the model's name on the server.
        inputs: ``{input name: batch}``.
        signature_name: the signature to call.
        version: a specific version (else ``label``, else the latest).
        label: a version label.
        dtypes: the tensor dtype per input (e.g. ``{"window": "float64"}``); floating
            inputs default to float32 (NumPy would send float64, which a float32
            signature rejects), strings to ``DT_STRING``.

    Returns:
        The request.

    Example:

    >>> request = grpc_request("gru", {"window": [[[0.5], [1.5]]]}, version=2)
    >>> request.model_spec.version.value, request.inputs["window"].dtype == 1  # DT_FLOAT
    (2, True)
    >>> list(request.inputs["window"].tensor_shape.dim)[1].size
    2
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
    for name, arr in input_columns(inputs).items():
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
    """Call ``PredictionService/Predict`` at ``target`` (``"host:8500"``).

    Args:
        target: the server's gRPC address.
        model: the model's name.
        inputs: ``{input name: batch}``.
        signature_name: the signature to call.
        version: a specific version.
        label: a version label.
        dtypes: tensor dtypes per input (see :func:`grpc_request`).
        timeout: seconds to wait for the answer.

    Returns:
        ``{output name: array}``.

    Raises:
        ServingError: a gRPC error (including no server at ``target``).

    Example:

    >>> import socket
    >>> with socket.socket() as s:   # a free port: nobody listens there
    ...     s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    >>> grpc_predict(f"127.0.0.1:{port}", "gru", {"window": [[[0.0]]]}, timeout=5)
    Traceback (most recent call last):
    ...
    seqkit.serving.rest.ServingError: gRPC Predict at 127.0.0.1:... failed: UNAVAILABLE: ...
    """
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

    Args:
        host: the server's host name.
        model: the model's name on the server.
        rest_port: the REST port.
        grpc_port: the gRPC port.
        version: a specific version (default: the one the server serves).
        signature_name: the signature to call.
        timeout: seconds to wait for each answer.

    Example (against a running server, answers as in ``docs/serving.md``; without one,
    every call raises :class:`ServingError`):

    >>> import socket
    >>> with socket.socket() as s:   # a free port: nobody listens there
    ...     s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    >>> client = ServingClient("127.0.0.1", model="text_lstm", rest_port=port, timeout=5)
    >>> client.predict({"text": ["a great film"]})
    Traceback (most recent call last):
    ...
    seqkit.serving.rest.ServingError: cannot reach http://127.0.0.1:.../text_lstm:predict: ...
    """

    def __init__(self, host: str = "localhost", *, model: str, rest_port: int = 8501,
                 grpc_port: int = 8500, version: int | None = None,
                 signature_name: str = SIGNATURE_NAME, timeout: float = 30.0):
        self.host, self.model, self.version = host, model, version
        self.rest_port, self.grpc_port = rest_port, grpc_port
        self.signature_name, self.timeout = signature_name, timeout
        self._outputs = None

    def status(self) -> dict:
        """``GET /v1/models/NAME``: the version states (``AVAILABLE``, ...).

        Returns:
            The server's JSON answer, e.g. ``{"model_version_status": [{"version": "1",
            "state": "AVAILABLE", ...}]}``.

        Raises:
            ServingError: an HTTP error, or no server.

        Example: ``ServingClient("localhost", model="text_lstm").status()`` (needs a
        server; see the class example for what happens without one).
        """
        url = rest_url(self.host, self.rest_port, self.model, version=self.version, verb="")
        return http_json(urllib.request.Request(url), self.timeout)

    def signature(self) -> dict:
        """The signature's ``{"inputs": [...], "outputs": [...]}`` names, from ``/metadata``.

        Returns:
            Sorted input and output names, e.g. ``{"inputs": ["text"], "outputs":
            ["class_ids", "class_names", "probabilities"]}``.

        Raises:
            ServingError: an HTTP error, or no server.
            KeyError: the server does not know the signature.

        Example: ``ServingClient("localhost", model="text_lstm").signature()`` (needs a
        server).
        """
        url = rest_url(self.host, self.rest_port, self.model, version=self.version,
                       verb="").rstrip("/") + "/metadata"
        meta = http_json(urllib.request.Request(url), self.timeout)
        sig = meta["metadata"]["signature_def"]["signature_def"][self.signature_name]
        return {"inputs": sorted(sig["inputs"]), "outputs": sorted(sig["outputs"])}

    def predict(self, inputs: dict, *, protocol: str = "rest", format: str = "instances",
                nan: str = "pass") -> dict[str, np.ndarray]:
        """Predict over REST or gRPC.

        Args:
            inputs: ``{input name: batch}``.
            protocol: ``"rest"`` or ``"grpc"``.
            format: REST only: ``"instances"`` or ``"inputs"`` (see :func:`rest_body`).
            nan: REST only: the NaN policy (see :func:`rest_body`).

        Returns:
            ``{output name: array}``.

        Raises:
            ConfigError: an unknown ``protocol``.
            ServingError: the server answered with an error, or could not be reached.

        Example: see the class example.
        """
        check_choice("protocol", protocol, PROTOCOLS)
        if protocol == "grpc":
            return grpc_predict(f"{self.host}:{self.grpc_port}", self.model, inputs,
                                signature_name=self.signature_name, version=self.version,
                                timeout=self.timeout)
        if self._outputs is None:
            try:
                self._outputs = self.signature()["outputs"]
            except (ServingError, KeyError):
                self._outputs = []
        url = rest_url(self.host, self.rest_port, self.model, version=self.version)
        return rest_predict(url, inputs, format=format, signature_name=self.signature_name,
                            nan=nan, output_names=self._outputs or None, timeout=self.timeout)
