"""How a seqkit RNN layer runs over time: the fused backend op, or seqkit's explicit loop.

Keras' ``LSTM.inner_loop`` / ``GRU.inner_loop`` hand the cell's weights to the backend's
fused op (``backend.lstm`` / ``backend.gru``: cuDNN on GPU) and never call the cell, so a
subclass that changes the gate math would be silently ignored on a GPU. seqkit's layers
therefore choose explicitly:

- ``"fused"``: the cell's math is the built-in's, no gate trace is asked, ``use_cudnn`` is
  not False, there is no recurrent dropout, and the backend reports its fused op usable
  (``backend.cudnn_ok``: on TensorFlow that needs a visible GPU). The built-in
  ``inner_loop`` runs unchanged.
- ``"explicit"``: everything else, on every device: the gate equations of
  :mod:`seqkit.layers.equations` in a ``backend.rnn`` loop. Where it pays (GPU, JAX,
  torch) the input projection ``LN(W x) + b`` is computed for all time steps in one
  matmul outside the loop (see :func:`hoist_input_projection`).
"""

from __future__ import annotations

import weakref

from keras import ops, tree
from keras.src import backend as keras_backend

from seqkit.errors import ConfigError

FUSED = "fused"
EXPLICIT = "explicit"


def backend_fused_op_usable(cell, unroll: bool, reset_after: bool | None = None) -> bool:
    """What the active backend says about its fused (cuDNN) RNN op for these settings."""
    cudnn_ok = keras_backend.cudnn_ok
    args = (cell.activation, cell.recurrent_activation, unroll, cell.use_bias)
    if reset_after is None:
        return bool(cudnn_ok(*args))
    try:  # TensorFlow's cudnn_ok knows reset_after; JAX's and torch's do not.
        return bool(cudnn_ok(*args, reset_after=reset_after))
    except TypeError:
        return bool(reset_after and cudnn_ok(*args))


class ExplicitLoopMixin:
    """Path choice, explicit loop and gate tracing shared by ExplicitLSTM and ExplicitGRU.

    Mixed in before ``keras.layers.LSTM`` / ``GRU`` so that ``super().inner_loop`` is the
    built-in fused-or-fallback loop.
    """

    def _check_use_cudnn(self, use_cudnn):
        if use_cudnn not in ("auto", True, False):
            raise ConfigError(
                f"use_cudnn must be 'auto', True or False, got {use_cudnn!r}"
            )
        if use_cudnn is True and not self.cell.options.is_builtin:
            raise ConfigError(
                f"use_cudnn=True needs the built-in gate equations, but this layer sets "
                f"{self.cell.options.changed()}; use use_cudnn='auto' (explicit loop)"
            )

    def execution_path(self, trace: bool = False) -> str:
        """``"fused"`` or ``"explicit"``: which loop a call on this device will run."""
        if (
            trace
            or not self.cell.options.is_builtin
            or self.use_cudnn is False
            or self.cell.recurrent_dropout
        ):
            return EXPLICIT
        reset_after = getattr(self.cell, "reset_after", None)
        if backend_fused_op_usable(self.cell, self.unroll, reset_after):
            return FUSED
        return EXPLICIT

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if self.execution_path() == FUSED:
            if keras_backend.backend() == "tensorflow":
                self.supports_jit = False  # cuDNN ops are not XLA-compatible
            return super().inner_loop(sequences, initial_state, mask, training=training)
        if self.use_cudnn is True:
            raise ConfigError(
                "use_cudnn=True was given but the fused cuDNN op is not usable here "
                "(no GPU visible, unroll=True, recurrent_dropout or a non-default "
                "activation); pass use_cudnn='auto'"
            )
        return explicit_loop(self, sequences, initial_state, mask, training=training)

    def trace_gates(self, inputs, mask=None, initial_state=None):
        """Every gate activation per time step (see :func:`seqkit.layers.trace.trace_gates`)."""
        from seqkit.layers.trace import trace_layer

        return trace_layer(self, inputs, mask=mask, initial_state=initial_state)


def hoist_input_projection() -> bool:
    """Whether the explicit loop computes ``LN(W x) + b`` for all steps before the loop.

    Measured (benchmarks/bench_layers.py, 2-core CPU, B=64 T=100 I=64 H=128): on
    TensorFlow's CPU while-loop, hoisting is *slower* (forward 1.08x, train 1.10x the
    built-in) than projecting inside the step (1.02x, 0.98x): the ``[T, B, 4u]`` tensor
    through the loop's TensorArray costs more than the T small matmuls it saves. On a GPU,
    and on JAX/torch (``lax.scan`` / eager loops), one big matmul beats T kernel launches.
    """
    if keras_backend.backend() != "tensorflow":
        return True
    import tensorflow as tf

    return bool(tf.config.list_logical_devices("GPU"))


def explicit_loop(layer, sequences, initial_state, mask, training=False, trace=False):
    """Run ``layer.cell``'s gate equations over ``sequences`` (the explicit path).

    Returns what ``keras.src.backend.rnn`` returns: ``(last_output, outputs, states)``.
    With ``trace=True`` each step's output is the concatenation of all gate activations
    (``cell.gate_names`` order), masked steps are zeros, and all steps are returned.
    """
    cell = layer.cell
    if tree.is_nested(mask):
        mask = mask[0]
    if not tree.is_nested(initial_state):
        initial_state = [initial_state]
    initial_state = list(initial_state)
    if trace and not training and _eager_tensorflow():
        return _compiled_trace_loop(layer)(sequences, initial_state, mask)

    x = sequences
    if training and cell.dropout:
        dp_mask = cell.get_dropout_mask(sequences[:, 0, :])
        x = x * ops.expand_dims(dp_mask, axis=1)  # same mask every step, as Keras does
    h_mask = None
    if training and cell.recurrent_dropout:
        h_mask = cell.get_recurrent_dropout_mask(initial_state[0])
    all_outputs = trace or layer.return_sequences

    hoist = hoist_input_projection()
    if hoist:  # time-major: [T, B, gates*u] from one matmul, no big transpose
        x = cell.project_inputs(ops.transpose(x, (1, 0, 2)))
        if mask is not None:
            mask = ops.transpose(mask, (1, 0))

    def step(x_t, states):
        x_proj_t = x_t if hoist else cell.project_inputs(x_t)
        new_states, gates = cell.recurrent_step(x_proj_t, states, h_dropout_mask=h_mask)
        output = ops.concatenate(list(gates), axis=-1) if trace else new_states[0]
        return output, new_states

    last, outputs, states = keras_backend.rnn(
        step,
        x,
        initial_state,
        go_backwards=layer.go_backwards,
        mask=mask,
        unroll=layer.unroll,
        input_length=sequences.shape[1],
        time_major=hoist,
        zero_output_for_mask=trace or layer.zero_output_for_mask,
        return_all_outputs=all_outputs,
    )
    if hoist and all_outputs:
        outputs = ops.transpose(outputs, (1, 0, 2))
    return last, outputs, states


def _eager_tensorflow() -> bool:
    if keras_backend.backend() != "tensorflow":
        return False
    import tensorflow as tf

    return tf.executing_eagerly()


_TRACE_LOOPS = weakref.WeakKeyDictionary()


def _compiled_trace_loop(layer):
    """``explicit_loop(layer, ..., trace=True)`` as a ``tf.function``, one per layer.

    Gate traces are asked for eagerly (they return NumPy arrays), and an eager TensorFlow
    while loop dispatches every op of every step from Python: measured 190 ms vs 51 ms
    compiled (B=64 T=100 H=128, 2-core CPU; the first call, tracing included, 96 ms).
    """
    loop = _TRACE_LOOPS.get(layer)
    if loop is None:
        import tensorflow as tf

        layer_ref = weakref.ref(layer)

        @tf.function
        def loop(sequences, initial_state, mask):
            return explicit_loop(layer_ref(), sequences, initial_state, mask, trace=True)

        _TRACE_LOOPS[layer] = loop
    return loop


_CELL_ARGS = (
    "activation", "recurrent_activation", "use_bias", "kernel_initializer",
    "recurrent_initializer", "bias_initializer", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
    "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
    "implementation",
)


def split_layer_kwargs(kwargs: dict, extra_cell_args=()) -> tuple[dict, dict]:
    """Split a layer's keyword arguments into the cell's and the ``keras.layers.RNN``'s."""
    cell_names = set(_CELL_ARGS) | set(extra_cell_args)
    cell_kwargs = {k: v for k, v in kwargs.items() if k in cell_names}
    rnn_kwargs = {k: v for k, v in kwargs.items() if k not in cell_names}
    return cell_kwargs, rnn_kwargs
