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
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from seqkit.errors import ConfigError
from seqkit.validation import check_bool, check_int, check_number, fail

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
