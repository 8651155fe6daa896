"""What the REST and gRPC clients share on the wire: TLS material, auth headers, retries.

- TLS: an ``https`` URL is checked against a CA bundle (:func:`ssl_context`, ``ca_file=``;
  default: the system's CAs); a gRPC ``secure_channel`` against root certificates
  (:func:`read_pem`, ``root_certificates=`` PEM bytes or a file; default: gRPC's roots).
- Auth: extra headers (:func:`check_headers`), e.g. ``{"Authorization": "Bearer ..."}``,
  go out as HTTP headers and as gRPC call metadata (:func:`grpc_metadata`: lower-case keys,
  as HTTP/2 requires). Their values never appear in error messages.
- Retries (:class:`RetryPolicy`, :func:`with_retries`): a bounded number of retries with
  exponential backoff, on transient errors only — HTTP 502/503/504 and a connection reset
  or dropped by the server; gRPC ``UNAVAILABLE`` (not a failed TLS handshake, which gRPC
  also reports so); timeouts (``DEADLINE_EXCEEDED``) only
  with ``retry_timeouts=True``, since a request that timed out may be slow rather than
  lost and each retry waits the whole timeout again. Every other error is raised at once.
  A predict call is safe to repeat: TF Serving keeps nothing between requests.

Example:

>>> RetryPolicy(retries=4, backoff=0.1, max_backoff=0.5).delays()
[0.1, 0.2, 0.4, 0.5]
>>> grpc_metadata(check_headers({"Authorization": "Bearer t0ken"}))
(('authorization', 'Bearer t0ken'),)

TF Serving's REST ``:predict`` API: request bodies, responses, one POST (urllib + JSON).

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

TLS, auth and retries (:mod:`seqkit.serving.client.transport`): an ``https`` URL is checked
against ``ca_file=`` (default: the system's CAs); ``headers=`` are sent with each request
(``{"Authorization": "Bearer ..."}``); ``retries=`` (default 3) retries HTTP 502/503/504 and
connections reset by the server, waiting ``backoff`` seconds, doubled each time up to
``max_backoff``; every other HTTP error is raised at once with its status and body.

The builders (:func:`rest_url`, :func:`rest_body`, :func:`encode_body`) and
:func:`parse_rest_response` are pure functions and need no server. The public names are
also importable from :mod:`seqkit.serving.client`.

Example:

>>> rest_url("localhost", 8501, "text_lstm")
'http://localhost:8501/v1/models/text_lstm:predict'
>>> rest_body({"text": ["a great film", "dull"]})
{'signature_name': 'serving_default', 'instances': [{'text': 'a great film'}, {'text': 'dull'}]}
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqkit.errors import ConfigError, DataError
from seqkit.serving.signature import SIGNATURE_NAME
from seqkit.validation import check_bool, check_choice, check_int, check_number, fail

TRANSIENT_HTTP_STATUSES = (502, 503, 504)
TRANSIENT_GRPC_CODES = ("UNAVAILABLE",)
TIMEOUT_GRPC_CODES = ("DEADLINE_EXCEEDED",)
MAX_RETRIES = 10

__all__ = ["MAX_RETRIES", "TIMEOUT_GRPC_CODES", "TRANSIENT_GRPC_CODES",
           "TRANSIENT_HTTP_STATUSES", "RetryPolicy", "check_headers", "grpc_metadata",
           "read_pem", "ssl_context", "with_retries"]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff on transient errors.

    Args:
        retries: retries after the first attempt, ``0`` to ``MAX_RETRIES`` (10).
        backoff: seconds before the first retry (``>= 0``); doubled before each next one.
        max_backoff: the longest single wait, seconds (``>= backoff``).
        retry_timeouts: also retry timeouts (gRPC ``DEADLINE_EXCEEDED``, an HTTP read or
            connect timeout).

    Raises:
        ConfigError: a value out of range.

    Example:

    >>> RetryPolicy().delays()
    [0.1, 0.2, 0.4]
    >>> RetryPolicy(retries=0).delays()
    []
    >>> RetryPolicy(retries=50)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: retries must be an integer from 0 to 10, got 50
    """

    retries: int = 3
    backoff: float = 0.1
    max_backoff: float = 2.0
    retry_timeouts: bool = False

    def __post_init__(self):
        retries = check_int("retries", self.retries, minimum=0)
        if retries > MAX_RETRIES:
            fail("retries", f"an integer from 0 to {MAX_RETRIES}", self.retries)
        backoff = check_number("backoff", self.backoff)
        if backoff < 0:
            fail("backoff", "a number >= 0 (seconds)", self.backoff)
        max_backoff = check_number("max_backoff", self.max_backoff)
        if max_backoff < backoff:
            fail("max_backoff", f"a number >= backoff ({backoff})", self.max_backoff)
        object.__setattr__(self, "retries", retries)
        object.__setattr__(self, "backoff", backoff)
        object.__setattr__(self, "max_backoff", max_backoff)
        object.__setattr__(self, "retry_timeouts",
                           check_bool("retry_timeouts", self.retry_timeouts))

    def delays(self) -> list[float]:
        """The waits before each retry: ``min(backoff * 2**i, max_backoff)``.

        Returns:
            ``retries`` numbers of seconds.

        Example:

        >>> RetryPolicy(retries=3, backoff=1.0, max_backoff=3.0).delays()
        [1.0, 2.0, 3.0]
        """
        return [min(self.backoff * 2 ** i, self.max_backoff) for i in range(self.retries)]

    def grpc_codes(self) -> tuple[str, ...]:
        """The gRPC status code names retried.

        Returns:
            ``("UNAVAILABLE",)``, plus ``"DEADLINE_EXCEEDED"`` with ``retry_timeouts``.

        Example:

        >>> RetryPolicy(retry_timeouts=True).grpc_codes()
        ('UNAVAILABLE', 'DEADLINE_EXCEEDED')
        """
        return TRANSIENT_GRPC_CODES + (TIMEOUT_GRPC_CODES if self.retry_timeouts else ())


def with_retries(call, policy: RetryPolicy, *, catch, transient, describe, sleep=time.sleep):
    """``call()`` until it returns, fails for good, or the retries run out.

    Args:
        call: a function of no argument (one attempt).
        policy: the :class:`RetryPolicy`.
        catch: the exception types an attempt may raise for a transport reason; others
            propagate untouched.
        transient: ``error -> bool``: worth another attempt.
        describe: ``(error, attempts) -> exception`` raised (``from error``) when an
            error is not transient or no retry is left.
        sleep: the wait function (tests pass a recorder).

    Returns:
        What ``call()`` returned.

    Raises:
        Exception: ``describe(error, attempts)``.

    Example:

    >>> answers, waits = iter([OSError("busy"), OSError("busy"), "ok"]), []
    >>> def call():
    ...     answer = next(answers)
    ...     if isinstance(answer, Exception):
    ...         raise answer
    ...     return answer
    >>> with_retries(call, RetryPolicy(), catch=OSError, transient=lambda e: True,
    ...              describe=lambda e, n: RuntimeError(f"{e} after {n}"), sleep=waits.append)
    'ok'
    >>> waits
    [0.1, 0.2]
    """
    delays = policy.delays()
    for attempt in range(1, len(delays) + 2):
        try:
            return call()
        except catch as err:
            if attempt > len(delays) or not transient(err):
                raise describe(err, attempt) from err
            sleep(delays[attempt - 1])
    raise AssertionError("unreachable")  # pragma: no cover


def check_headers(headers) -> dict[str, str]:
    """Extra request headers (auth tokens, ...) as ``{name: value}`` strings.

    Args:
        headers: ``None`` or a dict of non-empty header names to string values (no line
            breaks in either).

    Returns:
        A new dict (empty for ``None``).

    Raises:
        ConfigError: anything else (the message names the header, never its value).

    Example:

    >>> check_headers({"Authorization": "Bearer abc"})
    {'Authorization': 'Bearer abc'}
    >>> check_headers({"Authorization": 42})
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: headers['Authorization'] must be a string without line \
breaks (value not shown)
    """
    if headers is None:
        return {}
    if not isinstance(headers, dict):
        fail("headers", "None or a {name: value} dict of strings", type(headers).__name__)
    checked = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not name.strip() or any(c in name for c in "\r\n:"):
            fail("headers", "a dict keyed by header names (no ':' or line breaks)", name)
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            raise ConfigError(f"headers[{name!r}] must be a string without line breaks "
                              f"(value not shown)")
        checked[name] = value
    return checked


def grpc_metadata(headers: dict) -> tuple[tuple[str, str], ...]:
    """gRPC call metadata from headers: lower-case keys (HTTP/2 and gRPC require them).

    Args:
        headers: checked headers (:func:`check_headers`).

    Returns:
        ``((key, value), ...)``, empty without headers.

    Example:

    >>> grpc_metadata({"X-Api-Key": "k"})
    (('x-api-key', 'k'),)
    """
    return tuple((name.lower(), value) for name, value in headers.items())


def read_pem(value, name: str = "root_certificates") -> bytes | None:
    """PEM certificates as bytes: given as bytes, or as the path of a file holding them.

    Args:
        value: ``None``, PEM ``bytes``, or a ``str``/``Path`` naming a PEM file.
        name: the argument's name, for messages.

    Returns:
        The PEM bytes, or ``None``.

    Raises:
        ConfigError: no such file, or data without a ``-----BEGIN`` block.

    Example:

    >>> read_pem(b"-----BEGIN CERTIFICATE-----\\n...")[:11]
    b'-----BEGIN '
    >>> read_pem("/no/such/ca.pem")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: root_certificates must be PEM bytes or the path of a PEM \
file, got '/no/such/ca.pem' (no such file)
    """
    if value is None:
        return None
    if isinstance(value, (str, Path)):
        path = Path(value)
        if not path.is_file():
            raise ConfigError(f"{name} must be PEM bytes or the path of a PEM file, got "
                              f"{str(value)!r} (no such file)")
        value = path.read_bytes()
    if not isinstance(value, bytes) or b"-----BEGIN" not in value:
        raise ConfigError(f"{name} must be PEM bytes or the path of a PEM file (no "
                          f"'-----BEGIN' block found)")
    return value


def ssl_context(ca_file=None):
    """The TLS context of ``https`` requests: certificates checked, host names too.

    Args:
        ca_file: a PEM CA bundle (e.g. the self-signed certificate of a test server), or
            ``None`` for the system's CAs.

    Returns:
        An ``ssl.SSLContext`` (``ssl.create_default_context(cafile=ca_file)``).

    Raises:
        ConfigError: no such file, or not a CA bundle.

    Example:

    >>> ssl_context().check_hostname
    True
    >>> ssl_context("/no/such/ca.pem")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: ca_file must be a PEM CA bundle, got '/no/such/ca.pem' \
(no such file)
    """
    import ssl

    if ca_file is None:
        return ssl.create_default_context()
    if not Path(ca_file).is_file():
        raise ConfigError(f"ca_file must be a PEM CA bundle, got {str(ca_file)!r} "
                          f"(no such file)")
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except ssl.SSLError as err:
        raise ConfigError(f"ca_file {str(ca_file)!r} is not a PEM CA bundle: {err}") from err


FORMATS = ("instances", "inputs")
NAN_POLICIES = ("pass", "error", "null")


class ServingError(RuntimeError):
    """TF Serving answered with an error (HTTP status ≥ 400 or a gRPC error), or could not
    be reached.

    Example:

    >>> parse_rest_response({"error": "Input size mismatch"})
    Traceback (most recent call last):
    ...
    seqkit.serving.client.transport.ServingError: Input size mismatch
    """


def rest_url(host: str = "localhost", port: int = 8501, model: str = "model", *,
             version: int | None = None, label: str | None = None,
             verb: str = "predict", scheme: str = "http") -> str:
    """``http://host:port/v1/models/model[/versions/N | /labels/L]:verb``.

    Args:
        host: the server's host name.
        port: its REST port.
        model: the model's name (its folder name in ``models.config``).
        version: a specific version (not with ``label``).
        label: a version label (not with ``version``).
        verb: ``"predict"``, ``"classify"``, ...; ``""`` for the status URL.
        scheme: ``"http"`` or ``"https"``.

    Returns:
        The URL.

    Raises:
        ConfigError: a model name unusable in a URL, or both ``version`` and ``label``.

    Example:

    >>> rest_url("tfs", 8501, "gru", version=3)
    'http://tfs:8501/v1/models/gru/versions/3:predict'
    >>> rest_url(model="gru", verb="")
    'http://localhost:8501/v1/models/gru'
    """
    if not model or not isinstance(model, str) or "/" in model:
        fail("model", "a model name usable in a URL (non-empty, no '/')", model)
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


def input_columns(inputs) -> dict:
    """``{input name: array}`` with a batch axis each and one batch size for all.

    Args:
        inputs: ``{input name: batch}`` (arrays, nested lists, or one string).

    Returns:
        NumPy arrays (texts as ``object`` arrays).

    Raises:
        DataError: empty ``inputs``, a scalar, different batch sizes.

    Example:

    >>> input_columns({"text": "one text"})
    {'text': array(['one text'], dtype=object)}
    """
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

    Args:
        inputs: ``{input name: batch}`` (arrays or nested lists, first axis = examples;
            one string is a batch of one).
        format: ``"instances"``: rows, ``[{name: example}, ...]``; ``"inputs"``: columns,
            ``{name: batch}``.
        signature_name: the signature to call.
        nan: ``"pass"`` (send NaN/infinities as TF Serving's tokens), ``"error"`` (refuse
            them) or ``"null"`` (send ``null``; TF Serving rejects it).

    Returns:
        A JSON-able dict (bytes that are not UTF-8 as ``{"b64": ...}``).

    Raises:
        ConfigError: an unknown ``format`` or ``nan``.
        DataError: an empty ``inputs``, a scalar, different batch sizes, or NaN with
            ``nan="error"``.

    Example:

    >>> import numpy as np
    >>> rest_body({"window": np.array([[[1.0], [2.0]]], "float32")}, format="inputs")
    {'signature_name': 'serving_default', 'inputs': {'window': [[[1.0], [2.0]]]}}
    >>> rest_body({"text": [b"\\xff raw"]})["instances"]
    [{'text': {'b64': '/yByYXc='}}]
    >>> rest_body({"window": [[float("nan")]]}, nan="error")
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: input 'window' row 0 holds NaN or infinite values (nan='error')
    """
    check_choice("format", format, FORMATS)
    check_choice("nan", nan, NAN_POLICIES)
    columns = input_columns(inputs)
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
    """JSON bytes; non-finite floats as ``NaN``/``Infinity``/``-Infinity`` (TF Serving's).

    Args:
        body: a request body (:func:`rest_body`).

    Returns:
        Compact UTF-8 JSON.

    Example:

    >>> encode_body({"inputs": {"window": [1.0, float("inf")]}})
    b'{"inputs":{"window":[1.0,Infinity]}}'
    """
    return json.dumps(body, allow_nan=True, separators=(",", ":")).encode("utf-8")


def parse_rest_response(payload, output_names=None) -> dict[str, np.ndarray]:
    """``{output name: array}`` from a ``:predict`` response (either format).

    Args:
        payload: the response (a dict, or its JSON text/bytes).
        output_names: the signature's output names (e.g. from
            :meth:`ServingClient.signature`); a single-output signature answers without
            names, and this supplies the name (else ``"output"``).

    Returns:
        ``{output name: array}`` (strings as ``object`` arrays).

    Raises:
        ServingError: the response is an error, or not a predict response.

    Example:

    >>> parse_rest_response('{"predictions": [{"class_ids": 1}, {"class_ids": 0}]}')
    {'class_ids': array([1, 0])}
    >>> parse_rest_response('{"outputs": [[0.5], [NaN]]}', output_names=["forecast"])
    {'forecast': array([[0.5],
           [nan]])}
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
                 output_names=None, timeout: float = 30.0, ca_file=None, headers=None,
                 retries: int = 3, backoff: float = 0.1, max_backoff: float = 2.0,
                 retry_timeouts: bool = False) -> dict[str, np.ndarray]:
    """POST a ``:predict`` request to ``url`` and parse the answer.

    Args:
        url: the ``:predict`` URL (:func:`rest_url`; ``https://`` for TLS).
        inputs: ``{input name: batch}``.
        format: ``"instances"`` or ``"inputs"`` (see :func:`rest_body`).
        signature_name: the signature to call.
        nan: the NaN policy (see :func:`rest_body`).
        output_names: the signature's output names (see :func:`parse_rest_response`).
        timeout: seconds to wait for the answer (each attempt).
        ca_file: the CA bundle that checks an ``https`` server (default: the system's).
        headers: extra headers, e.g. ``{"Authorization": "Bearer ..."}``.
        retries: retries of a transient error (HTTP 502/503/504, a connection reset).
        backoff: seconds before the first retry, doubled before each next one.
        max_backoff: the longest wait between two attempts.
        retry_timeouts: also retry a timed-out attempt.

    Returns:
        ``{output name: array}``.

    Raises:
        ConfigError: bad ``headers``, ``ca_file`` or retry arguments.
        ServingError: an HTTP error (its status and body), no server at ``url``, or still
            a transient error after the retries (the last status, the attempts).

    Example:

    >>> import socket
    >>> with socket.socket() as s:   # a free port: nobody listens there
    ...     s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    >>> rest_predict(rest_url("127.0.0.1", port, "gru"), {"window": [[[0.0]]]}, timeout=5)
    Traceback (most recent call last):
    ...
    seqkit.serving.client.transport.ServingError: cannot reach http://127.0.0.1:...:predict: ...
    """
    data = encode_body(rest_body(inputs, format=format, signature_name=signature_name,
                                 nan=nan))
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", **check_headers(headers)})
    retry = RetryPolicy(retries, backoff, max_backoff, retry_timeouts)
    return parse_rest_response(http_json(request, timeout, ca_file=ca_file, retry=retry),
                               output_names)


def http_json(request, timeout: float, *, ca_file=None, retry: RetryPolicy | None = None):
    """Send ``request`` and parse the JSON answer, retrying transient errors.

    Args:
        request: a ``urllib.request.Request`` (with its headers).
        timeout: seconds to wait (each attempt).
        ca_file: the CA bundle for an ``https`` URL (default: the system's CAs); refused
            for an ``http`` URL.
        retry: the :class:`~seqkit.serving.client.transport.RetryPolicy`; default: no retry.

    Returns:
        The parsed JSON.

    Raises:
        ConfigError: ``ca_file`` with an ``http`` URL.
        ServingError: an HTTP status ≥ 400 (with the server's message), no server, a TLS
            failure, or a transient error still there after the retries.

    Example:

    >>> import socket
    >>> with socket.socket() as s:   # a free port: nobody listens there
    ...     s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    >>> http_json(urllib.request.Request(f"http://127.0.0.1:{port}/v1/models/m"), 5)
    Traceback (most recent call last):
    ...
    seqkit.serving.client.transport.ServingError: cannot reach http://127.0.0.1:.../v1/models/m: ...
    """
    url = request.full_url
    https = url.lower().startswith("https://")
    if ca_file is not None and not https:
        raise ConfigError(f"ca_file checks https servers; {url} is not https")
    context = ssl_context(ca_file) if https else None
    retry = retry or RetryPolicy(retries=0)

    def attempt():
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            text = response.read().decode("utf-8", "replace")
        try:
            return json.loads(text)
        except ValueError:
            raise ServingError(f"{url} answered with something that is not JSON: "
                               f"{text[:200]!r}") from None

    return with_retries(attempt, retry, catch=_HTTP_FAILURES,
                        transient=lambda err: _http_transient(err, retry),
                        describe=lambda err, n: _http_error(err, url, n))


#: what one attempt can raise for a transport reason (``urlopen`` lets errors of reading
#: the response, e.g. ``RemoteDisconnected``, through unwrapped)
_HTTP_FAILURES = (urllib.error.URLError, http.client.HTTPException, OSError)


def _http_transient(err, retry: RetryPolicy) -> bool:
    if isinstance(err, urllib.error.HTTPError):
        return err.code in TRANSIENT_HTTP_STATUSES
    reason = err.reason if isinstance(err, urllib.error.URLError) else err
    if isinstance(reason, TimeoutError):
        return retry.retry_timeouts
    return isinstance(reason, (ConnectionResetError, ConnectionAbortedError,
                               BrokenPipeError, http.client.RemoteDisconnected,
                               http.client.IncompleteRead))


def _http_error(err, url: str, attempts: int) -> ServingError:
    tries = f" (after {attempts} attempts)" if attempts > 1 else ""
    if isinstance(err, urllib.error.HTTPError):
        detail = err.read().decode("utf-8", "replace")
        return ServingError(f"HTTP {err.code} from {url}{tries}: {detail}")
    if isinstance(err, urllib.error.URLError):
        return ServingError(f"cannot reach {url}{tries}: {err.reason}")
    return ServingError(f"connection to {url} failed{tries}: {type(err).__name__}: {err}")
