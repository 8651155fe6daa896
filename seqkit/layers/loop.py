"""seqkit's explicit loop: the gate equations of every variant over time, and its trace mode.

:func:`explicit_loop` runs the cell's equations (:mod:`seqkit.layers.equations`) in a
``backend.rnn`` loop on every device; :mod:`seqkit.layers.paths` decides when a layer runs
it instead of the fused op. Where it pays (GPU, JAX, torch, batch 1 on TensorFlow's CPU)
the input projection ``LN(W x) + b`` is computed for all time steps in one matmul outside
the loop (see :func:`hoist_input_projection`). :func:`trace_loop` runs it in trace mode
and returns every gate activation as a :class:`GateTrace`.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import keras
import numpy as np
from keras import ops, tree

# Keras 3.15: ``backend.rnn`` (the masked, go_backwards-aware loop that keras.layers.RNN
# itself runs) and ``AutocastScope`` (reading variables in the compute dtype outside
# ``Layer.__call__``, as a mixed-precision call does) have no public API.
from keras.src import backend as keras_backend
from keras.src.backend import AutocastScope

from seqkit.errors import DataError

#: On TensorFlow's CPU loop, hoist the input projection up to this (static) batch size.
SMALL_BATCH = 4


def read_once(weights):
    """``weights`` with every Keras variable in it read into a tensor (nested named tuples,
    tuples and dicts kept as they are).

    A variable captured by the loop body is read inside it, at every step, and on
    TensorFlow the gradient of the while loop then stacks that read once per step for the
    backward pass (a ``TensorListPushBack`` of each loop-body value the gradient needs):
    the GRU's kernels were stacked so. TensorFlow shares the variable's buffer among the
    reads, so it cost list entries and time, not memory: a GRU(256) train step at B=64,
    T=100, 32 features went from 78 to 73 ms (median of three fresh processes each), its
    peak memory unchanged. Read once outside the loop, the weights are loop invariants and
    are not stacked (tests/layers/test_loop_stacks.py counts what is). Keras' own
    ``LSTM``/``GRU`` read their variables inside the step and are stacked so too.

    Args:
        weights: a cell's :meth:`loop_weights` (or any nest holding variables).

    Returns:
        The same nest with tensors for variables.

    Example:

    >>> import keras
    >>> v = keras.Variable([1.0, 2.0])
    >>> w = read_once({"k": v, "pair": (v, None)})
    >>> isinstance(w["k"], keras.Variable), w["pair"][1] is None
    (False, True)
    """
    if isinstance(weights, keras.Variable):
        # ops.copy reads it (TF: Identity of the read); convert_to_tensor would return the
        # variable itself on TensorFlow, read again inside the loop
        return ops.copy(weights)
    if isinstance(weights, tuple) and hasattr(weights, "_fields"):  # a NamedTuple
        return type(weights)(*(read_once(w) for w in weights))
    if isinstance(weights, (tuple, list)):
        return type(weights)(read_once(w) for w in weights)
    if isinstance(weights, dict):
        return {k: read_once(w) for k, w in weights.items()}
    return weights


def hoist_input_projection(batch: int | None = None) -> bool:
    """Whether the explicit loop computes ``LN(W x) + b`` for all steps before the loop.

    On TensorFlow's CPU while loop at ordinary batch sizes, projecting inside the step is
    faster: the ``[T, B, n u]`` tensor goes through memory (and the loop's TensorList)
    while the per-step product stays in cache. At batch 1 (a typical TF Serving request)
    the T per-step matrix-vector products cost more than the one matmul and the small
    tensor: hoisting is faster there. On a GPU, and on JAX/torch (``lax.scan`` / eager
    loops), one big matmul beats T kernel launches. Measurements: docs/benchmarks.md.

    Args:
        batch: the static batch size of the call, None when unknown at trace time
            (e.g. a serving signature with a ``None`` batch dimension).

    Returns:
        True off TensorFlow, with a visible GPU, or for a known batch ≤ ``SMALL_BATCH``.

    Example:

    >>> hoist_input_projection(1)  # on every backend and device
    True
    >>> hoist_input_projection(64) == hoist_input_projection(None)  # False on TF's CPU
    True
    """
    if keras.backend.backend() != "tensorflow":
        return True
    import tensorflow as tf

    if tf.config.list_logical_devices("GPU"):
        return True
    return batch is not None and batch <= SMALL_BATCH


#: ``input_length`` for a time axis unknown at trace time: no bound on the loop's steps
#: (its condition still stops at the input's length)
UNBOUNDED_STEPS = 2**31 - 1


def _time_steps(sequences) -> int:
    """``keras_backend.rnn``'s ``input_length`` for batch-major ``sequences``: the static
    length, else :data:`UNBOUNDED_STEPS`.

    Never None: the TensorFlow and torch backends read ``input_length or
    inputs.shape[1]`` (keras/src/backend/tensorflow/rnn.py, Keras 3.15), the *batch* axis
    of the time-major inputs this loop passes, and bound the loop's iterations by it. With
    a static batch and a dynamic time axis (a TFLite conversion at batch 1, a traced
    predict with a fixed batch) the loop then stopped after ``batch`` steps.

    Example:

    >>> import numpy as np
    >>> _time_steps(np.zeros((3, 5, 2)))
    5
    """
    steps = sequences.shape[1]
    return UNBOUNDED_STEPS if steps is None else int(steps)


def explicit_loop(layer, sequences, initial_state, mask, training=False, trace=False,
                  time_major_outputs=False):
    """Run ``layer.cell``'s gate equations over ``sequences`` (the explicit path).

    ::

        weights = cell.loop_weights()              # once: loop layout, biases folded
        x = time_major(x);  x_proj = LN(W x) + b   # for all steps, where it pays
        for t in time:   # backend.rnn: masking, go_backwards, unroll
            states, gates = cell.recurrent_step(x_proj_t, states, weights=weights)

    The loop always runs time-major (one input transpose; the outputs are transposed back
    once, or not at all with ``time_major_outputs``).

    Args:
        layer: an ``ExplicitLSTM`` / ``ExplicitGRU`` (built).
        sequences: ``[batch, time, features]``.
        initial_state: ``[h]`` or ``[h, c]`` (a single tensor is accepted).
        mask: ``[batch, time]`` booleans or None.
        training: apply the cell's dropout masks (one mask for every step).
        trace: make each step's output the concatenation of all gate activations
            (``cell.gate_names`` order), masked steps zeros, all steps returned.
        time_major_outputs: return all-step outputs as ``[time, batch, ...]``.

    Returns:
        What ``keras.src.backend.rnn`` returns: ``(last_output, outputs, states)``.

    Example:

    >>> import numpy as np
    >>> from keras import ops
    >>> from seqkit.layers import ExplicitLSTM
    >>> layer = ExplicitLSTM(4, return_sequences=True)
    >>> layer.build((2, 3, 5))
    >>> x = np.ones((2, 3, 5), "float32")
    >>> last, outputs, (h, c) = explicit_loop(layer, x, [ops.zeros((2, 4))] * 2, None)
    >>> tuple(outputs.shape), tuple(c.shape)
    ((2, 3, 4), (2, 4))
    >>> _, gates, _ = explicit_loop(layer, x, [ops.zeros((2, 4))] * 2, None, trace=True)
    >>> tuple(gates.shape)  # i, f, g, o, c, h side by side
    (2, 3, 24)
    """
    cell = layer.cell
    if tree.is_nested(mask):
        mask = mask[0]
    if not tree.is_nested(initial_state):
        initial_state = [initial_state]
    initial_state = list(initial_state)
    if trace and not training and _eager_tensorflow():
        return _compiled_trace_loop(layer, time_major_outputs)(sequences, initial_state, mask)

    x = sequences
    if training and cell.dropout:
        dp_mask = cell.get_dropout_mask(sequences[:, 0, :])
        x = x * ops.expand_dims(dp_mask, axis=1)  # same mask every step, as Keras does
    h_mask = None
    if training and cell.recurrent_dropout:
        h_mask = cell.get_recurrent_dropout_mask(initial_state[0])
    all_outputs = trace or layer.return_sequences
    weights = read_once(cell.loop_weights())  # read and laid out once, outside the loop
    hoist = hoist_input_projection(sequences.shape[0])
    x = ops.transpose(x, (1, 0, 2))  # time-major: [T, B, d], as the loop reads it
    if hoist:  # [T, B, n*u] from one matmul
        x = cell.project_inputs(x, weights)
    if mask is not None:
        mask = ops.transpose(mask, (1, 0))

    def step(x_t, states):
        x_proj_t = x_t if hoist else cell.project_inputs(x_t, weights)
        new_states, gates = cell.recurrent_step(x_proj_t, states, h_mask, weights=weights)
        output = ops.concatenate(list(gates), axis=-1) if trace else new_states[0]
        return output, new_states

    last, outputs, states = keras_backend.rnn(
        step,
        x,
        initial_state,
        go_backwards=layer.go_backwards,
        mask=mask,
        unroll=layer.unroll,
        input_length=_time_steps(sequences),
        time_major=True,
        zero_output_for_mask=trace or layer.zero_output_for_mask,
        return_all_outputs=all_outputs,
    )
    if all_outputs and not time_major_outputs:
        outputs = ops.transpose(outputs, (1, 0, 2))
    return last, outputs, states


def _eager_tensorflow() -> bool:
    if keras.backend.backend() != "tensorflow":
        return False
    import tensorflow as tf

    return tf.executing_eagerly()


_TRACE_LOOPS = weakref.WeakKeyDictionary()


def _compiled_trace_loop(layer, time_major_outputs):
    """``explicit_loop(layer, ..., trace=True)`` as a ``tf.function``, one per layer and
    output layout.

    Gate traces are asked for eagerly (they return NumPy arrays), and an eager TensorFlow
    while loop dispatches every op of every step from Python; compiled, it runs several
    times faster even counting the first call's tracing (docs/benchmarks.md, "What we
    tried").
    """
    loops = _TRACE_LOOPS.setdefault(layer, {})
    if time_major_outputs not in loops:
        import tensorflow as tf

        layer_ref = weakref.ref(layer)

        @tf.function
        def loop(sequences, initial_state, mask):
            return explicit_loop(layer_ref(), sequences, initial_state, mask, trace=True,
                                 time_major_outputs=time_major_outputs)

        loops[time_major_outputs] = loop
    return loops[time_major_outputs]


@dataclass
class GateTrace:
    """Gate activations of one layer, from :func:`seqkit.layers.trace_gates`.

    Attributes:
        layer_name: the traced layer's name.
        gates: ``gates[name]`` is a float32 ``[batch, time, units]`` array in input time
            order (also for ``go_backwards``); masked steps hold zeros. LSTM: ``i, f, g,
            o, c, h``; GRU: ``z, r, candidate, h``.
        mask: ``[batch, time]`` booleans (True = real step) or None.
        direction: ``"forward"`` or ``"backward"`` (``go_backwards``).
        extra: free-form annotations.

    Example:

    >>> import numpy as np
    >>> trace = GateTrace("gru", {"z": np.zeros((1, 2, 3)), "h": np.ones((1, 2, 3))})
    >>> trace.names, trace["h"].shape, list(trace)
    (['z', 'h'], (1, 2, 3), ['z', 'h'])
    """

    layer_name: str
    gates: dict[str, np.ndarray]
    mask: np.ndarray | None = None
    direction: str = "forward"
    extra: dict = field(default_factory=dict)

    def __getitem__(self, name) -> np.ndarray:
        return self.gates[name]

    def __iter__(self):
        return iter(self.gates)

    @property
    def names(self) -> list[str]:
        """The gate names, in the cell's order (``cell.gate_names``)."""
        return list(self.gates)


def trace_loop(layer, inputs, mask=None, initial_state=None) -> GateTrace:
    """Run :func:`explicit_loop` in trace mode (inference) and split it into named gates.

    The layer's state is not changed (a stateful layer's states are read, not written).

    Args:
        layer: an ``ExplicitLSTM`` / ``ExplicitGRU`` (built here if needed).
        inputs: ``[batch, time, features]``.
        mask: ``[batch, time]`` booleans (True = real step) or None.
        initial_state: ``[h]`` / ``[h, c]``; default the layer's (zeros, or a stateful
            layer's current states).

    Returns:
        A :class:`GateTrace`.

    Raises:
        DataError: ``inputs`` are not 3-D or ``mask`` does not match them.

    Example:

    >>> import numpy as np
    >>> from seqkit.layers import ExplicitGRU
    >>> trace = trace_loop(ExplicitGRU(4), np.ones((2, 3, 5), "float32"))
    >>> trace.names, trace["z"].shape, trace.direction
    (['z', 'r', 'candidate', 'h'], (2, 3, 4), 'forward')
    """
    x = ops.convert_to_tensor(inputs, dtype=layer.compute_dtype)
    if len(x.shape) != 3:
        raise DataError(f"inputs must be [batch, time, features], got shape {tuple(x.shape)}")
    if not layer.built:
        layer.build(x.shape)
    if initial_state is None:
        if layer.stateful and layer.states is not None:
            initial_state = [ops.convert_to_tensor(s) for s in layer.states]
        else:
            initial_state = layer.get_initial_state(ops.shape(x)[0])
    bool_mask = None
    if mask is not None:
        bool_mask = np.asarray(mask).astype(bool)
        if bool_mask.shape != tuple(x.shape[:2]):
            raise DataError(
                f"mask must be [batch, time] = {tuple(x.shape[:2])}, got {bool_mask.shape}")
        mask = ops.convert_to_tensor(bool_mask)
    # Outside Layer.__call__: read float variables in the compute dtype as Keras does
    # under a mixed-precision policy.
    with AutocastScope(layer.compute_dtype if layer.compute_dtype != layer.variable_dtype
                       else None):
        _, outputs, _ = explicit_loop(layer, x, initial_state, mask, training=False,
                                      trace=True, time_major_outputs=True)
    # [T, B, gates*u] -> [B, T, gates*u] (and input time order) as NumPy views: no copy
    outputs = ops.convert_to_numpy(ops.cast(outputs, "float32")).transpose(1, 0, 2)
    if layer.go_backwards:
        outputs = outputs[:, ::-1]
    parts = np.split(outputs, len(layer.cell.gate_names), axis=-1)
    return GateTrace(layer.name, dict(zip(layer.cell.gate_names, parts)), bool_mask,
                     "backward" if layer.go_backwards else "forward")
