"""The streaming step signature ``serving_step``: new steps and the RNN states in, the
model's outputs at the last new step and the new states out.

TF Serving is stateless, so the client holds the states (:mod:`seqkit.serving.client.streaming`)
and sends them back with each new step; the server does O(k) work for k new steps
instead of O(T) for the whole sequence.

Signature contract (beside ``serving_default``, method ``tensorflow/serving/predict``):

Inputs:

- the model's sequence input (``sequence``, ``window``, ...): ``[B, k, F]``, k ≥ 1 new
  steps (time is dynamic here even when the model fixes it);
- the model's other inputs (covariates), as in ``serving_default``;
- one float32 ``[B, units]`` tensor per state of each recurrent layer, in graph order:
  ``rnn_<i>_h`` (and ``rnn_<i>_c`` for an LSTM) — the state ``h``/``c`` of the i-th
  recurrent layer (its Keras name is in the metadata). **All zeros = the start of a
  sequence** (what the full call starts from).

Outputs: ``serving_default``'s outputs (same names; a per-step output at the last new
step) plus the new states under the same names as the state inputs, so a client feeds
them back unchanged.

Padding: a step that a ``Masking`` layer masks (every feature equal to the mask value)
leaves every state unchanged, exactly as in the full call, so padding steps are harmless
but useless: do not send them. After a padding step the outputs are those after the last
real step.

A fixed-window model (a forecaster ``window [B, W, F]``): streaming its W steps from zero
states gives ``serving_default``'s forecast for that window exactly; streaming more steps
carries the states over a longer history than the model was trained on (as a
``stateful=True`` RNN would), which is not a W-step window any more.

How (:func:`plan_step`): the layer graph is rebuilt step-wise. Everything between the
sequence input and the last recurrent layer must act on each step alone (Dense,
Normalization, Masking, Embedding, activations, dropout, elementwise merges, ...); each
unidirectional LSTM/GRU runs over the k steps from the given states; a cropping that keeps
the last step takes the last new step; layers after the last recurrent layer run as they
are. Anything else (bidirectional, ``go_backwards``, raw text, a layer that mixes steps or
is not known to act per step) declines, and the metadata says why: ``streaming:
{"available": false, "reason": ...}``.

``serving_step`` inside an export: traced beside ``serving_default``, checked against the
full call before anything is written, verified after reload, warmed up, described.

:func:`seqkit.serving.export` calls :func:`prepare_step` (the plan,
:func:`seqkit.serving.step.plan_step`) and then the stages of :class:`StepEndpoint` (the
export's :class:`~seqkit.serving.endpoint.Endpoint` for this signature): its function is
traced into the SavedModel beside ``serving_default`` and checked there (a step function
that fails or differs from the full call is dropped, with the reason);
:func:`step_warmup_batches` gives its records for ``tf_serving_warmup_requests`` (by
default; ``export(..., step_warmup=False)`` leaves them out); :func:`verify_step` checks
the reloaded folder (streamed in one chunk and in two equals ``serving_default``; warmup
replay); :meth:`StepSignature.metadata` is the ``streaming`` entry of
``seqkit_export.json``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace

import numpy as np

from seqkit.errors import ExportError
from seqkit.serving import signature as signature_lib
from seqkit.serving import warmup as warmup_lib
from seqkit.serving.endpoint import Endpoint
from seqkit.serving.signature import SIGNATURE_NAME, dtype_name
from seqkit.serving.verify import compare_outputs

STEP_SIGNATURE_NAME = "serving_step"
SEQ, STEP = "seq", "step"  # a tensor with the k new steps / a value at the last new step
_AS_IS, _PER_STEP, _LAST, _RNN = "as_is", "per_step", "last_step", "rnn"
START_OF_SEQUENCE = "all states zero"
PADDING = ("a masked (padding) step leaves the states unchanged, as in the full call: "
           "do not send padding steps")
WINDOW = ("the model reads fixed windows: streaming exactly `window` steps from zero states "
          "gives serving_default's answer for that window; more steps carry the states over "
          "a longer history than the model was trained on")

#: hints for layers that cannot stream, by class name
_HINTS = {
    "WindowStats": "it scales by each window's own statistics (scaling='window'), so a "
                   "new point changes the scaling of every earlier input",
    "TextVectorization": "a raw-text model: streaming would take token ids",
}


class _Declined(Exception):
    """The model has no step decomposition; the message is the reason."""


@dataclass(frozen=True)
class StateSpec:
    """One state input/output of ``serving_step``.

    Attributes:
        name: the signature key (``rnn_0_h``).
        layer: the recurrent layer's Keras name.
        state: ``"h"`` or ``"c"``.
        units: the state's width.

    Example:

    >>> StateSpec("rnn_0_c", "lstm", "c", 4).to_dict()
    {'name': 'rnn_0_c', 'layer': 'lstm', 'state': 'c', 'units': 4, 'dtype': 'float32'}
    """

    name: str
    layer: str
    state: str
    units: int

    def to_dict(self) -> dict:
        """The metadata row ``{"name", "layer", "state", "units", "dtype": "float32"}``."""
        return {"name": self.name, "layer": self.layer, "state": self.state,
                "units": self.units, "dtype": "float32"}


@dataclass
class StepPlan:
    """How a model decomposes step-wise (:func:`plan_step`), or why it does not.

    Attributes:
        available: whether the model streams.
        reason: why not (``None`` when it does).
        sequence_input: the streamed input's name.
        extra_inputs: the other inputs' names (passed as they are).
        states: the :class:`StateSpec`\\ s, in graph order.
        window: the fixed length of the model's sequence input, or ``None``.
        output_kinds: per model output, :data:`SEQ` (it keeps the time axis) or
            :data:`STEP`.
        roles: ``(node, role, states)`` per graph node (internal).
        graph: the functional graph walked (internal).

    Example:

    >>> StepPlan.declined("a bidirectional layer").to_dict()
    {'available': False, 'reason': 'a bidirectional layer'}
    """

    available: bool
    reason: str | None = None
    sequence_input: str | None = None
    extra_inputs: list = field(default_factory=list)
    states: list = field(default_factory=list)
    window: int | None = None
    output_kinds: list = field(default_factory=list, repr=False)
    roles: list = field(default_factory=list, repr=False)
    graph: object = field(default=None, repr=False)

    @classmethod
    def declined(cls, reason: str) -> StepPlan:
        """A plan without step signature.

        Args:
            reason: why the model does not stream.

        Returns:
            ``StepPlan(available=False, reason=reason)`` (example: the class docstring).
        """
        return cls(available=False, reason=reason)

    def to_dict(self) -> dict:
        """The ``streaming`` metadata entry (without the signature's specs).

        Returns:
            ``{"available": False, "reason"}``, or the signature name, inputs and states.

        Example:

        >>> import keras
        >>> inp = keras.Input((None, 2), name="sequence")
        >>> plan = plan_step(keras.Model(inp, keras.layers.GRU(3)(inp)))
        >>> entry = plan.to_dict()
        >>> entry["signature_name"], entry["sequence_input"], entry["states"][0]["name"]
        ('serving_step', 'sequence', 'rnn_0_h')
        """
        if not self.available:
            return {"available": False, "reason": self.reason}
        return {"available": True, "signature_name": STEP_SIGNATURE_NAME,
                "sequence_input": self.sequence_input, "extra_inputs": list(self.extra_inputs),
                "states": [s.to_dict() for s in self.states], "window": self.window,
                "window_note": WINDOW if self.window else None,
                "start_of_sequence": START_OF_SEQUENCE, "padding": PADDING}


# ----------------------------------------------------------------------------- planning


def plan_step(model) -> StepPlan:
    """Decompose ``model`` step-wise, or say why it cannot be (rules: module docstring).

    Args:
        model: a built functional (or ``Sequential``) ``keras.Model``.

    Returns:
        A :class:`StepPlan`; ``available=False`` with a ``reason`` when the model does not
        stream. It never raises for a model it cannot stream.

    Example:

    >>> import keras, seqkit
    >>> inp = keras.Input((None, 3), name="sequence")
    >>> x = keras.layers.Masking()(inp)
    >>> x = seqkit.ExplicitLSTM(4, peephole=True, return_sequences=True)(x)
    >>> model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.GRU(2)(x)))
    >>> [(s.name, s.units) for s in plan_step(model).states]
    [('rnn_0_h', 4), ('rnn_0_c', 4), ('rnn_1_h', 2)]
    >>> bi = keras.layers.Bidirectional(keras.layers.GRU(2), name="bi")
    >>> print(plan_step(keras.Model(inp, bi(inp))).reason)
    layer 'bi' (Bidirectional) is bidirectional: its backward half reads the sequence \
from the end, so every new step changes it
    """
    try:
        return _plan(model)
    except _Declined as declined:
        return StepPlan.declined(str(declined))


def _graph(model):
    import keras

    graph = getattr(model, "_functional", None) if isinstance(model, keras.Sequential) \
        else model
    # Keras 3.15 has no public walk of a functional graph's nodes
    by_depth = getattr(graph, "_nodes_by_depth", None)
    if by_depth is None or not getattr(graph, "inputs", None):
        raise _Declined(f"model {model.name!r} is not a functional model (a subclassed "
                        f"model has no layer graph to rebuild step-wise)")
    nodes = [node for depth in sorted(by_depth, reverse=True) for node in by_depth[depth]
             if node.operation is not None and not node.is_input]
    return graph, nodes


def _plan(model) -> StepPlan:
    graph, nodes = _graph(model)
    seq_input = _sequence_input(graph, nodes)
    kinds = {id(x): SEQ if x is seq_input else STEP for x in graph.inputs}
    roles, states, n_rnn = [], [], 0
    for node in nodes:
        in_kinds = [kinds[id(t)] for t in node.input_tensors]
        role = _AS_IS if SEQ not in in_kinds else _seq_role(node, in_kinds)
        node_states = []
        if role == _RNN:
            node_states = _state_specs(node.operation, n_rnn)
            states.extend(node_states)
            n_rnn += 1
        out_kind = SEQ if role == _PER_STEP or (
            role == _RNN and node.operation.return_sequences) else STEP
        for t in node.outputs:
            kinds[id(t)] = out_kind
        roles.append((node, role, node_states))
    clash = {x.name for x in graph.inputs} & {s.name for s in states}
    if clash:
        raise _Declined(f"input names {sorted(clash)} clash with the state names")
    window = seq_input.shape[1] if len(seq_input.shape) > 1 else None
    return StepPlan(True, sequence_input=seq_input.name,
                    extra_inputs=[x.name for x in graph.inputs if x is not seq_input],
                    states=states, window=window,
                    output_kinds=[kinds[id(t)] for t in graph.outputs], roles=roles,
                    graph=graph)


def _sequence_input(graph, nodes):
    """The one input a recurrent layer reads (through any layers)."""
    import keras

    origins = {id(x): {i} for i, x in enumerate(graph.inputs)}
    feeding = set()
    for node in nodes:
        seen = set().union(*(origins.get(id(t), set()) for t in node.input_tensors))
        if isinstance(node.operation, keras.Model):
            raise _Declined(f"layer {node.operation.name!r} is a nested model: serving_step "
                            f"rebuilds one flat functional graph")
        if isinstance(node.operation, (keras.layers.RNN, keras.layers.Bidirectional)):
            feeding |= seen
        for t in node.outputs:
            origins[id(t)] = seen
    if not feeding:
        raise _Declined("the model has no recurrent layer: nothing to stream")
    if len(feeding) > 1:
        names = [graph.inputs[i].name for i in sorted(feeding)]
        raise _Declined(f"recurrent layers read several inputs {names}; serving_step "
                        f"streams one sequence input")
    seq_input = graph.inputs[feeding.pop()]
    if seq_input.dtype == "string":
        raise _Declined(f"a raw-text model: input {seq_input.name!r} is whole texts, which "
                        f"the TextVectorization turns into token ids; streaming token ids "
                        f"is not supported")
    return seq_input


def _seq_role(node, in_kinds) -> str:
    import keras

    op = node.operation
    where = f"layer {op.name!r} ({type(op).__name__})"
    if isinstance(op, keras.layers.Bidirectional):
        raise _Declined(f"{where} is bidirectional: its backward half reads the sequence "
                        f"from the end, so every new step changes it")
    if isinstance(op, keras.layers.RNN):
        _check_rnn(node, where)
        return _RNN
    if STEP in in_kinds:
        raise _Declined(f"{where} combines the steps with a value of the whole window "
                        f"(e.g. its last value repeated over it: window_inputs='relative' "
                        f"or 'both'), so a new point changes every earlier input")
    if _keeps_last_step(op, node):
        return _LAST
    if _is_per_step(op, node):
        return _PER_STEP
    hint = _HINTS.get(type(op).__name__, "it is not known to act on each step alone")
    raise _Declined(f"{where} before the last recurrent layer cannot be streamed: {hint}")


def _check_rnn(node, where):
    import keras

    op = node.operation
    extra = set(node.arguments.kwargs) - {"mask", "training"}
    if not isinstance(op, (keras.layers.LSTM, keras.layers.GRU)):
        raise _Declined(f"{where} is not an LSTM or GRU layer (Keras' or seqkit's)")
    problems = [text for flag, text in (
        (op.go_backwards, "go_backwards=True (its first output reads the last step)"),
        (op.stateful, "stateful=True (its states live in the layer)"),
        (op.unroll, "unroll=True (it needs a fixed number of steps)"),
        (op.return_state, "return_state=True"),
        (extra, f"call arguments {sorted(extra)} (an initial state?)"),
    ) if flag]
    if problems:
        raise _Declined(f"{where} cannot be streamed: {'; '.join(problems)}")


def _state_specs(op, index: int) -> list[StateSpec]:
    import keras

    parts = ("h", "c") if isinstance(op, keras.layers.LSTM) else ("h",)
    return [StateSpec(f"rnn_{index}_{part}", op.name, part, int(op.cell.units))
            for part in parts]


def _axes(value, rank: int) -> set[int]:
    return {int(a) % rank for a in (value if isinstance(value, (list, tuple)) else [value])}


def _keeps_last_step(op, node) -> bool:
    """A ``Cropping1D`` that keeps only the last step of a fixed-length sequence."""
    import keras

    if not isinstance(op, keras.layers.Cropping1D):
        return False
    length = node.input_tensors[0].shape[1]
    return length is not None and tuple(op.cropping) == (length - 1, 0)


def _is_per_step(op, node) -> bool:
    """Whether ``op`` on ``[B, k, ...]`` computes each step from that step alone."""
    import keras

    layers = keras.layers
    rank = len(node.input_tensors[0].shape)
    shapes = {tuple(t.shape[2:]) for t in node.input_tensors}
    if not isinstance(op, layers.Layer):  # a keras.ops call in the graph (mask computations)
        return _is_per_step_op(op, rank, shapes)
    elementwise = (layers.Activation, layers.ReLU, layers.LeakyReLU, layers.ELU,
                   layers.Dropout, layers.GaussianNoise, layers.GaussianDropout,
                   layers.AlphaDropout, layers.SpatialDropout1D, layers.Rescaling,
                   layers.Identity, layers.ActivityRegularization, layers.Embedding,
                   layers.TimeDistributed)
    merges = (layers.Add, layers.Subtract, layers.Multiply, layers.Average,
              layers.Maximum, layers.Minimum)
    if isinstance(op, elementwise):
        return True
    if isinstance(op, merges):
        return len(shapes) == 1
    if isinstance(op, (layers.Dense, layers.Masking)):
        return rank >= 3
    if isinstance(op, (layers.Normalization, layers.LayerNormalization,
                       layers.BatchNormalization, layers.Softmax)):
        return rank >= 3 and not _axes(op.axis, rank) & {0, 1}
    if isinstance(op, layers.Concatenate):
        return rank >= 3 and _axes(op.axis, rank) == {rank - 1}
    return False


#: keras.ops operations that act on each element (Keras records them in functional graphs,
#: e.g. the mask that Masking and Embedding(mask_zero=True) compute)
_ELEMENTWISE_OPS = frozenset({
    "Abs", "Add", "Cast", "Divide", "Equal", "Exp", "Greater", "GreaterEqual", "Less",
    "LessEqual", "Log", "LogicalAnd", "LogicalNot", "LogicalOr", "Maximum", "Minimum",
    "Multiply", "Negative", "NotEqual", "Relu", "Sigmoid", "Sqrt", "Square", "Subtract",
    "Tanh", "Where"})
_REDUCE_OPS = frozenset({"All", "Any", "Max", "Mean", "Min", "Sum"})


def _is_per_step_op(op, rank: int, shapes: set) -> bool:
    name = type(op).__name__
    if not type(op).__module__.startswith("keras."):
        return False
    if name in _ELEMENTWISE_OPS:
        return len(shapes) == 1
    if name in _REDUCE_OPS:
        axis = getattr(op, "axis", None)
        return axis is not None and not _axes(axis, rank) & {0, 1}
    return False


# ---------------------------------------------------------------------- the step function


def step_input_specs(plan: StepPlan, specs: dict) -> dict:
    """The inputs of ``serving_step``: new steps, the other inputs, one spec per state.

    Args:
        plan: an available :class:`StepPlan`.
        specs: ``serving_default``'s input specs.

    Returns:
        ``{name: {"dtype", "shape"}}``; the sequence input's time axis is dynamic.

    Example:

    >>> import keras
    >>> inp = keras.Input((12, 3), name="window")
    >>> model = keras.Model(inp, keras.layers.LSTM(2)(inp))
    >>> step_input_specs(plan_step(model), {"window": {"dtype": "float32",
    ...                                                "shape": [None, 12, 3]}})
    {'window': {'dtype': 'float32', 'shape': [None, None, 3]}, 'rnn_0_h': {'dtype': \
'float32', 'shape': [None, 2]}, 'rnn_0_c': {'dtype': 'float32', 'shape': [None, 2]}}
    """
    seq = specs[plan.sequence_input]
    out = {plan.sequence_input: {"dtype": seq["dtype"],
                                 "shape": [None, None, *seq["shape"][2:]]}}
    out.update({name: specs[name] for name in plan.extra_inputs})
    out.update({s.name: {"dtype": "float32", "shape": [None, s.units]} for s in plan.states})
    return out


def step_function(plan: StepPlan, naming):
    """The function behind ``serving_step``: ``{input name: tensor}`` → named outputs.

    Args:
        plan: an available :class:`StepPlan`.
        naming: ``serving_default``'s :class:`~seqkit.serving.signature.OutputNaming`.

    Returns:
        A callable ``feeds -> {output name: tensor}`` (the model's outputs at the last new
        step, then the new states).

    Example:

    >>> import keras, numpy as np
    >>> from seqkit.serving.signature import OutputNaming
    >>> inp = keras.Input((None, 3), name="sequence")
    >>> model = keras.Model(inp, keras.layers.GRU(2)(inp))
    >>> step = step_function(plan_step(model), OutputNaming(model, "generic", None))
    >>> x = np.random.default_rng(0).normal(size=(4, 5, 3)).astype("float32")
    >>> h = np.zeros((4, 2), "float32")
    >>> for t in range(5):
    ...     h = step({"sequence": x[:, t:t + 1], "rnn_0_h": h})["rnn_0_h"]
    >>> bool(np.allclose(h, model(x), atol=1e-6))
    True
    """
    from keras import tree

    graph = plan.graph
    state_names = [s.name for s in plan.states]

    def step(feeds):
        import tensorflow as tf

        values = {id(x): tf.convert_to_tensor(feeds[x.name], dtype=x.dtype)
                  for x in graph.inputs}
        new_states = {}
        for node, role, states in plan.roles:
            out = _run_node(node, role, values, feeds, states, new_states)
            for t, value in zip(node.outputs, tree.flatten(out), strict=True):
                values[id(t)] = value
        # a model output that keeps the time axis answers for the last new step
        flat = [values[id(t)][:, -1] if kind == SEQ else values[id(t)]
                for t, kind in zip(graph.outputs, plan.output_kinds, strict=True)]
        named = dict(naming.postprocess(tree.pack_sequence_as(graph._outputs_struct, flat)))
        clash = set(named) & set(state_names)
        if clash:
            raise ValueError(f"output names {sorted(clash)} clash with the state names")
        named.update({name: new_states[name] for name in state_names})
        return named

    return step


def _run_node(node, role, values, feeds, states, new_states):
    import tensorflow as tf

    args, kwargs = node.arguments.fill_in(values)
    op = node.operation
    if getattr(op, "_call_has_training_arg", False):  # Keras 3.15: no public flag
        kwargs["training"] = False
    if role == _LAST:
        return args[0][:, -1:]
    if role != _RNN:
        return op(*args, **kwargs)
    dtype = op.compute_dtype
    initial = [tf.cast(feeds[s.name], dtype) for s in states]
    with _returning_state(op):
        out, *final = op(*args, initial_state=initial, **kwargs)
    for spec, value in zip(states, final, strict=True):
        new_states[spec.name] = tf.cast(value, tf.float32)
    # LSTM/GRU output = h: the final h is also right after a chunk of padding steps only
    return out if op.return_sequences else tf.cast(final[0], out.dtype)


@contextlib.contextmanager
def _returning_state(layer):
    """``layer.return_state = True`` while the step function is traced."""
    saved, layer.return_state = layer.return_state, True
    try:
        yield
    finally:
        layer.return_state = saved


STEP_WARMUP_STEPS = (1, 8)  # k of the step warmup records, at every warmup batch size


@dataclass
class StepSignature:
    """``serving_step`` of one export: its plan, inputs, function and, once verified, outputs.

    Attributes:
        plan: the :class:`~seqkit.serving.step.StepPlan`.
        specs: the signature's input specs (``None`` when declined).
        function: the traced function (``None`` when declined).
        outputs: the reloaded signature's output specs (after :func:`verify_step`).
        warmup_records: step records written to the warmup file.

    Example:

    >>> step = StepSignature(StepPlan.declined("no recurrent layer"))
    >>> step.available, step.metadata()
    (False, {'available': False, 'reason': 'no recurrent layer'})
    """

    plan: StepPlan
    specs: dict | None = None
    function: object = field(default=None, repr=False)
    outputs: dict = field(default_factory=dict)
    warmup_records: int = 0

    @property
    def available(self) -> bool:
        """Whether the export has ``serving_step`` (``plan.available``)."""
        return self.plan.available

    def declined(self, reason: str) -> StepSignature:
        """The same export without ``serving_step``.

        Args:
            reason: why (it goes into the metadata).

        Returns:
            A declined :class:`StepSignature`.

        Example:

        >>> StepSignature(StepPlan(True)).declined("self-check failed").plan.reason
        'self-check failed'
        """
        return StepSignature(StepPlan.declined(reason))

    def metadata(self) -> dict:
        """The ``streaming`` metadata entry: the plan, the inputs and outputs, warmup records.

        Returns:
            A JSON-able dict (``{"available": False, "reason"}`` when declined).

        Example:

        >>> StepSignature(StepPlan.declined("no recurrent layer")).metadata()["reason"]
        'no recurrent layer'
        """
        entry = self.plan.to_dict()
        if self.available:
            entry.update(inputs=self.specs, outputs=self.outputs,
                         warmup_records=self.warmup_records)
        return entry


def prepare_step(model, specs: dict, naming, enabled: bool = True) -> StepSignature:
    """The step signature of an export, or why it has none.

    Args:
        model: the exported ``keras.Model``.
        specs: ``serving_default``'s input specs.
        naming: ``serving_default``'s :class:`~seqkit.serving.signature.OutputNaming`.
        enabled: ``export(..., step_signature=...)``.

    Returns:
        A :class:`StepSignature` (declined ones carry the reason).

    Example:

    >>> import keras
    >>> from seqkit.serving.signature import input_specs, OutputNaming
    >>> inp = keras.Input((None, 3), name="sequence")
    >>> model = keras.Model(inp, keras.layers.LSTM(2)(inp))
    >>> step = prepare_step(model, input_specs(model), OutputNaming(model, "generic", None))
    >>> step.available, list(step.specs)
    (True, ['sequence', 'rnn_0_h', 'rnn_0_c'])
    >>> prepare_step(model, input_specs(model), None, enabled=False).plan.reason
    'not asked for (export(..., step_signature=False))'
    """
    if not enabled:
        return StepSignature(StepPlan.declined(
            "not asked for (export(..., step_signature=False))"))
    plan = plan_step(model)
    if not plan.available:
        return StepSignature(plan)
    if {s.name for s in plan.states} & set(naming.expected() or []):
        return StepSignature(StepPlan.declined(
            "output names clash with the state names (rnn_<i>_h, rnn_<i>_c)"))
    return StepSignature(plan, step_input_specs(plan, specs), step_function(plan, naming))


def _stream(call, step: StepSignature, sample: dict, splits) -> dict:
    """Feed ``sample``'s sequence through ``call`` in chunks, from zero states.

    Args:
        call: ``feeds -> {name: tensor}`` (a step function or a loaded signature).
        step: the :class:`StepSignature`.
        sample: ``{input name: array}`` with the full sequence.
        splits: the chunk boundaries (e.g. ``[3]`` gives steps ``[:3]`` and ``[3:]``).

    Returns:
        The last call's outputs as arrays.
    """
    plan = step.plan
    x = np.asarray(sample[plan.sequence_input])
    extra = {name: sample[name] for name in plan.extra_inputs}
    states = {s.name: np.zeros((len(x), s.units), "float32") for s in plan.states}
    bounds = [0, *[b for b in splits if 0 < b < x.shape[1]], x.shape[1]]
    out = {}
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        out = {k: np.asarray(v) for k, v in
               call({plan.sequence_input: x[:, start:stop], **extra, **states}).items()}
        states = {s.name: out[s.name] for s in plan.states}
    return out


def _compare(want: dict, got: dict, where: str):
    want = {key: np.asarray(value) for key, value in want.items()}
    want = {key: value[:, -1] if key in got and value.ndim == np.ndim(got[key]) + 1
            else value for key, value in want.items()}  # a per-step output: the last step
    check = compare_outputs(want, got, "step")
    if not check.ok:
        raise ExportError(f"{where} vs {SIGNATURE_NAME}: {check.problems[0]}")


def _check_step(function, default, step: StepSignature, sample: dict) -> str | None:
    """Why the step function differs from ``serving_default`` on ``sample``, or ``None``.

    Args:
        function: the step function (called with one dict).
        default: ``serving_default``'s function (called with one dict).
        step: the :class:`StepSignature`.
        sample: ``{input name: array}``.

    Returns:
        ``None`` when streaming in one chunk and in two gives the full call's outputs
        (:func:`seqkit.serving.verify.compare_outputs`, ``TOLERANCES["step"]``), else the reason.
    """
    feeds = {k: np.asarray(v) for k, v in sample.items()}
    want = {k: np.asarray(v) for k, v in default(feeds).items()}
    half = np.asarray(sample[step.plan.sequence_input]).shape[1] // 2
    try:
        for splits in ([], [half]):
            _compare(want, _stream(function, step, sample, splits), STEP_SIGNATURE_NAME)
    except ExportError as err:
        return f"self-check failed, so no step signature was written: {err}"
    return None


def step_warmup_batches(step: StepSignature, batch_sizes, steps=STEP_WARMUP_STEPS) -> list:
    """Warmup inputs for ``serving_step``: each batch size × k new steps, zero states.

    Args:
        step: an available :class:`StepSignature`.
        batch_sizes: the export's warmup batch sizes.
        steps: the numbers of new steps.

    Returns:
        ``{input name: array}`` per record.

    Example:

    >>> import keras
    >>> from seqkit.serving.signature import input_specs, OutputNaming
    >>> inp = keras.Input((None, 3), name="sequence")
    >>> model = keras.Model(inp, keras.layers.LSTM(2)(inp))
    >>> step = prepare_step(model, input_specs(model), OutputNaming(model, "generic", None))
    >>> [{k: v.shape for k, v in b.items()} for b in step_warmup_batches(step, [4], [1])]
    [{'sequence': (4, 1, 3), 'rnn_0_h': (4, 2), 'rnn_0_c': (4, 2)}]
    """
    plan = step.plan
    data_specs = {k: v for k, v in step.specs.items()
                  if k in (plan.sequence_input, *plan.extra_inputs)}
    batches = []
    for i, b in enumerate(batch_sizes):
        for j, k in enumerate(steps):
            batch = signature_lib.synthetic_batch(data_specs, int(b), int(k), seed=200 + 10 * i + j)
            batch.update({s.name: np.zeros((int(b), s.units), "float32") for s in plan.states})
            batches.append(batch)
    return batches


def verify_step(folder, step: StepSignature, sample: dict, check_warmup: bool) -> StepSignature:
    """Reload ``folder`` and check ``serving_step`` against the reloaded ``serving_default``.

    Args:
        folder: the written (not yet published) version folder.
        step: the :class:`StepSignature` written.
        sample: ``{input name: array}``.
        check_warmup: also replay the warmup records of ``serving_step``.

    Returns:
        ``step`` with the reloaded signature's output specs (unchanged when declined).

    Raises:
        ExportError: no such signature, other inputs, outputs that differ, a failed record.

    Example: see :class:`StepEndpoint`.
    """
    if not step.available:
        return step
    import tensorflow as tf

    loaded = tf.saved_model.load(str(folder))  # owns the variables while the checks run
    signature = loaded.signatures.get(STEP_SIGNATURE_NAME)
    if signature is None:
        raise ExportError(f"the reloaded SavedModel has no {STEP_SIGNATURE_NAME!r} signature")
    keys = set(signature.structured_input_signature[1])
    if keys != set(step.specs):
        raise ExportError(f"{STEP_SIGNATURE_NAME} inputs {sorted(keys)} != {sorted(step.specs)}")
    feeds = {k: tf.constant(v) for k, v in sample.items()}
    want = {k: v.numpy() for k, v in loaded.signatures[SIGNATURE_NAME](**feeds).items()}
    half = np.asarray(sample[step.plan.sequence_input]).shape[1] // 2
    for splits in ([], [half]):
        got = _stream(lambda f: signature(**{k: tf.constant(v) for k, v in f.items()}), step,
                     sample, splits)
        _compare(want, got, f"reloaded {STEP_SIGNATURE_NAME}")
    if check_warmup:
        try:
            warmup_lib.replay({STEP_SIGNATURE_NAME: signature}, folder)
        except Exception as err:
            raise ExportError(f"a {STEP_SIGNATURE_NAME} warmup record failed: {err}") from err
    outputs = {key: {"dtype": dtype_name(spec.dtype), "shape": spec.shape.as_list()}
               for key, spec in signature.structured_outputs.items()}
    return replace(step, outputs=dict(sorted(outputs.items())))


class StepEndpoint(Endpoint):
    """``serving_step`` as an endpoint of the export (:mod:`seqkit.serving.endpoint`).

    Args:
        step: from :func:`prepare_step`.
        warmup: write its warmup records (``export(..., step_warmup=...)``).

    Example (the stages, as the export runs them):

    >>> import keras, tempfile, tensorflow as tf
    >>> from seqkit.serving.signature import OutputNaming
    >>> from seqkit.serving.portable import write_saved_model
    >>> from seqkit.serving.signature import input_specs, serving_function
    >>> from seqkit.serving.verify import reload_sample
    >>> inp = keras.Input((None, 3), name="sequence")
    >>> model = keras.Model(inp, keras.layers.GRU(2)(inp))
    >>> specs, naming = input_specs(model), OutputNaming(model, "generic", None)
    >>> serve, sample = serving_function(model, specs, naming), reload_sample(specs)
    >>> endpoint = StepEndpoint(prepare_step(model, specs, naming))
    >>> tmp = tempfile.TemporaryDirectory()
    >>> write_saved_model(tmp.name, model, specs, serve, [endpoint], sample) == [endpoint]
    True
    >>> sorted(tf.saved_model.load(tmp.name).signatures)
    ['serving_default', 'serving_step']
    >>> endpoint.verify(tmp.name, sample, False)
    >>> endpoint.metadata()["outputs"]["rnn_0_h"]
    {'dtype': 'float32', 'shape': [None, 2]}
    >>> tmp.cleanup()
    """

    key = "streaming"
    optional = True  # a step function that fails or differs is declined, with the reason
    label = "step"

    def __init__(self, step: StepSignature, warmup: bool = True):
        self.step = step
        self.warmup = warmup

    def functions(self) -> list:
        """``[("serving_step", function, input specs)]`` when the model streams, else ``[]``."""
        if not self.step.available:
            return []
        return [(STEP_SIGNATURE_NAME, self.step.function, self.step.specs)]

    def check(self, traced: list, default, sample: dict) -> str | None:
        """Why the traced step function differs from ``serving_default`` (:func:`_check_step`)."""
        return _check_step(traced[0], default, self.step, sample)

    def decline(self, reason: str) -> None:
        """Keep no step signature, and why."""
        self.step = self.step.declined(reason)

    def warmup_records(self, batches: list, batch_sizes, room: int) -> dict:
        """:func:`step_warmup_batches` (at most ``room``), counted in the metadata."""
        if not (self.warmup and self.step.available):
            return {}
        steps = step_warmup_batches(self.step, batch_sizes)[:max(0, room)]
        self.step.warmup_records = len(steps)
        return {STEP_SIGNATURE_NAME: steps} if steps else {}

    def verify(self, folder, sample: dict, check_warmup: bool) -> None:
        """:func:`verify_step`; its records are replayed when they were written."""
        self.step = verify_step(folder, self.step, sample,
                                check_warmup and self.warmup and self.step.available)

    def metadata(self) -> dict:
        """The ``streaming`` entry (:meth:`StepSignature.metadata`)."""
        return self.step.metadata()
