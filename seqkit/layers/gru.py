"""ExplicitGRUCell and ExplicitGRU: ``keras.layers.GRU`` with the gates in plain sight."""

from __future__ import annotations

from dataclasses import asdict

import keras

from seqkit.layers.equations import GRUOptions, Norm, gru_step, input_projection
from seqkit.layers.loop import ExplicitLoopMixin, split_layer_kwargs

_PACKAGE = "seqkit"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ExplicitGRUCell(keras.layers.GRUCell):
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

    (``LN`` is the identity unless ``layer_norm=True``, which adds the weights
    ``{input,recurrent}_norm_{gamma,beta} [3u]``.) All other arguments are
    ``keras.layers.GRUCell``'s. Dropout uses one mask for all gates.
    """

    gate_names = ("z", "r", "candidate", "h")

    def __init__(self, units, *, layer_norm=False, norm_epsilon=1e-3, **kwargs):
        options = GRUOptions(reset_after=kwargs.get("reset_after", True),
                             layer_norm=layer_norm, norm_epsilon=norm_epsilon)
        super().__init__(units, **kwargs)
        self.options = options
        self.implementation = 2
        self.dropout_mask_count = None  # one dropout mask shared by the three gates

    def build(self, input_shape):
        super().build(input_shape)
        if self.options.layer_norm:
            for name in ("input", "recurrent"):
                setattr(self, f"{name}_norm_gamma", self.add_weight(
                    shape=(3 * self.units,), name=f"{name}_norm_gamma", initializer="ones"))
                setattr(self, f"{name}_norm_beta", self.add_weight(
                    shape=(3 * self.units,), name=f"{name}_norm_beta", initializer="zeros"))

    def _norm(self, name):
        if not self.options.layer_norm:
            return None
        return Norm(getattr(self, f"{name}_norm_gamma"), getattr(self, f"{name}_norm_beta"),
                    self.options.norm_epsilon)

    def _biases(self):
        if not self.use_bias:
            return None, None
        if not self.reset_after:
            return self.bias, None
        return self.bias[0], self.bias[1]

    def project_inputs(self, x):
        """``LN(W x) + b_x`` for one step ``[B, d]`` or all steps ``[B, T, d]`` at once."""
        input_bias, _ = self._biases()
        return input_projection(x, self.kernel, input_bias, self._norm("input"))

    def recurrent_step(self, x_proj, states, h_dropout_mask=None):
        """One step from the projected input; returns ``([h], GRUGates)``."""
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        _, recurrent_bias = self._biases()
        gates = gru_step(
            x_proj, h_prev, self.recurrent_kernel, self.options, self.activation,
            self.recurrent_activation, recurrent_bias=recurrent_bias,
            recurrent_norm=self._norm("recurrent"), h_dropout_mask=h_dropout_mask,
        )
        return [gates.h], gates

    def call(self, inputs, states, training=False):
        if training and 0.0 < self.dropout < 1.0:
            inputs = inputs * self.get_dropout_mask(inputs)
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        h_mask = None
        if training and 0.0 < self.recurrent_dropout < 1.0:
            h_mask = self.get_recurrent_dropout_mask(h_prev)
        new_states, gates = self.recurrent_step(self.project_inputs(inputs), [h_prev], h_mask)
        return gates.h, (new_states if isinstance(states, (list, tuple)) else new_states[0])

    def variant_config(self):
        """The seqkit-specific options, as saved in ``get_config``."""
        config = asdict(self.options)
        config.pop("reset_after")  # Keras' own option, saved by GRUCell.get_config
        return config

    def get_config(self):
        return {**super().get_config(), **self.variant_config()}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ExplicitGRU(ExplicitLoopMixin, keras.layers.GRU):
    """``keras.layers.GRU`` running :class:`ExplicitGRUCell` (same arguments, same weights).

    Takes every ``keras.layers.GRU`` argument (``reset_after`` included) plus
    ``layer_norm`` and ``norm_epsilon``. ``execution_path()`` says which loop runs
    (``"fused"``: Keras' fused op, cuDNN on GPU; ``"explicit"``: seqkit's loop).
    """

    def __init__(self, units, use_cudnn="auto", **kwargs):
        cell_kwargs, rnn_kwargs = split_layer_kwargs(
            kwargs, extra_cell_args=("reset_after", "layer_norm", "norm_epsilon"))
        cell = ExplicitGRUCell(
            units, dtype=rnn_kwargs.get("dtype"), trainable=rnn_kwargs.get("trainable", True),
            name="gru_cell", **cell_kwargs)
        keras.layers.RNN.__init__(self, cell, **rnn_kwargs)
        self.input_spec = keras.layers.InputSpec(ndim=3)
        self._check_use_cudnn(use_cudnn)
        self.use_cudnn = use_cudnn

    @property
    def options(self) -> GRUOptions:
        return self.cell.options

    def get_config(self):
        return {**super().get_config(), **self.cell.variant_config(),
                "use_cudnn": self.use_cudnn}
