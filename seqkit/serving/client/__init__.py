"""A small client for TF Serving: REST ``:predict`` and gRPC ``Predict``, TLS and auth,
retries, one class, and the streaming session.

- REST (port 8501): :mod:`seqkit.serving.client.transport` (urllib + JSON; its names are importable
  from here too: ``rest_url``, ``rest_body``, ``encode_body``, ``parse_rest_response``,
  ``rest_predict``, ``ServingError``);
- gRPC (port 8500): :func:`grpc_request` / :func:`grpc_predict` use
  ``tensorflow_serving.apis.prediction_service_pb2_grpc`` (``grpcio`` is a dependency of
  ``tensorflow-serving-api``) and ``tf.make_tensor_proto``; :func:`grpc_channel` is
  ``grpc.secure_channel`` with root certificates, or ``grpc.insecure_channel``;
- TLS, auth headers and retries (:mod:`seqkit.serving.client.transport`): ``https`` with a CA
  bundle (``ca_file=``), ``root_certificates=`` for gRPC, ``headers=`` sent as HTTP headers
  and gRPC metadata, ``retries=3`` with exponential ``backoff`` on HTTP 502/503/504, reset
  connections and gRPC ``UNAVAILABLE`` (``DEADLINE_EXCEEDED`` too with
  ``retry_timeouts=True``); every other error is raised at once with its status and body;
- :class:`ServingClient`: one model on one server, over either, with those settings;
  :meth:`ServingClient.transport` sends a :class:`StreamingSession`'s requests;
- the streaming session of ``serving_step`` (:mod:`seqkit.serving.client.streaming`, imported
  from here on first use): :class:`StreamingSession`, :data:`STEP_SIGNATURE_NAME`,
  :func:`rest_transport`, :func:`grpc_transport`, :func:`signature_transport`,
  :func:`read_streaming_metadata`.

The request builders (``rest_body``, ``rest_url``, ``grpc_request``) are pure functions and
need no server.

Example:

>>> rest_body({"text": ["a great film"]}, format="inputs")
{'signature_name': 'serving_default', 'inputs': {'text': ['a great film']}}
>>> grpc_request("text_lstm", {"text": ["a great film"]}).model_spec.name
'text_lstm'
>>> client = ServingClient("tfs.example.com", model="sensor", ca_file=None, tls=True,
...                        headers={"Authorization": "Bearer t0ken"})
>>> client.url()
'https://tfs.example.com:8501/v1/models/sensor:predict'
>>> StreamingSession.__module__, STEP_SIGNATURE_NAME
('seqkit.serving.client.streaming', 'serving_step')
"""

from __future__ import annotations

import urllib.request

import numpy as np

from seqkit._lazy import lazy_module_attributes
from seqkit.errors import ConfigError
from seqkit.serving.client.transport import (
    FORMATS,
    NAN_POLICIES,
    RetryPolicy,
    ServingError,
    check_headers,
    encode_body,
    grpc_metadata,
    http_json,
    input_columns,
    parse_rest_response,
    read_pem,
    rest_body,
    rest_predict,
    rest_url,
    with_retries,
)
from seqkit.serving.signature import SIGNATURE_NAME
from seqkit.serving.step import STEP_SIGNATURE_NAME
from seqkit.validation import check_bool, check_choice

PROTOCOLS = ("rest", "grpc")

#: the streaming session's names, from :mod:`seqkit.serving.client.streaming` on first use (that
#: module builds its gRPC requests with this one's :func:`grpc_request`)
_STREAMING = {name: "seqkit.serving.client.streaming" for name in (
    "StreamingSession", "grpc_transport", "read_streaming_metadata", "rest_transport",
    "signature_transport")}

__all__ = ["FORMATS", "NAN_POLICIES", "PROTOCOLS", "STEP_SIGNATURE_NAME", "ServingClient",
           "ServingError", "encode_body", "grpc_channel", "grpc_predict", "grpc_request",
           "parse_rest_response", "rest_body", "rest_predict", "rest_url"]
__all__ += sorted(_STREAMING)

__getattr__, __dir__ = lazy_module_attributes(__name__, _STREAMING, globals())


def _use_tls(tls, *material) -> bool:
    """``tls`` given, else whether any TLS material was; TLS material without TLS is refused."""
    given = any(m is not None for m in material)
    if tls is None:
        return given
    tls = check_bool("tls", tls)
    if given and not tls:
        raise ConfigError("ca_file / root_certificates need tls=True (or leave tls unset)")
    return tls


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


def grpc_channel(target: str, *, tls: bool = False, root_certificates=None):
    """A channel to ``target``: ``grpc.secure_channel`` (TLS) or ``grpc.insecure_channel``.

    Args:
        target: ``"host:port"``.
        tls: use TLS.
        root_certificates: PEM bytes or a PEM file that check the server's certificate
            (default with ``tls``: gRPC's bundled roots).

    Returns:
        A ``grpc.Channel`` (use it as a context manager).

    Raises:
        ConfigError: ``root_certificates`` without ``tls``, or not PEM.

    Example:

    >>> with grpc_channel("127.0.0.1:1") as channel:
    ...     type(channel).__name__
    'Channel'
    """
    import grpc

    pem = read_pem(root_certificates)
    if not _use_tls(tls, pem):
        return grpc.insecure_channel(target)
    return grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates=pem))


def grpc_predict(target: str, model: str, inputs: dict, *, signature_name=SIGNATURE_NAME,
                 version=None, label=None, dtypes=None, timeout: float = 30.0, tls=None,
                 root_certificates=None, headers=None, retries: int = 3,
                 backoff: float = 0.1, max_backoff: float = 2.0,
                 retry_timeouts: bool = False):
    """Call ``PredictionService/Predict`` at ``target`` (``"host:8500"``).

    Each attempt opens its own channel (a channel that just failed to connect waits out
    gRPC's reconnect backoff, so a retry on it would fail at once).

    Args:
        target: the server's gRPC address.
        model: the model's name.
        inputs: ``{input name: batch}``.
        signature_name: the signature to call.
        version: a specific version.
        label: a version label.
        dtypes: tensor dtypes per input (see :func:`grpc_request`).
        timeout: seconds to wait for the answer (each attempt).
        tls: use ``grpc.secure_channel``; default: when ``root_certificates`` is given.
        root_certificates: PEM bytes or file checking the server (see :func:`grpc_channel`).
        headers: call metadata, e.g. ``{"Authorization": "Bearer ..."}`` (keys sent in
            lower case).
        retries: retries of ``UNAVAILABLE`` (and ``DEADLINE_EXCEEDED`` with
            ``retry_timeouts``); other codes are raised at once.
        backoff: seconds before the first retry, doubled before each next one.
        max_backoff: the longest wait between two attempts.
        retry_timeouts: also retry ``DEADLINE_EXCEEDED``.

    Returns:
        ``{output name: array}``.

    Raises:
        ConfigError: bad ``headers``, certificates or retry arguments.
        ServingError: a gRPC error (its code and details; the attempts after retries),
            including no server at ``target``.

    Example:

    >>> import socket
    >>> with socket.socket() as s:   # a free port: nobody listens there
    ...     s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    >>> grpc_predict(f"127.0.0.1:{port}", "gru", {"window": [[[0.0]]]}, timeout=5, retries=1)
    Traceback (most recent call last):
    ...
    seqkit.serving.client.transport.ServingError: gRPC Predict at 127.0.0.1:... failed \
(after 2 attempts): UNAVAILABLE: ...
    """
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    request = grpc_request(model, inputs, signature_name=signature_name, version=version,
                           label=label, dtypes=dtypes)
    metadata = grpc_metadata(check_headers(headers)) or None
    retry = RetryPolicy(retries, backoff, max_backoff, retry_timeouts)
    pem = read_pem(root_certificates)
    secure = _use_tls(tls, pem)

    def attempt():
        with grpc_channel(target, tls=secure, root_certificates=pem) as channel:
            stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
            return stub.Predict(request, timeout=timeout, metadata=metadata)

    def describe(err, attempts):
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        return ServingError(f"gRPC Predict at {target} failed{tries}: {err.code().name}: "
                            f"{err.details()}")

    response = with_retries(attempt, retry, catch=grpc.RpcError,
                            transient=lambda err: _grpc_transient(err, retry.grpc_codes()),
                            describe=describe)
    return {name: tf.make_ndarray(proto) for name, proto in response.outputs.items()}


def _grpc_transient(err, codes) -> bool:
    """A retryable code, unless it is a failed TLS handshake (gRPC reports those as
    ``UNAVAILABLE`` too, but a certificate does not become valid in a second)."""
    details = str(err.details() or "")
    return (err.code().name in codes and "CERTIFICATE_VERIFY_FAILED" not in details
            and "handshake failed" not in details.lower())


# ----------------------------------------------------------------------------- client


class ServingClient:
    """One model on one TF Serving instance, over REST or gRPC, with TLS, auth and retries.

    Args:
        host: the server's host name (as in its certificate, with TLS).
        model: the model's name on the server.
        rest_port: the REST port.
        grpc_port: the gRPC port.
        version: a specific version (default: the one the server serves).
        signature_name: the signature to call.
        timeout: seconds to wait for each answer (each attempt).
        tls: ``https`` and ``grpc.secure_channel``; default: when ``ca_file`` or
            ``root_certificates`` is given.
        ca_file: the PEM CA bundle that checks the server (REST; gRPC too unless
            ``root_certificates`` is given); default with ``tls``: the system's CAs (REST)
            and gRPC's roots.
        root_certificates: PEM bytes or file for gRPC (see :func:`grpc_channel`).
        headers: sent with every request (HTTP headers, gRPC metadata), e.g.
            ``{"Authorization": "Bearer ..."}``.
        retries: retries of a transient error (HTTP 502/503/504, a reset connection,
            gRPC ``UNAVAILABLE``); ``0`` for none.
        backoff: seconds before the first retry, doubled before each next one.
        max_backoff: the longest wait between two attempts.
        retry_timeouts: also retry timeouts (gRPC ``DEADLINE_EXCEEDED``).

    Raises:
        ConfigError: bad headers, certificates or retry arguments, TLS material with
            ``tls=False``.

    Example (against a running server, answers as in ``docs/serving.md``; without one,
    every call raises :class:`ServingError`):

    >>> import socket
    >>> with socket.socket() as s:   # a free port: nobody listens there
    ...     s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    >>> client = ServingClient("127.0.0.1", model="text_lstm", rest_port=port, timeout=5)
    >>> client.predict({"text": ["a great film"]})
    Traceback (most recent call last):
    ...
    seqkit.serving.client.transport.ServingError: cannot reach http://127.0.0.1:...:predict: ...
    """

    def __init__(self, host: str = "localhost", *, model: str, rest_port: int = 8501,
                 grpc_port: int = 8500, version: int | None = None,
                 signature_name: str = SIGNATURE_NAME, timeout: float = 30.0, tls=None,
                 ca_file=None, root_certificates=None, headers=None, retries: int = 3,
                 backoff: float = 0.1, max_backoff: float = 2.0,
                 retry_timeouts: bool = False):
        self.host, self.model, self.version = host, model, version
        self.rest_port, self.grpc_port = rest_port, grpc_port
        self.signature_name, self.timeout = signature_name, timeout
        self.tls = _use_tls(tls, ca_file, root_certificates)
        self.ca_file = ca_file
        self.root_certificates = read_pem(root_certificates if root_certificates is not None
                                          else ca_file, "root_certificates (or ca_file)")
        self.headers = check_headers(headers)
        self.retry = RetryPolicy(retries, backoff, max_backoff, retry_timeouts)
        self._outputs = None

    def url(self, verb: str = "predict") -> str:
        """The REST URL of the model (``https`` with TLS).

        Args:
            verb: ``"predict"``, or ``""`` for the status URL.

        Returns:
            The URL.

        Example:

        >>> ServingClient("tfs", model="gru", version=2).url()
        'http://tfs:8501/v1/models/gru/versions/2:predict'
        """
        return rest_url(self.host, self.rest_port, self.model, version=self.version,
                        verb=verb, scheme="https" if self.tls else "http")

    def _get(self, url: str):
        request = urllib.request.Request(url, headers=self.headers)
        return http_json(request, self.timeout, ca_file=self.ca_file, retry=self.retry)

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
        return self._get(self.url(""))

    def signature(self, signature_name: str | None = None) -> dict:
        """A signature's ``{"inputs": [...], "outputs": [...]}`` names, from ``/metadata``.

        Args:
            signature_name: the signature (default: the client's).

        Returns:
            Sorted input and output names, e.g. ``{"inputs": ["text"], "outputs":
            ["class_ids", "class_names", "probabilities"]}``.

        Raises:
            ServingError: an HTTP error, or no server.
            KeyError: the server does not know the signature.

        Example: ``ServingClient("localhost", model="text_lstm").signature()`` (needs a
        server).
        """
        meta = self._get(self.url("").rstrip("/") + "/metadata")
        sig = meta["metadata"]["signature_def"]["signature_def"][
            signature_name or self.signature_name]
        return {"inputs": sorted(sig["inputs"]), "outputs": sorted(sig["outputs"])}

    def predict(self, inputs: dict, *, protocol: str = "rest", format: str = "instances",
                nan: str = "pass", signature_name: str | None = None) -> dict[str, np.ndarray]:
        """Predict over REST or gRPC.

        Args:
            inputs: ``{input name: batch}``.
            protocol: ``"rest"`` or ``"grpc"``.
            format: REST only: ``"instances"`` or ``"inputs"`` (see :func:`rest_body`).
            nan: REST only: the NaN policy (see :func:`rest_body`).
            signature_name: another signature than the client's (e.g. ``serving_step``).

        Returns:
            ``{output name: array}``.

        Raises:
            ConfigError: an unknown ``protocol``.
            ServingError: the server answered with an error, or could not be reached.

        Example: see the class example.
        """
        check_choice("protocol", protocol, PROTOCOLS)
        name = signature_name or self.signature_name
        transport = dict(timeout=self.timeout, headers=self.headers,
                         retries=self.retry.retries, backoff=self.retry.backoff,
                         max_backoff=self.retry.max_backoff,
                         retry_timeouts=self.retry.retry_timeouts)
        if protocol == "grpc":
            return grpc_predict(f"{self.host}:{self.grpc_port}", self.model, inputs,
                                signature_name=name, version=self.version, tls=self.tls,
                                root_certificates=self.root_certificates, **transport)
        return rest_predict(self.url(), inputs, format=format, signature_name=name, nan=nan,
                            output_names=self._output_names(name), ca_file=self.ca_file,
                            **transport)

    def _output_names(self, name: str):
        """The signature's output names (they name a single unnamed REST output)."""
        if name != self.signature_name:
            return None  # serving_step has several outputs: the response names them
        if self._outputs is None:
            try:
                self._outputs = self.signature()["outputs"]
            except (ServingError, KeyError):
                self._outputs = []
        return self._outputs or None

    def transport(self, signature_name: str = STEP_SIGNATURE_NAME, *,
                  protocol: str = "rest"):
        """A transport for :class:`StreamingSession`: its requests go through this client
        (its TLS, headers and retries), to ``signature_name``.

        Args:
            signature_name: the signature (default ``serving_step``).
            protocol: ``"rest"`` (column format) or ``"grpc"``.

        Returns:
            ``feeds -> {output name: array}``.

        Raises:
            ConfigError: an unknown ``protocol``.

        Example:

        >>> send = ServingClient("tfs", model="sensor", tls=True).transport(protocol="grpc")
        >>> callable(send)
        True
        """
        check_choice("protocol", protocol, PROTOCOLS)

        def send(feeds):
            return self.predict(feeds, protocol=protocol, format="inputs",
                                signature_name=signature_name)

        return send
