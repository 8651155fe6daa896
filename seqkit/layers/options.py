"""Which equations a cell uses: :class:`LSTMOptions` and :class:`GRUOptions`.

The defaults are exactly Keras' ``LSTMCell`` / ``GRUCell``; every other setting is a
variant whose equations :mod:`seqkit.layers.equations` writes out. Option conflicts are
named, both sides, in one error.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from seqkit.errors import ConfigError
from seqkit.validation import check_bool, check_number


@dataclass(frozen=True)
class LSTMOptions:
    """Which LSTM equations a cell uses (defaults: exactly ``keras.layers.LSTMCell``).

    Names follow Greff et al. 2017, "LSTM: A Search Space Odyssey":
    ``peephole`` (their vanilla LSTM has it; Keras' has not: their "NP"),
    ``coupled_input_forget`` (CIFG, ``f = 1 - i``), ``input_gate=False`` (NIG),
    ``forget_gate=False`` (NFG), ``output_gate=False`` (NOG), ``input_activation=False``
    (NIAF), ``output_activation=False`` (NOAF). ``forget_bias`` is a constant added to the
    forget pre-activation every step (Jozefowicz et al. 2015). ``layer_norm`` follows
    TensorFlow Addons' ``LayerNormLSTMCell`` (LN on the input projection, the recurrent
    projection and the new cell state).

    Args:
        peephole: diagonal peephole weights from ``c`` into the i, f and o gates.
        coupled_input_forget: CIFG, ``f = 1 - i`` (needs the input and forget gates).
        input_gate: False removes the input gate (``i = 1``).
        forget_gate: False removes the forget gate (``f = 1``).
        output_gate: False removes the output gate (``o = 1``).
        input_activation: False drops ``φ`` on the candidate (``g = z_g``).
        output_activation: False drops ``φ`` on the cell state (``h = o ⊙ c``).
        forget_bias: added to the forget pre-activation every step (needs the forget
            gate, not CIFG).
        layer_norm: layer normalization of the projections and the cell state.
        norm_epsilon: the layer norms' epsilon (> 0).

    Raises:
        ConfigError: a value of the wrong type, or two options that contradict each other
            (the message names both).

    Example:

    >>> LSTMOptions(coupled_input_forget=True).changed()
    {'coupled_input_forget': True}
    >>> LSTMOptions(coupled_input_forget=True, input_gate=False)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: coupled_input_forget=True computes f = 1 - i and needs the \
input gate, but input_gate=False; pick one of them
    >>> LSTMOptions(peephole="yes")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: peephole must be True or False, got 'yes'
    """

    peephole: bool = False
    coupled_input_forget: bool = False
    input_gate: bool = True
    forget_gate: bool = True
    output_gate: bool = True
    input_activation: bool = True
    output_activation: bool = True
    forget_bias: float = 0.0
    layer_norm: bool = False
    norm_epsilon: float = 1e-3

    def __post_init__(self):
        _check_fields(self, numbers=("forget_bias",), positive=("norm_epsilon",))
        if self.coupled_input_forget and not self.input_gate:
            raise ConfigError(
                "coupled_input_forget=True computes f = 1 - i and needs the input gate, "
                "but input_gate=False; pick one of them"
            )
        if self.coupled_input_forget and not self.forget_gate:
            raise ConfigError(
                "coupled_input_forget=True derives the forget gate from the input gate, "
                "but forget_gate=False removes it; pick one of them"
            )
        if self.forget_bias and (self.coupled_input_forget or not self.forget_gate):
            other = "coupled_input_forget=True" if self.coupled_input_forget else (
                "forget_gate=False")
            raise ConfigError(
                f"forget_bias={self.forget_bias} has no forget pre-activation to shift "
                f"with {other}; set forget_bias=0.0"
            )

    @property
    def is_builtin(self) -> bool:
        """True when these equations are exactly ``keras.layers.LSTMCell``'s.

        Example:

        >>> LSTMOptions().is_builtin, LSTMOptions(peephole=True).is_builtin
        (True, False)
        """
        return not self.changed()

    def changed(self) -> dict:
        """The options that differ from the built-in LSTM (for messages and configs).

        Returns:
            ``{name: value}`` of the options not at their default (``norm_epsilon`` left
            out: it changes nothing without ``layer_norm``).

        Example:

        >>> LSTMOptions(forget_bias=1.0, norm_epsilon=1e-5).changed()
        {'forget_bias': 1.0}
        """
        default = LSTMOptions()
        return {k: v for k, v in asdict(self).items()
                if v != getattr(default, k) and k != "norm_epsilon"}


@dataclass(frozen=True)
class GRUOptions:
    """Which GRU equations a cell uses (defaults: exactly ``keras.layers.GRUCell``).

    ``reset_after`` is Keras' own option (True: reset gate applied after the recurrent
    matmul, the cuDNN convention; False: before it, Cho et al. 2014). ``layer_norm`` adds
    LN on the input projection and the recurrent projection(s).

    Args:
        reset_after: where the reset gate applies (see above).
        layer_norm: layer normalization of the projections.
        norm_epsilon: the layer norms' epsilon (> 0).

    Raises:
        ConfigError: a value of the wrong type.

    Example:

    >>> GRUOptions(reset_after=False).is_builtin  # Keras' GRU has reset_after=False too
    True
    >>> GRUOptions(layer_norm=True).changed()
    {'layer_norm': True}
    >>> GRUOptions(norm_epsilon=0)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: norm_epsilon must be a positive finite number, got 0
    """

    reset_after: bool = True
    layer_norm: bool = False
    norm_epsilon: float = 1e-3

    def __post_init__(self):
        _check_fields(self, positive=("norm_epsilon",))

    @property
    def is_builtin(self) -> bool:
        """True when these equations are exactly ``keras.layers.GRUCell``'s.

        Example:

        >>> GRUOptions().is_builtin, GRUOptions(layer_norm=True).is_builtin
        (True, False)
        """
        return not self.layer_norm

    def changed(self) -> dict:
        """The options that differ from Keras' GRU math (``reset_after`` is Keras' own).

        Returns:
            ``{"layer_norm": True}`` or ``{}``.

        Example:

        >>> GRUOptions().changed()
        {}
        """
        return {"layer_norm": True} if self.layer_norm else {}


def _check_fields(options, numbers=(), positive=()):
    """Check every field of a frozen options dataclass: numbers (``> 0`` for ``positive``)
    normalised to ``float``, every other field ``True``/``False``."""
    for name, value in asdict(options).items():
        if name in numbers or name in positive:
            value = check_number(name, value, positive=name in positive)
        else:
            value = check_bool(name, value)
        object.__setattr__(options, name, value)  # frozen dataclass: normalise in place
