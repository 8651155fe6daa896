"""ExplicitGRUCell and ExplicitGRU: ``keras.layers.GRU`` with the gates in plain sight."""

from __future__ import annotations

from dataclasses import asdict

import keras
from keras import ops

from seqkit.layers.cells import ExplicitCellMixin, GRUWeights, add_all, fuse_gate_activations
from seqkit.layers.equations import Norm, gru_step, input_projection
from seqkit.layers.options import GRUOptions
from seqkit.layers.paths import ExplicitLoopMixin

_PACKAGE = "seqkit"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ExplicitGRUCell(ExplicitCellMixin, keras.layers.GRUCell):
    """A GRU cell whose equations are :func:`seqkit.layers.equations.gru_step`.

    With default options it computes exactly what ``keras.layers.GRUCell`` computes and
    has the same weights (``kernel [d, 3u]``, ``recurrent_kernel [u, 3u]``, gate order
    z, r, h; ``bias [2, 3u]`` (input, recurrent) with ``reset_after=True``, ``[3u]``
    without)::

        x_z, x_r, x_h = split(LN(W x_t) + b_x, 3)
        reset_after=True:   u_z, u_r, u_h = split(LN(U h_{t-1}) + b_h, 3)
                            z = σ(x_z + u_z);  r = σ(x_r + u_r);  ĥ = φ(x_h + r ⊙ u_h)
        reset_after=False:  u_z, u_r = split(LN(U_zr h_{t-1}), 2)
                            z = σ(x_z + u_z);  r = σ(x_r + u_r)
                            ĥ = φ(x_h + LN(U_h (r ⊙ h_{t-1})))
        h_t = z ⊙ h_{t-1} + (1 - z) ⊙ ĥ

    (``LN`` is the identity unless ``layer_norm=True``.) Dropout uses one mask for all
    gates.

    Args:
        units: dimensionality of the state ``h``.
        layer_norm: layer-normalize the input and recurrent projections (weights
            ``{input,recurrent}_norm_{gamma,beta} [3u]``).
        norm_epsilon: the layer norms' epsilon.
        **kwargs: every other ``keras.layers.GRUCell`` argument (``reset_after``,
            ``activation``, ``recurrent_activation``, ``use_bias``, initializers,
            regularizers, constraints, ``dropout``, ``recurrent_dropout``, ``seed``, ...).

    Raises:
        ConfigError: an invalid option (see :class:`~seqkit.layers.GRUOptions`).

    Call arguments:
        inputs: a 2D tensor ``[batch, features]``, one time step.
        states: ``[h]`` (or ``h``), ``[batch, units]``.
        training: whether dropout applies.

    Example:

    >>> import keras
    >>> import numpy as np
    >>> x = np.ones((2, 3, 4), "float32")
    >>> rnn = keras.layers.RNN(ExplicitGRUCell(5, reset_after=False))
    >>> tuple(rnn(x).shape)
    (2, 5)
    >>> [tuple(w.shape) for w in rnn.cell.weights]
    [(4, 15), (5, 15), (15,)]

    The default cell takes ``keras.layers.GRUCell``'s weights and gives its outputs:

    >>> builtin = keras.layers.RNN(keras.layers.GRUCell(5))
    >>> ours = keras.layers.RNN(ExplicitGRUCell(5))
    >>> _ = builtin(x), ours(x)
    >>> ours.set_weights(builtin.get_weights())
    >>> bool(np.allclose(ours(x), builtin(x), atol=1e-6))
    True
    """

    gate_names = ("z", "r", "candidate", "h")

    def __init__(self, units, *, layer_norm=False, norm_epsilon=1e-3, **kwargs):
        options = GRUOptions(reset_after=kwargs.get("reset_after", True),
                             layer_norm=layer_norm, norm_epsilon=norm_epsilon)
        super().__init__(units, **kwargs)
        self._init_options(options)

    def build(self, input_shape):
        """Create Keras' GRUCell weights, then the layer-norm weights.

        Args:
            input_shape: ``(batch, features)``.

        Example:

        >>> cell = ExplicitGRUCell(2, layer_norm=True)
        >>> cell.build((None, 3))
        >>> [w.name for w in cell.weights]
        ['kernel', 'recurrent_kernel', 'bias', 'input_norm_gamma', 'input_norm_beta', \
'recurrent_norm_gamma', 'recurrent_norm_beta']
        """
        super().build(input_shape)
        if self.options.layer_norm:
            self._add_norm_weights((("input", 3 * self.units), ("recurrent", 3 * self.units)))

    def _biases(self):
        if not self.use_bias:
            return None, None
        if not self.reset_after:
            return self.bias, None
        return self.bias[0], self.bias[1]

    def loop_weights(self) -> GRUWeights:
        """The weights in the loop layout (:class:`~seqkit.layers.cells.GRUWeights`).

        Read once per call, outside the time loop: every bias and layer-norm ``β`` that
        adds to the input's pre-activations folded into one input bias (``b_h``'s
        ``z, r`` blocks with ``reset_after=True``), and with ``reset_after=False`` the
        recurrent kernel (and its norm) split into its ``z, r`` and ``h`` parts.

        Returns:
            A :class:`~seqkit.layers.cells.GRUWeights`.

        Example:

        >>> cell = ExplicitGRUCell(2, reset_after=False)
        >>> cell.build((None, 3))
        >>> [tuple(k.shape) for k in cell.loop_weights().recurrent_kernel]
        [(2, 4), (2, 2)]
        """
        u = self.units
        b_x, b_h = self._biases()
        input_norm, beta_x = self._unshifted_norm("input")
        recurrent_norm, beta_h = self._unshifted_norm("recurrent")
        if self.reset_after:
            candidate_bias = None
            shift = add_all(b_h, beta_h)  # added to U h: its z, r blocks go to x's bias
            if shift is not None:
                shift_zr, candidate_bias = ops.split(shift, [2 * u])
                shift = ops.concatenate([shift_zr, ops.zeros((u,), shift_zr.dtype)])
            return GRUWeights(self.kernel, self.recurrent_kernel,
                              add_all(b_x, beta_x, shift), candidate_bias, input_norm,
                              recurrent_norm, fuse_gate_activations())
        kernels = tuple(ops.split(self.recurrent_kernel, [2 * u], axis=-1))
        if recurrent_norm is not None:
            gammas = ops.split(recurrent_norm.gamma, [2 * u])
            recurrent_norm = tuple(Norm(g, None, recurrent_norm.epsilon) for g in gammas)
        return GRUWeights(self.kernel, kernels, add_all(b_x, beta_x, beta_h), None,
                          input_norm, recurrent_norm, fuse_gate_activations())

    def project_inputs(self, x, weights: GRUWeights | None = None):
        """``LN(W x) + b`` for one step ``[B, d]`` or all steps ``[B, T, d]`` at once.

        Args:
            x: inputs ``[..., features]``.
            weights: :meth:`loop_weights` (read here when None).

        Returns:
            The pre-activations of the three blocks from the input (and every bias that
            adds to them), ``[..., 3u]``.

        Example:

        >>> import numpy as np
        >>> cell = ExplicitGRUCell(2)
        >>> cell.build((None, 3))
        >>> tuple(cell.project_inputs(np.ones((5, 7, 3), "float32")).shape)
        (5, 7, 6)
        """
        weights = weights or self.loop_weights()
        return input_projection(x, weights.kernel, weights.input_bias, weights.input_norm)

    def recurrent_step(self, x_proj, states, h_dropout_mask=None, weights=None):
        """One step from the projected input (:func:`~seqkit.layers.equations.gru_step`).

        Args:
            x_proj: ``project_inputs(x_t, weights)``, ``[batch, 3u]``.
            states: ``[h_{t-1}]`` (or ``h_{t-1}``).
            h_dropout_mask: recurrent dropout mask for ``h_{t-1}``, or None.
            weights: :meth:`loop_weights` (read here when None).

        Returns:
            ``([h_t], gates)`` with ``gates`` a :class:`~seqkit.layers.equations.GRUGates`.

        Example:

        >>> import numpy as np
        >>> cell = ExplicitGRUCell(2, use_bias=False)
        >>> cell.build((None, 3))
        >>> zeros = np.zeros((1, 2), "float32")
        >>> [h], gates = cell.recurrent_step(np.zeros((1, 6), "float32"), [zeros])
        >>> keras.ops.convert_to_numpy(gates.z).tolist()  # σ(0)
        [[0.5, 0.5]]
        """
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        gates = gru_step(
            x_proj, h_prev, weights or self.loop_weights(), self.options, self.activation,
            self.recurrent_activation, h_dropout_mask=h_dropout_mask)
        return [gates.h], gates

    def call(self, inputs, states, training=False):
        """One time step (see the class docstring for the equations).

        Args:
            inputs: ``[batch, features]``.
            states: ``[h]`` or ``h``.
            training: whether dropout applies.

        Returns:
            ``(h_t, new_states)``, ``new_states`` in the form ``states`` came in.

        Example:

        >>> import numpy as np
        >>> cell = ExplicitGRUCell(2)
        >>> h, [h_again] = cell(np.ones((1, 3), "float32"), [np.zeros((1, 2), "float32")])
        >>> tuple(h.shape)
        (1, 2)
        """
        if training and 0.0 < self.dropout < 1.0:
            inputs = inputs * self.get_dropout_mask(inputs)
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        h_mask = None
        if training and 0.0 < self.recurrent_dropout < 1.0:
            h_mask = self.get_recurrent_dropout_mask(h_prev)
        weights = self.loop_weights()
        new_states, gates = self.recurrent_step(
            self.project_inputs(inputs, weights), [h_prev], h_mask, weights=weights)
        return gates.h, (new_states if isinstance(states, (list, tuple)) else new_states[0])

    def variant_config(self):
        """The seqkit-specific options, as saved in ``get_config``.

        Returns:
            ``layer_norm`` and ``norm_epsilon`` (``reset_after`` is Keras' own).

        Example:

        >>> ExplicitGRUCell(2, layer_norm=True).variant_config()
        {'layer_norm': True, 'norm_epsilon': 0.001}
        """
        config = asdict(self.options)
        config.pop("reset_after")  # Keras' own option, saved by GRUCell.get_config
        return config

    def get_config(self):
        """Keras' GRUCell config plus :meth:`variant_config`.

        Returns:
            A dict that ``from_config`` turns back into an equal cell.

        Example:

        >>> cell = ExplicitGRUCell(2, reset_after=False, layer_norm=True)
        >>> ExplicitGRUCell.from_config(cell.get_config()).options == cell.options
        True
        """
        return {**super().get_config(), **self.variant_config()}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ExplicitGRU(ExplicitLoopMixin, keras.layers.GRU):
    """``keras.layers.GRU`` running :class:`ExplicitGRUCell` (same arguments, same weights).

    The layer loops :class:`ExplicitGRUCell`'s equations over time::

        for t in 1..T:   h_t = cell(x_t, h_{t-1});   output h_T (or every h_t)

    ``execution_path()`` says which loop runs (``"fused"``: Keras' fused op, cuDNN on
    GPU; ``"explicit"``: seqkit's loop). ``trace_gates(x)`` returns ``z, r, candidate,
    h`` per time step.

    Args:
        units: dimensionality of the output space.
        use_cudnn: ``"auto"`` (the fused op where usable), True (require it: only for the
            built-in math) or False (always the explicit loop).
        **kwargs: every ``keras.layers.GRU`` argument (``reset_after`` included) plus
            ``layer_norm`` and ``norm_epsilon`` (see :class:`ExplicitGRUCell`).

    Raises:
        ConfigError: an invalid option, or ``use_cudnn=True`` with ``layer_norm``.

    Call arguments:
        inputs: ``[batch, time, features]``.
        mask: ``[batch, time]`` booleans or None.
        training: whether dropout applies.
        initial_state: ``[h]`` or None (zeros).

    Example:

    >>> import keras
    >>> import numpy as np
    >>> x = np.ones((2, 3, 4), "float32")
    >>> layer = ExplicitGRU(5)
    >>> tuple(layer(x).shape)
    (2, 5)

    Weights move to and from ``keras.layers.GRU`` unchanged, and the outputs agree:

    >>> builtin = keras.layers.GRU(5)
    >>> _ = builtin(x)
    >>> layer.set_weights(builtin.get_weights())
    >>> bool(np.allclose(layer(x), builtin(x), atol=1e-6))
    True
    >>> ExplicitGRU(5, layer_norm=True).execution_path()
    'explicit'
    """

    def __init__(self, units, use_cudnn="auto", **kwargs):
        self._init_explicit(
            ExplicitGRUCell, "gru_cell", units, use_cudnn, kwargs,
            extra_cell_args=("reset_after", "layer_norm", "norm_epsilon"))
