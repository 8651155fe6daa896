"""ExplicitLSTMCell and ExplicitLSTM: ``keras.layers.LSTM`` with the gates in plain sight."""

from __future__ import annotations

from dataclasses import asdict

import keras
import numpy as np
from keras import initializers, ops

from seqkit.layers.cells import (
    ExplicitCellMixin,
    LSTMWeights,
    add_all,
    fuse_gate_activations,
    take_blocks,
)
from seqkit.layers.equations import input_projection, lstm_layout, lstm_step
from seqkit.layers.options import LSTMOptions
from seqkit.layers.paths import ExplicitLoopMixin

_PACKAGE = "seqkit"
_KERAS_BLOCKS = ("i", "f", "g", "o")  # Keras' column blocks of kernel, recurrent_kernel, bias


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ExplicitLSTMCell(ExplicitCellMixin, keras.layers.LSTMCell):
    """An LSTM cell whose equations are :func:`seqkit.layers.equations.lstm_gates`.

    With default options it computes exactly what ``keras.layers.LSTMCell`` computes and
    has the same weights (``kernel [d, 4u]``, ``recurrent_kernel [u, 4u]``, ``bias [4u]``,
    gate order i, f, c, o), so ``set_weights(builtin.get_weights())`` just works::

        z_i, z_f, z_g, z_o = split(LN(W x_t) + b + LN(U h_{t-1}), 4)
        i   = σ(z_i + p_i ⊙ c_{t-1})                 NIG: i = 1
        f   = σ(z_f + p_f ⊙ c_{t-1} + forget_bias)   NFG: f = 1;   CIFG: f = 1 - i
        g   = φ(z_g)                                  NIAF: g = z_g
        c_t = f ⊙ c_{t-1} + i ⊙ g                     layer_norm: c_t = LN(c_t)
        o   = σ(z_o + p_o ⊙ c_t)                      NOG: o = 1
        h_t = o ⊙ φ(c_t)                              NOAF: h_t = o ⊙ c_t

    (``LN`` is the identity unless ``layer_norm=True``; ``p`` only with ``peephole=True``.)
    Weights of gates a variant removes are kept (for weight compatibility) and unused.
    Dropout uses one mask for all gates (Keras' ``implementation=2`` convention), also
    with recurrent dropout.

    Args:
        units: dimensionality of the state ``h`` (and ``c``).
        peephole: add diagonal peephole weights ``peephole_kernel [3, u]`` (rows i, f, o).
        coupled_input_forget: CIFG, ``f = 1 - i``.
        input_gate: False removes the input gate (NIG, ``i = 1``).
        forget_gate: False removes the forget gate (NFG, ``f = 1``).
        output_gate: False removes the output gate (NOG, ``o = 1``).
        input_activation: False drops ``φ`` on the candidate (NIAF, ``g = z_g``).
        output_activation: False drops ``φ`` on the cell state (NOAF, ``h = o ⊙ c``).
        forget_bias: a constant added to the forget pre-activation every step.
        layer_norm: layer-normalize the input projection, the recurrent projection
            (``{input,recurrent}_norm_{gamma,beta} [4u]``) and the new cell state
            (``cell_norm_{gamma,beta} [u]``).
        norm_epsilon: the layer norms' epsilon.
        peephole_initializer: initializer of ``peephole_kernel`` (zeros by default).
        **kwargs: every other ``keras.layers.LSTMCell`` argument (``activation``,
            ``recurrent_activation``, ``use_bias``, initializers, regularizers,
            constraints, ``dropout``, ``recurrent_dropout``, ``seed``, ...).

    Raises:
        ConfigError: an invalid option or combination (see
            :class:`~seqkit.layers.LSTMOptions`).

    Call arguments:
        inputs: a 2D tensor ``[batch, features]``, one time step.
        states: ``[h, c]``, each ``[batch, units]``.
        training: whether dropout applies.

    Example:

    >>> import keras
    >>> import numpy as np
    >>> x = np.ones((2, 3, 4), "float32")
    >>> rnn = keras.layers.RNN(ExplicitLSTMCell(5, peephole=True))
    >>> tuple(rnn(x).shape)
    (2, 5)
    >>> [tuple(w.shape) for w in rnn.cell.weights]
    [(4, 20), (5, 20), (20,), (3, 5)]

    The default cell takes ``keras.layers.LSTMCell``'s weights and gives its outputs:

    >>> builtin = keras.layers.RNN(keras.layers.LSTMCell(5))
    >>> ours = keras.layers.RNN(ExplicitLSTMCell(5))
    >>> _ = builtin(x), ours(x)
    >>> ours.set_weights(builtin.get_weights())
    >>> bool(np.allclose(ours(x), builtin(x), atol=1e-6))
    True
    """

    gate_names = ("i", "f", "g", "o", "c", "h")

    def __init__(self, units, *, peephole=False, coupled_input_forget=False,
                 input_gate=True, forget_gate=True, output_gate=True,
                 input_activation=True, output_activation=True, forget_bias=0.0,
                 layer_norm=False, norm_epsilon=1e-3, peephole_initializer="zeros",
                 **kwargs):
        options = LSTMOptions(
            peephole=peephole, coupled_input_forget=coupled_input_forget,
            input_gate=input_gate, forget_gate=forget_gate, output_gate=output_gate,
            input_activation=input_activation, output_activation=output_activation,
            forget_bias=forget_bias, layer_norm=layer_norm, norm_epsilon=norm_epsilon,
        )
        super().__init__(units, **kwargs)
        self._init_options(options)
        self.peephole_initializer = initializers.get(peephole_initializer)

    def build(self, input_shape):
        """Create Keras' LSTMCell weights, then the peephole and layer-norm weights.

        Args:
            input_shape: ``(batch, features)``.

        Example:

        >>> cell = ExplicitLSTMCell(2, layer_norm=True)
        >>> cell.build((None, 3))
        >>> [w.name for w in cell.weights][3:]
        ['input_norm_gamma', 'input_norm_beta', 'recurrent_norm_gamma', \
'recurrent_norm_beta', 'cell_norm_gamma', 'cell_norm_beta']
        """
        super().build(input_shape)
        u = self.units
        if self.options.peephole:
            self.peephole_kernel = self.add_weight(
                shape=(3, u), name="peephole_kernel", initializer=self.peephole_initializer)
        if self.options.layer_norm:
            self._add_norm_weights((("input", 4 * u), ("recurrent", 4 * u), ("cell", u)))

    def loop_weights(self) -> LSTMWeights:
        """The weights in the loop layout (:class:`~seqkit.layers.cells.LSTMWeights`).

        Read once per call, outside the time loop: gate columns in
        :func:`~seqkit.layers.equations.lstm_layout` order (removed gates' columns
        dropped), ``forget_bias`` and the layer norms' ``β`` folded into the bias.

        Returns:
            An :class:`~seqkit.layers.cells.LSTMWeights`.

        Example:

        >>> cell = ExplicitLSTMCell(2, coupled_input_forget=True)
        >>> cell.build((None, 3))
        >>> weights = cell.loop_weights()
        >>> weights.layout, tuple(weights.kernel.shape)  # no forget-gate columns
        (('i', 'o', 'g'), (3, 6))
        """
        u, options = self.units, self.options
        layout = lstm_layout(options)
        order = [_KERAS_BLOCKS.index(name) for name in layout]
        bias = take_blocks(self.bias, order, u) if self.use_bias else None
        if options.forget_bias:  # a constant shift of z_f: into the bias, once
            shift = np.zeros(len(layout) * u, self.compute_dtype)
            shift[layout.index("f") * u:(layout.index("f") + 1) * u] = options.forget_bias
            bias = add_all(bias, ops.convert_to_tensor(shift))
        input_norm, beta_x = self._unshifted_norm("input", order)
        recurrent_norm, beta_h = self._unshifted_norm("recurrent", order)
        peephole = None
        if options.peephole:
            rows = {"i": 0, "f": 1}
            before = [name for name in layout[:layout.index("g")] if name in rows]
            p = self.peephole_kernel
            peephole = {"i": p[0], "f": p[1], "o": p[2],
                        "before": ops.concatenate([p[rows[n]] for n in before]) if before
                        else None}
        return LSTMWeights(
            take_blocks(self.kernel, order, u), take_blocks(self.recurrent_kernel, order, u),
            add_all(bias, beta_x, beta_h), layout, peephole, input_norm, recurrent_norm,
            self._norm("cell"), fuse_gate_activations())

    def project_inputs(self, x, weights: LSTMWeights | None = None):
        """``LN(W x) + b`` for one step ``[B, d]`` or all steps ``[B, T, d]`` at once.

        Args:
            x: inputs ``[..., features]``.
            weights: :meth:`loop_weights` (read here when None).

        Returns:
            The gates' pre-activations from the input, ``[..., n * u]``, in the loop
            layout.

        Example:

        >>> import numpy as np
        >>> cell = ExplicitLSTMCell(2)
        >>> cell.build((None, 3))
        >>> tuple(cell.project_inputs(np.ones((5, 7, 3), "float32")).shape)
        (5, 7, 8)
        """
        weights = weights or self.loop_weights()
        return input_projection(x, weights.kernel, weights.bias, weights.input_norm)

    def recurrent_step(self, x_proj, states, h_dropout_mask=None, weights=None):
        """One step from the projected input (:func:`~seqkit.layers.equations.lstm_step`).

        Args:
            x_proj: ``project_inputs(x_t, weights)``, ``[batch, n * u]``.
            states: ``[h_{t-1}, c_{t-1}]``.
            h_dropout_mask: recurrent dropout mask for ``h_{t-1}``, or None.
            weights: :meth:`loop_weights` (read here when None).

        Returns:
            ``([h_t, c_t], gates)`` with ``gates`` an
            :class:`~seqkit.layers.equations.LSTMGates`.

        Example:

        >>> import numpy as np
        >>> cell = ExplicitLSTMCell(2, output_gate=False)
        >>> cell.build((None, 3))
        >>> zeros = np.zeros((1, 2), "float32")
        >>> (h, c), gates = cell.recurrent_step(np.zeros((1, 6), "float32"), [zeros, zeros])
        >>> keras.ops.convert_to_numpy(gates.o).tolist()  # NOG: o = 1
        [[1.0, 1.0]]
        """
        gates = lstm_step(
            x_proj, states[0], states[1], weights or self.loop_weights(), self.options,
            self.activation, self.recurrent_activation, h_dropout_mask=h_dropout_mask)
        return [gates.h, gates.c], gates

    def call(self, inputs, states, training=False):
        """One time step (see the class docstring for the equations).

        Args:
            inputs: ``[batch, features]``.
            states: ``[h, c]``.
            training: whether dropout applies.

        Returns:
            ``(h_t, [h_t, c_t])``.

        Example:

        >>> import numpy as np
        >>> cell = ExplicitLSTMCell(2)
        >>> zeros = np.zeros((1, 2), "float32")
        >>> h, (h_again, c) = cell(np.ones((1, 3), "float32"), [zeros, zeros])
        >>> tuple(h.shape), tuple(c.shape)
        ((1, 2), (1, 2))
        """
        if training and 0.0 < self.dropout < 1.0:
            inputs = inputs * self.get_dropout_mask(inputs)
        h_mask = None
        if training and 0.0 < self.recurrent_dropout < 1.0:
            h_mask = self.get_recurrent_dropout_mask(states[0])
        weights = self.loop_weights()
        new_states, gates = self.recurrent_step(
            self.project_inputs(inputs, weights), states, h_mask, weights=weights)
        return gates.h, new_states

    def variant_config(self):
        """The seqkit-specific options, as saved in ``get_config``.

        Returns:
            The :class:`~seqkit.layers.LSTMOptions` fields and ``peephole_initializer``.

        Example:

        >>> config = ExplicitLSTMCell(2, forget_bias=1.0).variant_config()
        >>> config["forget_bias"], config["peephole"], sorted(config)[:3]
        (1.0, False, ['coupled_input_forget', 'forget_bias', 'forget_gate'])
        """
        return {**asdict(self.options),
                "peephole_initializer": initializers.serialize(self.peephole_initializer)}

    def get_config(self):
        """Keras' LSTMCell config plus :meth:`variant_config`.

        Returns:
            A dict that ``from_config`` turns back into an equal cell.

        Example:

        >>> cell = ExplicitLSTMCell(2, peephole=True)
        >>> ExplicitLSTMCell.from_config(cell.get_config()).options == cell.options
        True
        """
        return {**super().get_config(), **self.variant_config()}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ExplicitLSTM(ExplicitLoopMixin, keras.layers.LSTM):
    """``keras.layers.LSTM`` running :class:`ExplicitLSTMCell` (same arguments, same weights).

    The layer loops :class:`ExplicitLSTMCell`'s equations over time::

        for t in 1..T:   c_t, h_t = cell(x_t, h_{t-1}, c_{t-1});   output h_T (or every h_t)

    ``execution_path()`` says which loop runs: ``"fused"`` (Keras' own fused op, cuDNN on
    GPU, used when the options are the built-in math) or ``"explicit"`` (seqkit's loop,
    for any variant, a gate trace, or when no fused op exists, e.g. on CPU).
    ``trace_gates(x)`` returns every gate activation per time step.

    Args:
        units: dimensionality of the output space.
        use_cudnn: ``"auto"`` (the fused op where usable), True (require it: only for the
            built-in math) or False (always the explicit loop).
        **kwargs: every ``keras.layers.LSTM`` argument (``return_sequences``,
            ``go_backwards``, ``stateful``, ``dropout``, ...) plus the cell's variant
            options (``peephole``, ``coupled_input_forget``, ``input_gate``,
            ``forget_gate``, ``output_gate``, ``input_activation``, ``output_activation``,
            ``forget_bias``, ``layer_norm``, ``norm_epsilon``, ``peephole_initializer``;
            see :class:`ExplicitLSTMCell`).

    Raises:
        ConfigError: an invalid option or combination, or ``use_cudnn=True`` with a
            variant.

    Call arguments:
        inputs: ``[batch, time, features]``.
        mask: ``[batch, time]`` booleans or None.
        training: whether dropout applies.
        initial_state: ``[h, c]`` or None (zeros).

    Example:

    >>> import keras
    >>> import numpy as np
    >>> x = np.ones((2, 3, 4), "float32")
    >>> layer = ExplicitLSTM(5, return_sequences=True)
    >>> tuple(layer(x).shape)
    (2, 3, 5)

    Weights move to and from ``keras.layers.LSTM`` unchanged, and the outputs agree:

    >>> builtin = keras.layers.LSTM(5, return_sequences=True)
    >>> _ = builtin(x)
    >>> layer.set_weights(builtin.get_weights())
    >>> bool(np.allclose(layer(x), builtin(x), atol=1e-6))
    True

    A variant always runs seqkit's loop; ``trace_gates`` shows its gates:

    >>> cifg = ExplicitLSTM(5, coupled_input_forget=True)
    >>> cifg.execution_path()
    'explicit'
    >>> trace = cifg.trace_gates(x)
    >>> trace["f"].shape, bool(np.allclose(trace["f"], 1 - trace["i"]))
    ((2, 3, 5), True)
    """

    def __init__(self, units, use_cudnn="auto", **kwargs):
        self._init_explicit(
            ExplicitLSTMCell, "lstm_cell", units, use_cudnn, kwargs,
            extra_cell_args=("unit_forget_bias", *ExplicitLSTMCell.__init__.__kwdefaults__))
