"""TF Serving's REST ``:predict`` API: request bodies, responses, one POST (urllib + JSON).

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
import urllib.error
import urllib.request

import numpy as np

from seqkit.errors import ConfigError, DataError
from seqkit.serving.client.transport import (
    TRANSIENT_HTTP_STATUSES,
    RetryPolicy,
    check_headers,
    ssl_context,
    with_retries,
)
from seqkit.serving.signature import SIGNATURE_NAME
from seqkit.validation import check_choice, fail

FORMATS = ("instances", "inputs")
NAN_POLICIES = ("pass", "error", "null")


class ServingError(RuntimeError):
    """TF Serving answered with an error (HTTP status ≥ 400 or a gRPC error), or could not
    be reached.

    Example:

    >>> parse_rest_response({"error": "Input size mismatch"})
    Traceback (most recent call last):
    ...
    seqkit.serving.client.rest.ServingError: Input size mismatch
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
    seqkit.serving.client.rest.ServingError: cannot reach http://127.0.0.1:...:predict: ...
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
    seqkit.serving.client.rest.ServingError: cannot reach http://127.0.0.1:.../v1/models/m: ...
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
