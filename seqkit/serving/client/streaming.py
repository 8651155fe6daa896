"""A client-side streaming session for the ``serving_step`` signature.

TF Serving keeps nothing between requests, so :class:`StreamingSession` keeps the RNN
states: each request carries the new steps and the states, each response the outputs and
the new states (:mod:`seqkit.serving.step` has the signature's contract)::

    session = StreamingSession("models/sensor")      # reads assets.extra/seqkit_export.json
    body = session.rest_request(x_new)               # POST it to .../sensor:predict
    outputs = session.update(response_json)          # keeps the new states
    # or, with a transport that sends and answers:
    session = StreamingSession("models/sensor", transport=rest_transport("tfs", 8501, "sensor"))
    outputs = session.step(x_new)

Zero states are the start of a sequence (:meth:`StreamingSession.reset`). Do not send
padding steps: a masked step leaves the states as they were. With curl, one step of a
3-feature GRU model with 8 units (a batch of one)::

    curl -d '{"signature_name": "serving_step", "inputs": {"sequence": [[[0.1, 0.2, 0.3]]],
              "rnn_0_h": [[0, 0, 0, 0, 0, 0, 0, 0]]}}' \\
         http://localhost:8501/v1/models/sensor:predict

Nothing here needs TensorFlow except :meth:`StreamingSession.grpc_request` and the gRPC
transport (``tensorflow-serving-api``), and :func:`signature_transport`.

Example (in-process: the loaded SavedModel's signature is the transport):

>>> import keras, numpy as np, tempfile, tensorflow as tf
>>> import seqkit
>>> inp = keras.Input((None, 3), name="sequence")
>>> model = keras.Model(inp, keras.layers.Dense(2)(seqkit.ExplicitLSTM(4)(inp)))
>>> tmp = tempfile.TemporaryDirectory()
>>> info = seqkit.serving.export(model, f"{tmp.name}/sensor", warmup=False)
>>> loaded = tf.saved_model.load(info.path)
>>> session = StreamingSession(info.path,
...                            transport=signature_transport(loaded.signatures["serving_step"]))
>>> x = np.random.default_rng(0).normal(size=(2, 6, 3)).astype("float32")
>>> for t in range(6):
...     out = session.step(x[:, t])          # one new step per row
>>> bool(np.allclose(out["output"], model(x), atol=1e-5)), session.steps
(True, 6)
>>> tmp.cleanup()
"""

from __future__ import annotations

import json

import numpy as np

from seqkit.errors import ConfigError, DataError
from seqkit.serving.client.transport import (
    ServingError,
    parse_rest_response,
    rest_body,
    rest_predict,
    rest_url,
)

STEP_SIGNATURE_NAME = "serving_step"  # seqkit.serving.step's, without importing Keras
_REST_KEYS = {"outputs", "predictions", "error"}

__all__ = ["StreamingSession", "grpc_transport", "read_streaming_metadata", "rest_transport",
           "signature_transport"]


def read_streaming_metadata(source) -> tuple[dict, str | None, int | None]:
    """The ``streaming`` entry of an export's metadata, with the model's name and version.

    Args:
        source: a version folder or a model's base path (its latest version), the
            export's metadata (:func:`seqkit.serving.read_metadata`), or its
            ``streaming`` entry itself.

    Returns:
        ``(entry, model name on the server or None, version or None)``; from a folder the
        name is the base path's folder name.

    Raises:
        ConfigError: the export has no step signature (with the export's reason), or
            its metadata has no ``streaming`` entry.
        DataError: no SavedModel at ``source``.

    Example:

    >>> read_streaming_metadata({"streaming": {"available": False,
    ...                                        "reason": "a bidirectional layer"}})
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: the export has no serving_step signature: a bidirectional layer
    """
    name = version = None
    if isinstance(source, dict):
        entry = source if "available" in source else source.get("streaming")
    else:
        from seqkit.serving.layout import resolve_saved_model
        from seqkit.serving.metadata import read_metadata

        base, version, version_dir = resolve_saved_model(source)
        entry, name = read_metadata(version_dir).get("streaming"), base.name
    if not isinstance(entry, dict) or "available" not in entry:
        raise ConfigError("the export's metadata has no 'streaming' entry (exported by an "
                          "older seqkit?); export it again")
    if not entry["available"]:
        raise ConfigError(f"the export has no {STEP_SIGNATURE_NAME} signature: "
                          f"{entry.get('reason')}")
    return entry, name, version


class StreamingSession:
    """The states of one stream (a batch of sequences) of a ``serving_step`` export.

    Args:
        source: the export (see :func:`read_streaming_metadata`).
        transport: ``feeds -> response`` that sends one request and returns the answer
            (anything :meth:`update` takes): :func:`rest_transport`,
            :func:`grpc_transport`, :func:`signature_transport` or your own; needed by
            :meth:`step` only.
        model_name: the model's name on the server (default: the base folder's name);
            needed by :meth:`grpc_request`.
        version: a specific version for :meth:`grpc_request` (default: the folder's).

    Attributes:
        states: ``{state name: [B, units] float32}``, or ``None`` before the first step.
        steps: steps fed since the last :meth:`reset`.

    Raises:
        ConfigError: the export has no step signature (the reason is in the message).

    Example: see the module docstring.
    """

    def __init__(self, source, *, transport=None, model_name=None, version=None):
        entry, name, folder_version = read_streaming_metadata(source)
        self.entry = entry
        self.signature_name = entry.get("signature_name", STEP_SIGNATURE_NAME)
        self.sequence_input = entry["sequence_input"]
        self.extra_inputs = list(entry.get("extra_inputs", []))
        self.state_specs = list(entry["states"])
        self.input_specs = dict(entry["inputs"])
        self.output_names = sorted(entry.get("outputs", {}))
        self.transport = transport
        self.model_name = model_name or name
        self.version = version if version is not None else folder_version
        self.states = None
        self.steps = 0
        self._pending = 0

    def reset(self, batch_size: int | None = None):
        """Back to the start of a sequence: zero states (for ``batch_size`` rows, or for
        the batch size of the next step).

        Args:
            batch_size: rows of the next requests, or ``None`` (taken from the next step).

        Example:

        >>> session = StreamingSession({"available": True, "sequence_input": "sequence",
        ...     "states": [{"name": "rnn_0_h", "units": 2}],
        ...     "inputs": {"sequence": {"dtype": "float32", "shape": [None, None, 1]}}})
        >>> session.reset(3)
        >>> session.states["rnn_0_h"].shape, session.steps
        ((3, 2), 0)
        """
        self.steps = self._pending = 0
        self.states = None if batch_size is None else self._zeros(int(batch_size))

    def _zeros(self, batch: int) -> dict:
        return {s["name"]: np.zeros((batch, int(s["units"])), "float32")
                for s in self.state_specs}

    def feeds(self, x_new, extra_inputs=None) -> dict[str, np.ndarray]:
        """The signature's inputs for ``x_new``: the new steps, other inputs, the states.

        Args:
            x_new: ``[B, k, F]`` new steps (k ≥ 1), or ``[B, F]``: one step per row.
            extra_inputs: ``{name: batch}`` for the model's other inputs (covariates).

        Returns:
            ``{input name: array}`` (states: zeros at the start of a sequence).

        Raises:
            DataError: a shape or batch size that does not fit, missing other inputs.

        Example:

        >>> session = StreamingSession({"available": True, "sequence_input": "sequence",
        ...     "states": [{"name": "rnn_0_h", "units": 2}],
        ...     "inputs": {"sequence": {"dtype": "float32", "shape": [None, None, 1]}}})
        >>> {k: v.shape for k, v in session.feeds([[0.5], [1.5]]).items()}
        {'sequence': (2, 1, 1), 'rnn_0_h': (2, 2)}
        """
        x = self._steps_array(x_new)
        if self.states is None:
            self.states = self._zeros(len(x))
        batch = len(next(iter(self.states.values())))
        if len(x) != batch:
            raise DataError(f"x_new has {len(x)} rows, the session's states {batch}; call "
                            f"reset() to start new sequences with another batch size")
        feeds = {self.sequence_input: x}
        given = dict(extra_inputs or {})
        if set(given) != set(self.extra_inputs):
            raise DataError(f"extra_inputs must be {sorted(self.extra_inputs)} (the model's "
                            f"other inputs), got {sorted(given)}")
        for name in self.extra_inputs:
            spec = self.input_specs[name]
            feeds[name] = np.asarray(given[name], dtype=_np_dtype(spec["dtype"]))
        feeds.update(self.states)
        self._pending = x.shape[1]
        return feeds

    def _steps_array(self, x_new) -> np.ndarray:
        spec = self.input_specs[self.sequence_input]
        shape = spec["shape"]
        x = np.asarray(x_new, dtype=_np_dtype(spec["dtype"]))
        if x.ndim == len(shape) - 1:
            x = x[:, None]  # one new step per row
        trailing = list(shape[2:])
        if x.ndim != len(shape) or any(d is not None and d != got
                                       for d, got in zip(trailing, x.shape[2:], strict=True)):
            want = ", ".join(["B", "k", *map(str, trailing)])
            raise DataError(f"x_new must be [{want}] new steps (or one step per row without "
                            f"k), got shape {np.shape(x_new)}")
        if x.shape[1] < 1:
            raise DataError("x_new holds no step (k = 0)")
        return x

    def rest_request(self, x_new, extra_inputs=None, *, nan: str = "pass") -> dict:
        """The body of a REST ``:predict`` request for ``x_new`` (column format).

        Send it, then give the answer to :meth:`update`: building a request does not
        advance the states.

        Args:
            x_new: the new steps (see :meth:`feeds`).
            extra_inputs: the model's other inputs.
            nan: the NaN policy (:func:`seqkit.serving.client.transport.rest_body`).

        Returns:
            ``{"signature_name": "serving_step", "inputs": {...}}``.

        Example:

        >>> session = StreamingSession({"available": True, "sequence_input": "sequence",
        ...     "states": [{"name": "rnn_0_h", "units": 2}],
        ...     "inputs": {"sequence": {"dtype": "float32", "shape": [None, None, 1]}}})
        >>> session.rest_request([[0.5]])
        {'signature_name': 'serving_step', 'inputs': {'sequence': [[[0.5]]], \
'rnn_0_h': [[0.0, 0.0]]}}
        """
        return rest_body(self.feeds(x_new, extra_inputs), format="inputs",
                         signature_name=self.signature_name, nan=nan)

    def grpc_request(self, x_new, extra_inputs=None):
        """A gRPC ``PredictRequest`` for ``x_new`` (see :meth:`rest_request`).

        Args:
            x_new: the new steps (see :meth:`feeds`).
            extra_inputs: the model's other inputs.

        Returns:
            A ``tensorflow_serving.apis.predict_pb2.PredictRequest``.

        Raises:
            ConfigError: no ``model_name`` (give it, or open the session from a folder).

        Example:

        >>> session = StreamingSession({"available": True, "sequence_input": "sequence",
        ...     "states": [{"name": "rnn_0_h", "units": 2}],
        ...     "inputs": {"sequence": {"dtype": "float32", "shape": [None, None, 1]}}},
        ...     model_name="sensor")
        >>> request = session.grpc_request([[0.5]])
        >>> request.model_spec.signature_name, sorted(request.inputs)
        ('serving_step', ['rnn_0_h', 'sequence'])
        """
        from seqkit.serving.client import grpc_request

        if not self.model_name:
            raise ConfigError("grpc_request needs the model's name on the server: pass "
                              "StreamingSession(..., model_name='NAME')")
        return grpc_request(self.model_name, self.feeds(x_new, extra_inputs),
                            signature_name=self.signature_name, version=self.version)

    def update(self, response) -> dict[str, np.ndarray]:
        """Take the new states from a response; returns the model's outputs.

        Args:
            response: ``{output name: array}`` (a signature's or :func:`rest_predict`'s
                answer), a REST ``:predict`` response (dict or JSON text), or a gRPC
                ``PredictResponse``.

        Returns:
            ``{output name: array}`` without the states.

        Raises:
            ServingError: an error response, or one without the states.
            DataError: states of the wrong shape.

        Example:

        >>> session = StreamingSession({"available": True, "sequence_input": "sequence",
        ...     "states": [{"name": "rnn_0_h", "units": 2}],
        ...     "inputs": {"sequence": {"dtype": "float32", "shape": [None, None, 1]}}})
        >>> _ = session.rest_request([[0.5]])
        >>> session.update('{"outputs": {"output": [[0.25]], "rnn_0_h": [[0.5, -0.5]]}}')
        {'output': array([[0.25]])}
        >>> session.states["rnn_0_h"], session.steps
        (array([[ 0.5, -0.5]], dtype=float32), 1)
        """
        outputs = _response_arrays(response, self.output_names)
        names = [s["name"] for s in self.state_specs]
        missing = [n for n in names if n not in outputs]
        if missing:
            raise ServingError(f"the response has no states {missing} (outputs "
                               f"{sorted(outputs)}); is it from {self.signature_name!r}?")
        new = {}
        for spec in self.state_specs:
            value = np.asarray(outputs[spec["name"]], dtype="float32")
            if value.ndim != 2 or value.shape[1] != int(spec["units"]):
                raise DataError(f"state {spec['name']!r} must be [B, {spec['units']}], got "
                                f"shape {value.shape}")
            new[spec["name"]] = value
        self.states = new
        self.steps += self._pending
        self._pending = 0
        return {k: v for k, v in outputs.items() if k not in new}

    def step(self, x_new, extra_inputs=None) -> dict[str, np.ndarray]:
        """Send the new steps through the transport and keep the new states.

        Args:
            x_new: the new steps (see :meth:`feeds`).
            extra_inputs: the model's other inputs.

        Returns:
            The model's outputs at the last new step (see :meth:`update`).

        Raises:
            ConfigError: no transport.

        Example: see the module docstring.
        """
        if self.transport is None:
            raise ConfigError("step() needs a transport: StreamingSession(..., transport="
                              "rest_transport(...) | grpc_transport(...) | a callable)")
        return self.update(self.transport(self.feeds(x_new, extra_inputs)))


def _np_dtype(name: str):
    return np.dtype("float32" if name in (None, "float32") else name)


def _response_arrays(response, output_names) -> dict[str, np.ndarray]:
    if hasattr(response, "outputs") and hasattr(response, "model_spec"):  # PredictResponse
        import tensorflow as tf

        return {k: tf.make_ndarray(v) for k, v in response.outputs.items()}
    if isinstance(response, (str, bytes)):
        response = json.loads(response)
    if not isinstance(response, dict):
        raise ServingError(f"unexpected response {type(response).__name__}")
    if response and set(response) <= _REST_KEYS:
        return parse_rest_response(response, output_names or None)
    return {k: np.asarray(v) for k, v in response.items()}


# ------------------------------------------------------------------------------ transports


def rest_transport(host: str = "localhost", port: int = 8501, model: str = "model", *,
                   version: int | None = None, timeout: float = 30.0):
    """A transport that POSTs each request to TF Serving's REST ``:predict``.

    Args:
        host: the server's host name.
        port: its REST port.
        model: the model's name on the server.
        version: a specific version.
        timeout: seconds to wait for each answer.

    Returns:
        ``feeds -> {output name: array}`` (raises ``ServingError`` on errors).

    Example:

    >>> send = rest_transport("tfs", 8501, "sensor")
    >>> callable(send)
    True
    """
    url = rest_url(host, port, model, version=version)

    def send(feeds):
        return rest_predict(url, feeds, format="inputs", signature_name=STEP_SIGNATURE_NAME,
                            timeout=timeout)

    return send


def grpc_transport(target: str, model: str, *, version: int | None = None,
                   timeout: float = 30.0):
    """A transport that calls gRPC ``PredictionService/Predict`` at ``target``.

    Args:
        target: ``"host:8500"``.
        model: the model's name on the server.
        version: a specific version.
        timeout: seconds to wait for each answer.

    Returns:
        ``feeds -> {output name: array}`` (raises ``ServingError`` on errors).

    Example:

    >>> callable(grpc_transport("tfs:8500", "sensor"))
    True
    """
    def send(feeds):
        from seqkit.serving.client import grpc_predict

        return grpc_predict(target, model, feeds, signature_name=STEP_SIGNATURE_NAME,
                            version=version, timeout=timeout)

    return send


def signature_transport(signature):
    """An in-process transport: a loaded ``serving_step`` signature called directly.

    Args:
        signature: ``tf.saved_model.load(path).signatures["serving_step"]``.

    Returns:
        ``feeds -> {output name: array}``.

    Example:

    >>> send = signature_transport(lambda **feeds: {"y": 2 * feeds["x"]})
    >>> send({"x": np.ones(2, "float32")})
    {'y': array([2., 2.], dtype=float32)}
    """
    def send(feeds):
        import tensorflow as tf

        out = signature(**{k: tf.constant(v) for k, v in feeds.items()})
        return {k: np.asarray(v) for k, v in out.items()}

    return send
