"""Which loop a seqkit RNN layer runs: the fused backend op, or seqkit's explicit loop.

Keras' ``LSTM.inner_loop`` / ``GRU.inner_loop`` hand the cell's weights to the backend's
fused op (``backend.lstm`` / ``backend.gru``: cuDNN on GPU) and never call the cell, so a
subclass that changes the gate math would be silently ignored on a GPU. seqkit's layers
therefore choose explicitly:

- ``"fused"``: the cell's math is the built-in's, no gate trace is asked, ``use_cudnn`` is
  not False, there is no recurrent dropout, and the backend reports its fused op usable
  (``backend.cudnn_ok``: on TensorFlow that needs a visible GPU). The built-in
  ``inner_loop`` runs unchanged.
- ``"explicit"``: everything else, on every device: :func:`seqkit.layers.loop.explicit_loop`.

:class:`ExplicitLoopMixin` holds that choice and everything else ``ExplicitLSTM`` and
``ExplicitGRU`` share (construction, ``options``, ``get_config``, ``trace_gates``).
"""

from __future__ import annotations

import keras

# Keras 3.15: the backend's own test of whether its fused op can run (``cudnn_ok``) has no
# public API; looked up at call time so a test can stand in for a GPU.
from keras.src import backend as keras_backend

from seqkit.errors import ConfigError
from seqkit.layers.loop import GateTrace, explicit_loop, trace_loop
from seqkit.validation import check_choice

FUSED = "fused"
EXPLICIT = "explicit"


def backend_fused_op_usable(cell, unroll: bool, reset_after: bool | None = None) -> bool:
    """What the active backend says about its fused (cuDNN) RNN op for these settings.

    Args:
        cell: an LSTM or GRU cell (its activations and ``use_bias`` are asked).
        unroll: the layer's ``unroll``.
        reset_after: the GRU's ``reset_after``; None for an LSTM.

    Returns:
        True when ``keras.src.backend.cudnn_ok`` says the fused op can run.

    Example:

    >>> from seqkit.layers import ExplicitLSTMCell
    >>> cell = ExplicitLSTMCell(4)
    >>> backend_fused_op_usable(cell, unroll=True)  # cuDNN never unrolls
    False
    """
    cudnn_ok = keras_backend.cudnn_ok
    args = (cell.activation, cell.recurrent_activation, unroll, cell.use_bias)
    if reset_after is None:
        return bool(cudnn_ok(*args))
    try:  # TensorFlow's cudnn_ok knows reset_after; JAX's and torch's do not.
        return bool(cudnn_ok(*args, reset_after=reset_after))
    except TypeError:
        return bool(reset_after and cudnn_ok(*args))


_CELL_ARGS = (
    "activation", "recurrent_activation", "use_bias", "kernel_initializer",
    "recurrent_initializer", "bias_initializer", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
    "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
    "implementation",
)


def split_layer_kwargs(kwargs: dict, extra_cell_args=()) -> tuple[dict, dict]:
    """Split a layer's keyword arguments into the cell's and the ``keras.layers.RNN``'s.

    Args:
        kwargs: the layer's keyword arguments.
        extra_cell_args: names that also go to the cell (its variant options).

    Returns:
        ``(cell_kwargs, rnn_kwargs)``.

    Example:

    >>> split_layer_kwargs({"dropout": 0.1, "return_sequences": True, "peephole": True},
    ...                    extra_cell_args=("peephole",))
    ({'dropout': 0.1, 'peephole': True}, {'return_sequences': True})
    """
    cell_names = set(_CELL_ARGS) | set(extra_cell_args)
    cell_kwargs = {k: v for k, v in kwargs.items() if k in cell_names}
    rnn_kwargs = {k: v for k, v in kwargs.items() if k not in cell_names}
    return cell_kwargs, rnn_kwargs


class ExplicitLoopMixin:
    """Path choice, explicit loop and gate tracing shared by ExplicitLSTM and ExplicitGRU.

    Mixed in before ``keras.layers.LSTM`` / ``GRU`` so that ``super().inner_loop`` is the
    built-in fused-or-fallback loop.

    Example:

    >>> from seqkit.layers import ExplicitGRU, ExplicitLSTM
    >>> [isinstance(layer, ExplicitLoopMixin) for layer in (ExplicitLSTM(4), ExplicitGRU(4))]
    [True, True]
    """

    def _init_explicit(self, cell_cls, cell_name, units, use_cudnn, kwargs, extra_cell_args):
        """``keras.layers.RNN.__init__`` around a ``cell_cls`` cell built from ``kwargs``."""
        cell_kwargs, rnn_kwargs = split_layer_kwargs(kwargs, extra_cell_args=extra_cell_args)
        cell = cell_cls(
            units, dtype=rnn_kwargs.get("dtype"), trainable=rnn_kwargs.get("trainable", True),
            name=cell_name, **cell_kwargs)
        # Keras 3.15: LSTM/GRU.__init__ always build their own cell and no public API takes
        # another, so the layer is initialised as the RNN base class around ours.
        keras.layers.RNN.__init__(self, cell, **rnn_kwargs)
        self.input_spec = keras.layers.InputSpec(ndim=3)
        self._check_use_cudnn(use_cudnn)
        self.use_cudnn = use_cudnn

    def _check_use_cudnn(self, use_cudnn):
        check_choice("use_cudnn", use_cudnn, ("auto", True, False))
        if use_cudnn is True and not self.cell.options.is_builtin:
            raise ConfigError(
                f"use_cudnn=True needs the built-in gate equations, but this layer sets "
                f"{self.cell.options.changed()}; use use_cudnn='auto' (explicit loop)"
            )

    @property
    def options(self):
        """The cell's :class:`~seqkit.layers.LSTMOptions` or :class:`~seqkit.layers.GRUOptions`.

        Example:

        >>> from seqkit.layers import ExplicitGRU
        >>> ExplicitGRU(4, layer_norm=True).options
        GRUOptions(reset_after=True, layer_norm=True, norm_epsilon=0.001)
        """
        return self.cell.options

    def get_config(self):
        """Keras' layer config plus the variant options and ``use_cudnn``.

        Returns:
            A dict that ``from_config`` turns back into an equal layer.

        Example:

        >>> from seqkit.layers import ExplicitLSTM
        >>> config = ExplicitLSTM(4, coupled_input_forget=True).get_config()
        >>> config["units"], config["coupled_input_forget"], config["use_cudnn"]
        (4, True, 'auto')
        """
        return {**super().get_config(), **self.cell.variant_config(),
                "use_cudnn": self.use_cudnn}

    def execution_path(self, trace: bool = False) -> str:
        """Which loop a call on this device will run.

        Args:
            trace: ask for a gate trace (always the explicit loop).

        Returns:
            ``"fused"`` (Keras' fused op, cuDNN on GPU) or ``"explicit"`` (seqkit's loop).

        Example:

        >>> from seqkit.layers import ExplicitLSTM
        >>> ExplicitLSTM(4, peephole=True).execution_path()  # a variant: on every device
        'explicit'
        >>> ExplicitLSTM(4).execution_path(trace=True)
        'explicit'
        """
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
        """Keras' hook for the time loop: the fused op or :func:`~seqkit.layers.loop.explicit_loop`.

        Args:
            sequences: ``[batch, time, features]`` inputs.
            initial_state: the initial ``[h]`` or ``[h, c]``.
            mask: ``[batch, time]`` booleans or None.
            training: whether dropout applies.

        Returns:
            ``(last_output, outputs, states)``, as ``keras.layers.RNN.inner_loop``.

        Example:

        >>> import numpy as np
        >>> from keras import ops
        >>> from seqkit.layers import ExplicitGRU
        >>> layer = ExplicitGRU(4, layer_norm=True)
        >>> layer.build((2, 3, 5))
        >>> x = np.ones((2, 3, 5), "float32")
        >>> last, outputs, states = layer.inner_loop(x, [ops.zeros((2, 4))], None)
        >>> tuple(last.shape), len(states)
        ((2, 4), 1)
        """
        if self.execution_path() == FUSED:
            if keras.backend.backend() == "tensorflow":
                # cuDNN ops are not XLA-compatible; Layer.supports_jit (read by compile's
                # jit_compile="auto") has no public setter in Keras 3.15, LSTM sets it too.
                self.supports_jit = False
            return super().inner_loop(sequences, initial_state, mask, training=training)
        if self.use_cudnn is True:
            raise ConfigError(
                "use_cudnn=True was given but the fused cuDNN op is not usable here "
                "(no GPU visible, unroll=True, recurrent_dropout or a non-default "
                "activation); pass use_cudnn='auto'"
            )
        return explicit_loop(self, sequences, initial_state, mask, training=training)

    def trace_gates(self, inputs, mask=None, initial_state=None) -> GateTrace:
        """Every gate activation per time step (see :func:`seqkit.layers.trace_gates`).

        Args:
            inputs: ``[batch, time, features]``.
            mask: ``[batch, time]`` booleans (True = real step) or None.
            initial_state: the initial ``[h]`` / ``[h, c]``; default the layer's.

        Returns:
            A :class:`~seqkit.layers.GateTrace`.

        Example:

        >>> import numpy as np
        >>> from seqkit.layers import ExplicitLSTM
        >>> trace = ExplicitLSTM(4).trace_gates(np.ones((2, 3, 5), "float32"))
        >>> trace.names, trace["f"].shape
        (['i', 'f', 'g', 'o', 'c', 'h'], (2, 3, 4))
        """
        return trace_loop(self, inputs, mask=mask, initial_state=initial_state)
