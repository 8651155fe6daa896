"""Build an RNN layer from a name: ``make_rnn("gru", 64)``, ``make_rnn("cifg", 64)``.

The registry :data:`VARIANTS` is the one list of named cells that the fit functions,
recipes and the LSTM-vs-GRU comparison accept.
"""

from __future__ import annotations

import keras

from seqkit.errors import ConfigError
from seqkit.layers.gru import ExplicitGRU
from seqkit.layers.lstm import ExplicitLSTM

#: name -> (layer class, options). "lstm"/"gru" are exactly Keras' math (fused path kept).
VARIANTS: dict[str, tuple[type, dict]] = {
    "lstm": (ExplicitLSTM, {}),
    "gru": (ExplicitGRU, {}),
    "gru_reset_before": (ExplicitGRU, {"reset_after": False}),
    "layernorm_gru": (ExplicitGRU, {"layer_norm": True}),
    "peephole": (ExplicitLSTM, {"peephole": True}),  # Greff et al.'s "vanilla" LSTM
    "cifg": (ExplicitLSTM, {"coupled_input_forget": True}),
    "nig": (ExplicitLSTM, {"input_gate": False}),
    "nfg": (ExplicitLSTM, {"forget_gate": False}),
    "nog": (ExplicitLSTM, {"output_gate": False}),
    "niaf": (ExplicitLSTM, {"input_activation": False}),
    "noaf": (ExplicitLSTM, {"output_activation": False}),
    "forget_bias": (ExplicitLSTM, {"forget_bias": 1.0}),
    "layernorm_lstm": (ExplicitLSTM, {"layer_norm": True}),
}


def variant_names() -> list[str]:
    return list(VARIANTS)


def make_rnn(cell="lstm", units: int = 64, **layer_kwargs) -> keras.layers.Layer:
    """A new RNN layer.

    ``cell`` is a name from :data:`VARIANTS` (case-insensitive), a layer class
    (``ExplicitLSTM``, ``keras.layers.GRU``, ...) called as ``cls(units, **layer_kwargs)``,
    or a layer instance used as a template: a fresh copy of its configuration with
    ``layer_kwargs`` applied (so one template can build every layer of a stack).
    """
    if isinstance(cell, str):
        key = cell.strip().lower().replace("-", "_")
        if key not in VARIANTS:
            raise ConfigError(
                f"unknown cell {cell!r}; expected one of {', '.join(VARIANTS)}, "
                "a layer class or a layer instance"
            )
        cls, options = VARIANTS[key]
        return cls(units, **{**options, **layer_kwargs})
    if isinstance(cell, type) and issubclass(cell, keras.layers.Layer):
        return cell(units, **layer_kwargs)
    if isinstance(cell, keras.layers.Layer):
        config = {**cell.get_config(), **layer_kwargs}
        config.pop("name", None)
        return cell.__class__.from_config(config)
    raise ConfigError(
        f"cell must be a name ({', '.join(VARIANTS)}), a layer class or a layer instance; "
        f"got {cell!r} ({type(cell).__name__})"
    )


def cell_family(layer) -> str:
    """``"lstm"`` or ``"gru"`` for a (possibly wrapped) recurrent layer."""
    layer = getattr(layer, "forward_layer", layer)
    if isinstance(layer, keras.layers.LSTM):
        return "lstm"
    if isinstance(layer, keras.layers.GRU):
        return "gru"
    raise ConfigError(f"expected an LSTM or GRU layer, got {type(layer).__name__}")
