"""The gate-trace signature ``serving_trace`` (opt-in: ``export(..., trace_signature=True)``).

What :func:`seqkit.trace_gates` computes in Python — every gate activation of an RNN layer
at every time step — as a signature beside ``serving_default`` (and ``serving_step``), so
a client of TF Serving can see why a served model answered as it did.

Signature contract (method ``tensorflow/serving/predict``):

Inputs: ``serving_default``'s inputs, under the same names, dtypes and shapes.

Outputs: for every recurrent layer the model's graph holds (a ``Bidirectional``'s forward
and backward halves are two layers), every gate of :attr:`GateTrace.names
<seqkit.layers.GateTrace>` — LSTM ``i, f, g, o, c, h``, GRU ``z, r, candidate, h`` —
as float32 ``[B, T, units]`` in input time order (also for ``go_backwards``), masked
(padding) steps zeros: exactly ``seqkit.trace_gates(model, inputs, layer=<layer>)``. The
output named ``<layer>/<gate>`` (the Keras layer name, ``/``, the gate) has the key
:func:`output_key` of it, e.g. ``explicit_lstm/f`` → ``explicit_lstm__f``; the metadata's
``trace`` entry maps every key to its layer, gate and units.

A model whose gates :func:`seqkit.trace_gates` cannot compute (no recurrent layer, a Keras
``LSTM``/``GRU`` rather than seqkit's ``ExplicitLSTM``/``ExplicitGRU``, a recurrent layer
inside a nested model, a ``stateful`` layer, a subclassed model) makes
``trace_signature=True`` a :class:`~seqkit.errors.ConfigError` that says why: an explicit
request that cannot be met is an error, not a silent omission.

:func:`seqkit.serving.export` calls :func:`prepare_trace` with the arguments, then the
stages of :class:`TraceEndpoint` (the export's :class:`~seqkit.serving.endpoint.Endpoint`
for this signature): its function is traced into the one SavedModel
(:attr:`TraceSignature.endpoints`), :func:`trace_warmup` gives its warmup records,
:func:`verify_trace` checks it reloaded against ``seqkit.trace_gates``, and
:func:`trace_metadata` is its ``trace`` entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from seqkit.errors import ConfigError, ExportError
from seqkit.serving.endpoint import Endpoint
from seqkit.serving.verify import compare_outputs

TRACE_SIGNATURE_NAME = "serving_trace"
MASKED_STEPS = "a masked (padding) step's gates are zeros, as in seqkit.trace_gates"


def output_key(layer: str, gate: str) -> str:
    """The signature key of the output named ``<layer>/<gate>``.

    Layer and gate joined by ``__``, every other character than ``[A-Za-z0-9_]`` made
    ``_``, and ``t_`` in front of a key that would not start with a letter.

    Args:
        layer: the Keras layer name.
        gate: the gate name (``"f"``, ``"candidate"``, ...).

    Returns:
        The key.

    Example:

    >>> output_key("explicit_lstm", "f"), output_key("rnn 0", "h"), output_key("_x", "z")
    ('explicit_lstm__f', 'rnn_0__h', 't__x__z')
    """
    key = re.sub(r"\W", "_", f"{layer}__{gate}", flags=re.ASCII)
    return key if key[:1].isalpha() else f"t_{key}"


@dataclass(frozen=True)
class TraceOutput:
    """One output of ``serving_trace``: one gate of one layer.

    Attributes:
        key, layer, gate, units: the signature key (:func:`output_key`, unique), the
            layer's Keras name (``GateTrace.layer_name``), the gate, the last axis.
        direction: ``"forward"`` or ``"backward"`` (``go_backwards``).

    Example:

    >>> TraceOutput("lstm__f", "lstm", "f", 4).to_dict()["name"]
    'lstm/f'
    """

    key: str
    layer: str
    gate: str
    units: int
    direction: str = "forward"

    @property
    def name(self) -> str:
        """``<layer>/<gate>``."""
        return f"{self.layer}/{self.gate}"

    def to_dict(self) -> dict:
        """The metadata row (name, layer, gate, units, direction, dtype, shape)."""
        return {"name": self.name, "layer": self.layer, "gate": self.gate,
                "units": self.units, "direction": self.direction, "dtype": "float32",
                "shape": [None, None, self.units]}


@dataclass
class TraceSignature:
    """``serving_trace`` of one export: the traced layers, the outputs, the function.

    Attributes:
        layers: ``(host layer in model.layers, traced seqkit RNN layer)`` pairs, in the
            order :func:`seqkit.trace_gates` searches them.
        outputs: the :class:`TraceOutput`\\ s, layer by layer, gates in cell order.
        specs: the signature's input specs (``serving_default``'s).
        function: ``feeds -> {key: [B, T, units] float32}``.
        warmup_records: ``serving_trace`` records in the warmup file.

    Example: see :func:`prepare_trace`.
    """

    layers: list
    outputs: list
    specs: dict
    function: object = field(default=None, repr=False)
    warmup_records: int = 0

    @property
    def endpoints(self) -> list:
        """``[(TRACE_SIGNATURE_NAME, function, input specs)]``: :meth:`TraceEndpoint.functions`."""
        return [(TRACE_SIGNATURE_NAME, self.function, self.specs)]


# ----------------------------------------------------------------------------- planning


def traced_layers(model) -> list:
    """The RNN layers ``serving_trace`` traces, or a ConfigError that says why it cannot.

    Those :func:`seqkit.trace_gates` finds: each seqkit RNN layer of ``model.layers``
    and both halves of a ``Bidirectional`` there; any other recurrent layer is refused.

    Args:
        model: a built ``keras.Model``.

    Returns:
        ``[(host layer, traced layer)]``, in ``model.layers`` order.

    Raises:
        ConfigError: no recurrent layer; one that ``trace_gates`` does not trace (a Keras
            ``LSTM``/``GRU``, one inside a nested model); a stateful one; a model without
            symbolic inputs.

    Example:

    >>> import keras, seqkit
    >>> inp = keras.Input((None, 3), name="sequence")
    >>> x = seqkit.make_rnn("gru", 2, return_sequences=True, name="a")(inp)
    >>> both = keras.layers.Bidirectional(seqkit.make_rnn("lstm", 2, name="b"))
    >>> model = keras.Model(inp, both(x))
    >>> [inner.name for _, inner in traced_layers(model)]
    ['a', 'forward_b', 'backward_b']
    >>> traced_layers(keras.Model(inp, keras.layers.GRU(2, name="gru")(inp)))
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: trace_signature=True: layer 'gru' (GRU) is not a seqkit \
RNN layer, and seqkit.trace_gates traces only ExplicitLSTM/ExplicitGRU; build the model \
with seqkit.make_rnn, or export without trace_signature
    """

    from seqkit.layers.paths import ExplicitLoopMixin
    from seqkit.layers.walk import rnn_layers

    where = "trace_signature=True"
    if not getattr(model, "inputs", None):
        raise ConfigError(f"{where}: model {model.name!r} has no symbolic inputs (a "
                          f"subclassed model?), and seqkit.trace_gates feeds a layer "
                          f"through the model's functional graph")
    pairs = [(host, inner) for host, inner in rnn_layers(model, hosts=True, nested=False)
             if isinstance(inner, ExplicitLoopMixin)]
    found = {id(inner) for _, inner in pairs}
    for layer in rnn_layers(model):
        if id(layer) not in found:
            raise ConfigError(_untraceable(model, layer, where))
    if not pairs:
        raise ConfigError(f"{where}: model {model.name!r} has no recurrent layer: there "
                          f"are no gates to trace")
    for _, inner in pairs:
        if inner.stateful:
            raise ConfigError(f"{where}: layer {inner.name!r} is stateful: its trace starts "
                              f"from the states it holds, which a stateless server has not")
    return pairs


def _untraceable(model, layer, where: str) -> str:
    from seqkit.layers.paths import ExplicitLoopMixin

    what = f"layer {layer.name!r} ({type(layer).__name__})"
    if isinstance(layer, ExplicitLoopMixin):
        return (f"{where}: {what} lies inside a nested model, and seqkit.trace_gates "
                f"traces the layers of model {model.name!r} itself; flatten the model, or "
                f"export without trace_signature")
    return (f"{where}: {what} is not a seqkit RNN layer, and seqkit.trace_gates traces "
            f"only ExplicitLSTM/ExplicitGRU; build the model with seqkit.make_rnn, or "
            f"export without trace_signature")


def trace_outputs(layers) -> list[TraceOutput]:
    """One :class:`TraceOutput` per gate of each traced layer, with unique keys.

    Args:
        layers: from :func:`traced_layers`.

    Returns:
        The outputs, layer by layer; a key already taken gets ``_<n>`` appended.

    Example:

    >>> from seqkit.layers import ExplicitGRU
    >>> [o.key for o in trace_outputs([(None, ExplicitGRU(2, name="g"))])]
    ['g__z', 'g__r', 'g__candidate', 'g__h']
    """
    outputs, taken = [], set()
    for _, inner in layers:
        direction = "backward" if inner.go_backwards else "forward"
        for gate in inner.cell.gate_names:
            key, n = output_key(inner.name, gate), 1
            while key in taken:
                key, n = f"{output_key(inner.name, gate)}_{n}", n + 1
            taken.add(key)
            outputs.append(TraceOutput(key, inner.name, gate, int(inner.cell.units),
                                       direction))
    return outputs


def prepare_trace(model, specs: dict, enabled: bool) -> TraceSignature | None:
    """The trace signature of an export, or ``None`` when not asked for.

    Args:
        model: the exported ``keras.Model``.
        specs: ``serving_default``'s input specs.
        enabled: ``export(..., trace_signature=...)``.

    Returns:
        A :class:`TraceSignature`, or ``None``.

    Raises:
        ConfigError: asked for, but the model cannot be traced (:func:`traced_layers`).

    Example:

    >>> import keras, numpy as np, seqkit
    >>> from seqkit.serving.signature import input_specs
    >>> inp = keras.Input((None, 3), name="sequence")
    >>> model = keras.Model(inp, seqkit.make_rnn("gru", 2, name="gru")(inp))
    >>> trace = prepare_trace(model, input_specs(model), True)
    >>> [out.key for out in trace.outputs]
    ['gru__z', 'gru__r', 'gru__candidate', 'gru__h']
    >>> x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    >>> got = trace.function({"sequence": x})
    >>> tuple(got["gru__h"].shape)
    (2, 5, 2)
    >>> want = seqkit.trace_gates(model, x)["h"]
    >>> bool(np.allclose(got["gru__h"], want, atol=1e-6))
    True
    >>> prepare_trace(model, input_specs(model), False) is None
    True
    """
    if not enabled:
        return None
    layers = traced_layers(model)
    outputs = trace_outputs(layers)
    return TraceSignature(layers, outputs, dict(specs),
                          trace_function(model, layers, outputs))


# ---------------------------------------------------------------------- the trace function


def trace_function(model, layers, outputs):
    """The function behind ``serving_trace``: ``{input name: tensor}`` → gate tensors.

    For each layer it does what :func:`seqkit.trace_gates` does, as graph ops: feed the
    model's inputs to the layer's input (with the mask the model feeds it), run
    :func:`seqkit.layers.loop.explicit_loop` in trace mode from the layer's initial
    states, split the concatenated gates, flip ``go_backwards`` layers to input time
    order, cast to float32.

    Args:
        model: the ``keras.Model``.
        layers: from :func:`traced_layers`.
        outputs: from :func:`trace_outputs` (the feeds are the model's inputs by name;
            one is passed as a tensor, several as a list in ``model.inputs`` order).

    Returns:
        A callable ``feeds -> {key: tensor}``.

    Example: see :func:`prepare_trace`.
    """
    import keras

    model_inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    feeders = [keras.Model(model_inputs, host.input) for host, _ in layers]
    keys = [out.key for out in outputs]  # layer by layer, gates in cell order

    def trace(feeds):
        x, result = _model_args(model, feeds), {}
        for feeder, (_, inner) in zip(feeders, layers, strict=True):
            gates = _layer_gates(inner, feeder(x, training=False))
            result.update(zip(keys[len(result):len(result) + len(gates)], gates, strict=True))
        return result

    return trace


def _model_args(model, feeds: dict):
    """``feeds`` (by input name) as the model takes them: one tensor, or a list."""
    names = [t.name for t in model.inputs]
    return feeds[names[0]] if len(names) == 1 else [feeds[n] for n in names]


def _layer_gates(layer, fed) -> list:
    """:func:`seqkit.layers.loop.trace_loop` on the tensors a feeder gives, in the graph."""
    import keras
    from keras import ops

    # Keras 3.15: AutocastScope (read variables in the compute dtype outside
    # Layer.__call__) has no public API; trace_loop uses it the same way
    from keras.src.backend import AutocastScope

    from seqkit.layers.loop import explicit_loop

    sequences, masks = (fed[0], fed[1:]) if isinstance(fed, (list, tuple)) else (fed, [])
    masks = [t for t in masks
             if len(t.shape) == 2 and keras.backend.standardize_dtype(t.dtype) == "bool"]
    x = ops.cast(sequences, layer.compute_dtype)
    initial = layer.get_initial_state(ops.shape(x)[0])
    with AutocastScope(layer.compute_dtype if layer.compute_dtype != layer.variable_dtype
                       else None):
        _, gates, _ = explicit_loop(layer, x, initial, masks[0] if masks else None,
                                    training=False, trace=True)
    gates = ops.cast(gates, "float32")
    if layer.go_backwards:
        gates = ops.flip(gates, axis=1)
    return ops.split(gates, len(layer.cell.gate_names), axis=-1)


# ------------------------------------------------------------------ warmup, verification


def trace_warmup(trace: TraceSignature | None, batches: list, room: int) -> dict:
    """Warmup records for ``serving_trace``, as ``write_warmup_file(..., more=...)`` takes.

    The signature's inputs are ``serving_default``'s, so its records are
    ``serving_default``'s batches (:func:`seqkit.serving.warmup.warmup_batches`) again,
    named ``serving_trace``; their count is noted in ``trace.warmup_records``.

    Args:
        trace: from :func:`prepare_trace`, or ``None``.
        batches: ``serving_default``'s warmup batches.
        room: records the file still has room for (TF Serving reads 1000).

    Returns:
        ``{TRACE_SIGNATURE_NAME: batches}``, or ``{}`` without a trace signature.

    Example:

    >>> trace = TraceSignature([], [], {})
    >>> batch = {"x": np.zeros((1, 2, 3), "float32")}
    >>> {k: len(v) for k, v in trace_warmup(trace, [batch, batch], 1000).items()}
    {'serving_trace': 2}
    >>> trace.warmup_records, trace_warmup(None, [batch], 1000)
    (2, {})
    """
    if trace is None:
        return {}
    records = list(batches)[:max(0, int(room))]
    trace.warmup_records = len(records)
    return {TRACE_SIGNATURE_NAME: records} if records else {}


def trace_metadata(trace: TraceSignature | None) -> dict:
    """The ``trace`` entry of ``seqkit_export.json``: the signature, its keys' meaning.

    Args:
        trace: from :func:`prepare_trace`, or ``None``.

    Returns:
        ``{"available": True, "signature_name", "inputs", "outputs": {key:
        TraceOutput.to_dict()}, ...}``, or ``{"available": False, "reason": ...}``.

    Example:

    >>> entry = trace_metadata(TraceSignature([], [TraceOutput("g__z", "g", "z", 3)], {}))
    >>> entry["signature_name"], entry["outputs"]["g__z"]["name"]
    ('serving_trace', 'g/z')
    >>> trace_metadata(None)
    {'available': False, 'reason': 'not asked for (export(..., trace_signature=True) adds it)'}
    """
    if trace is None:
        return {"available": False,
                "reason": "not asked for (export(..., trace_signature=True) adds it)"}
    return {"available": True, "signature_name": TRACE_SIGNATURE_NAME,
            "inputs": trace.specs, "outputs": {out.key: out.to_dict() for out in trace.outputs},
            "masked_steps": MASKED_STEPS,
            "reference": "seqkit.trace_gates(model, inputs, layer=<layer>)",
            "warmup_records": trace.warmup_records}


def _reference(model, trace: TraceSignature, sample: dict) -> dict:
    """``seqkit.trace_gates`` of every traced layer on ``sample``, by signature key."""
    from seqkit.layers.trace import trace_gates

    x, want = _model_args(model, sample), {}
    for _, inner in trace.layers:
        gates = trace_gates(model, x, layer=inner)
        want.update({out.key: gates[out.gate]
                     for out in trace.outputs[len(want):len(want) + len(gates.names)]})
    return want


def _compare(want: dict, got: dict, where: str):
    """Refuse an output missing, misshaped or further than the tolerance from ``want``."""
    if set(got) != set(want):
        raise ExportError(f"{where}: outputs {sorted(got)} != {sorted(want)}")
    check = compare_outputs({k: np.asarray(v, np.float64) for k, v in want.items()}, got,
                            "trace")
    if not check.ok:
        raise ExportError(f"{where} vs seqkit.trace_gates: {check.problems[0]}")


def verify_trace(folder, model, trace: TraceSignature | None, sample: dict,
                 check_warmup: bool) -> TraceSignature | None:
    """Reload ``folder`` and check ``serving_trace`` against ``seqkit.trace_gates``.

    Args:
        folder: the written (not yet published) version folder.
        model: the in-memory ``keras.Model`` (the reference).
        trace: the :class:`TraceSignature` written, or ``None`` (nothing to check).
        sample: ``{input name: array}``.
        check_warmup: also replay the warmup records of ``serving_trace``.

    Returns:
        ``trace`` (``None`` when it was ``None``).

    Raises:
        ExportError: no such signature, other inputs or outputs, values that differ by
            more than ``TOLERANCES["trace"]`` (:mod:`seqkit.serving.verify`; 1e-5, relative
            above 1), a failed warmup record.

    Example (the steps of an export):

    >>> import keras, tempfile, seqkit
    >>> from seqkit.serving.signature import input_specs, OutputNaming, serving_function
    >>> from seqkit.serving.portable import write_saved_model
    >>> from seqkit.serving.verify import reload_sample
    >>> inp = keras.Input((None, 3), name="sequence")
    >>> model = keras.Model(inp, seqkit.make_rnn("lstm", 2, name="lstm")(inp))
    >>> specs, naming = input_specs(model), OutputNaming(model, "generic", None)
    >>> trace, sample = prepare_trace(model, specs, True), reload_sample(specs)
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = write_saved_model(tmp.name, model, specs, serving_function(model, specs, naming),
    ...                       [TraceEndpoint(model, trace)], sample)
    >>> verify_trace(tmp.name, model, trace, sample, False) is trace
    True
    >>> tmp.cleanup()
    """
    if trace is None:
        return None
    import tensorflow as tf

    from seqkit.serving import warmup as warmup_lib

    loaded = tf.saved_model.load(str(folder))  # owns the variables while the checks run
    signature = loaded.signatures.get(TRACE_SIGNATURE_NAME)
    if signature is None:
        raise ExportError(f"the reloaded SavedModel has no {TRACE_SIGNATURE_NAME!r} "
                          f"signature (has {sorted(loaded.signatures)})")
    keys = set(signature.structured_input_signature[1])
    if keys != set(trace.specs):
        raise ExportError(f"{TRACE_SIGNATURE_NAME} inputs {sorted(keys)} != "
                          f"{sorted(trace.specs)}")
    got = {k: v.numpy() for k, v in
           signature(**{k: tf.constant(v) for k, v in sample.items()}).items()}
    _compare(_reference(model, trace, sample), got, f"reloaded {TRACE_SIGNATURE_NAME}")
    if check_warmup and trace.warmup_records:
        try:
            warmup_lib.replay({TRACE_SIGNATURE_NAME: signature}, folder)
        except Exception as err:
            raise ExportError(f"a {TRACE_SIGNATURE_NAME} warmup record failed: {err}") from err
    return trace


class TraceEndpoint(Endpoint):
    """``serving_trace`` as an endpoint of the export (:mod:`seqkit.serving.endpoint`).

    Not optional: a trace asked for and not written is an error, not a silent omission.

    Args:
        model: the exported ``keras.Model`` (the reference of :func:`verify_trace`).
        trace: from :func:`prepare_trace`, or ``None`` (not asked for: only the metadata
            entry saying so).

    Example:

    >>> endpoint = TraceEndpoint(None, None)
    >>> endpoint.functions(), endpoint.metadata()["available"]
    ([], False)
    """

    key = "trace"
    label = "trace"

    def __init__(self, model, trace: TraceSignature | None):
        self.model = model
        self.trace = trace

    def functions(self) -> list:
        """:attr:`TraceSignature.endpoints`, or ``[]`` without a trace."""
        return self.trace.endpoints if self.trace is not None else []

    def warmup_records(self, batches: list, batch_sizes, room: int) -> dict:
        """:func:`trace_warmup`."""
        return trace_warmup(self.trace, batches, room)

    def verify(self, folder, sample: dict, check_warmup: bool) -> None:
        """:func:`verify_trace`."""
        verify_trace(folder, self.model, self.trace, sample, check_warmup)

    def metadata(self) -> dict:
        """:func:`trace_metadata`."""
        return trace_metadata(self.trace)
