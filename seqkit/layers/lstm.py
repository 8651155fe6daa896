"""ExplicitLSTMCell and ExplicitLSTM: ``keras.layers.LSTM`` with the gates in plain sight."""

from __future__ import annotations

from dataclasses import asdict

import keras
from keras import initializers

from seqkit.layers.equations import LSTMOptions, Norm, input_projection, lstm_step
from seqkit.layers.loop import ExplicitLoopMixin, split_layer_kwargs

_PACKAGE = "seqkit"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ExplicitLSTMCell(keras.layers.LSTMCell):
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

    Variant options (see :class:`~seqkit.layers.equations.LSTMOptions`): ``peephole``,
    ``coupled_input_forget`` (CIFG), ``input_gate``, ``forget_gate``, ``output_gate``,
    ``input_activation``, ``output_activation``, ``forget_bias``, ``layer_norm``,
    ``norm_epsilon``. Extra weights: ``peephole_kernel [3, u]`` (rows i, f, o;
    ``peephole_initializer``, zeros by default), and with layer norm
    ``{input,recurrent}_norm_{gamma,beta} [4u]`` and ``cell_norm_{gamma,beta} [u]``.
    Weights of gates a variant removes are kept (for weight compatibility) and unused.
    All other arguments are ``keras.layers.LSTMCell``'s. Dropout uses one mask for all
    gates (Keras' ``implementation=2`` convention), also with recurrent dropout.
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
        self.options = options
        self.peephole_initializer = initializers.get(peephole_initializer)
        self.implementation = 2
        self.dropout_mask_count = None  # one dropout mask shared by the four gates

    def build(self, input_shape):
        super().build(input_shape)
        u = self.units
        if self.options.peephole:
            self.peephole_kernel = self.add_weight(
                shape=(3, u), name="peephole_kernel", initializer=self.peephole_initializer)
        if self.options.layer_norm:
            for name, size in (("input", 4 * u), ("recurrent", 4 * u), ("cell", u)):
                setattr(self, f"{name}_norm_gamma", self.add_weight(
                    shape=(size,), name=f"{name}_norm_gamma", initializer="ones"))
                setattr(self, f"{name}_norm_beta", self.add_weight(
                    shape=(size,), name=f"{name}_norm_beta", initializer="zeros"))

    def _norm(self, name):
        if not self.options.layer_norm:
            return None
        return Norm(getattr(self, f"{name}_norm_gamma"), getattr(self, f"{name}_norm_beta"),
                    self.options.norm_epsilon)

    def project_inputs(self, x):
        """``LN(W x) + b`` for one step ``[B, d]`` or all steps ``[B, T, d]`` at once."""
        return input_projection(x, self.kernel, self.bias, self._norm("input"))

    def recurrent_step(self, x_proj, states, h_dropout_mask=None):
        """One step from the projected input; returns ``([h, c], LSTMGates)``."""
        h_prev, c_prev = states[0], states[1]
        gates = lstm_step(
            x_proj, h_prev, c_prev, self.recurrent_kernel, self.options, self.activation,
            self.recurrent_activation, peephole=getattr(self, "peephole_kernel", None),
            recurrent_norm=self._norm("recurrent"), cell_norm=self._norm("cell"),
            h_dropout_mask=h_dropout_mask,
        )
        return [gates.h, gates.c], gates

    def call(self, inputs, states, training=False):
        if training and 0.0 < self.dropout < 1.0:
            inputs = inputs * self.get_dropout_mask(inputs)
        h_mask = None
        if training and 0.0 < self.recurrent_dropout < 1.0:
            h_mask = self.get_recurrent_dropout_mask(states[0])
        new_states, gates = self.recurrent_step(self.project_inputs(inputs), states, h_mask)
        return gates.h, new_states

    def variant_config(self):
        """The seqkit-specific options, as saved in ``get_config``."""
        return {**asdict(self.options),
                "peephole_initializer": initializers.serialize(self.peephole_initializer)}

    def get_config(self):
        return {**super().get_config(), **self.variant_config()}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ExplicitLSTM(ExplicitLoopMixin, keras.layers.LSTM):
    """``keras.layers.LSTM`` running :class:`ExplicitLSTMCell` (same arguments, same weights).

    Takes every ``keras.layers.LSTM`` argument plus the cell's variant options
    (``peephole``, ``coupled_input_forget``, ``input_gate``, ``forget_gate``,
    ``output_gate``, ``input_activation``, ``output_activation``, ``forget_bias``,
    ``layer_norm``, ``norm_epsilon``, ``peephole_initializer``).

    ``execution_path()`` says which loop runs: ``"fused"`` (Keras' own fused op, cuDNN on
    GPU, used when the options are the built-in math) or ``"explicit"`` (seqkit's loop,
    for any variant, a gate trace, or when no fused op exists, e.g. on CPU).
    ``trace_gates(x)`` returns every gate activation per time step.
    """

    def __init__(self, units, use_cudnn="auto", **kwargs):
        cell_kwargs, rnn_kwargs = split_layer_kwargs(kwargs, extra_cell_args=(
            "unit_forget_bias", *ExplicitLSTMCell.__init__.__kwdefaults__))
        cell = ExplicitLSTMCell(
            units, dtype=rnn_kwargs.get("dtype"), trainable=rnn_kwargs.get("trainable", True),
            name="lstm_cell", **cell_kwargs)
        keras.layers.RNN.__init__(self, cell, **rnn_kwargs)
        self.input_spec = keras.layers.InputSpec(ndim=3)
        self._check_use_cudnn(use_cudnn)
        self.use_cudnn = use_cudnn

    @property
    def options(self) -> LSTMOptions:
        return self.cell.options

    def get_config(self):
        return {**super().get_config(), **self.cell.variant_config(),
                "use_cudnn": self.use_cudnn}
