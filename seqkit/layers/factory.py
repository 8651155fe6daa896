"""Build an RNN layer from a name: ``make_rnn("gru", 64)``, ``make_rnn("cifg", 64)``.

The registry :data:`VARIANTS` is the one list of named cells that the fit functions,
recipes and the LSTM-vs-GRU comparison accept: name -> (layer class, options).

Example:

>>> from seqkit.layers import VARIANTS
>>> list(VARIANTS)[:4]
['lstm', 'gru', 'gru_reset_before', 'layernorm_gru']
>>> VARIANTS["cifg"]
(<class 'seqkit.layers.lstm.ExplicitLSTM'>, {'coupled_input_forget': True})

Parameter and multiply-add counts of recurrent layers: the "GRU is smaller" claim as a
number. For the same units, GRU/LSTM parameters ≈ 3/4 (3 gate blocks against 4).
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
    """The names :func:`make_rnn` accepts, in :data:`VARIANTS` order.

    Returns:
        A new list of names.

    Example:

    >>> "layernorm_lstm" in variant_names(), len(variant_names()) == len(VARIANTS)
    (True, True)
    """
    return list(VARIANTS)


def make_rnn(cell="lstm", units: int = 64, **layer_kwargs) -> keras.layers.Layer:
    """A new RNN layer.

    Args:
        cell: a name from :data:`VARIANTS` (case-insensitive, ``-`` or ``_``), a layer
            class (``ExplicitLSTM``, ``keras.layers.GRU``, ...) called as
            ``cls(units, **layer_kwargs)``, or a layer instance used as a template: a
            fresh copy of its configuration with ``layer_kwargs`` applied (so one
            template can build every layer of a stack).
        units: the layer's units (ignored for a template, which keeps its own).
        **layer_kwargs: more layer arguments (``return_sequences=True``, ...); they
            override a variant's options.

    Returns:
        A new, unbuilt Keras layer.

    Raises:
        ConfigError: an unknown name, or something that is not a name, class or layer.

    Example:

    >>> import numpy as np
    >>> layer = make_rnn("Layernorm-LSTM", 4, return_sequences=True)
    >>> type(layer).__name__, layer.options.layer_norm
    ('ExplicitLSTM', True)
    >>> tuple(layer(np.ones((2, 3, 5), "float32")).shape)
    (2, 3, 4)
    >>> twin = make_rnn(layer, go_backwards=True)  # a template: same configuration
    >>> twin.units, twin.return_sequences, twin.go_backwards, twin is layer
    (4, True, True, False)
    >>> make_rnn(layer, name="encoder").name
    'encoder'

    >>> make_rnn("lstmm", 4)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: unknown cell 'lstmm'; expected one of lstm, gru, ...
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
        config = cell.get_config()
        config.pop("name", None)  # a fresh layer gets a fresh name, unless one is given
        return cell.__class__.from_config({**config, **layer_kwargs})
    raise ConfigError(
        f"cell must be a name ({', '.join(VARIANTS)}), a layer class or a layer instance; "
        f"got {cell!r} ({type(cell).__name__})"
    )


def cell_family(layer) -> str:
    """``"lstm"`` or ``"gru"`` for a (possibly wrapped) recurrent layer.

    Args:
        layer: an LSTM or GRU layer (Keras' or seqkit's), or a ``Bidirectional`` of one.

    Returns:
        ``"lstm"`` or ``"gru"``.

    Raises:
        ConfigError: any other layer.

    Example:

    >>> import keras
    >>> cell_family(make_rnn("nfg", 4))
    'lstm'
    >>> cell_family(keras.layers.Bidirectional(keras.layers.GRU(4)))
    'gru'
    """
    layer = getattr(layer, "forward_layer", layer)
    if isinstance(layer, keras.layers.LSTM):
        return "lstm"
    if isinstance(layer, keras.layers.GRU):
        return "gru"
    raise ConfigError(f"expected an LSTM or GRU layer, got {type(layer).__name__}")


def count_rnn(layer, input_dim: int | None = None) -> dict:
    """Counts for one LSTM/GRU layer (seqkit's or Keras' own; Bidirectional counts both
    directions).

    Args:
        layer: an LSTM/GRU layer, or a ``Bidirectional`` of one.
        input_dim: features per step; needed when the layer is not built.

    Returns:
        A dict: ``params`` (trainable weights, by formula), ``params_by_weight``,
        ``matmul_macs_per_step`` (multiply-adds of the kernel and recurrent-kernel matmuls
        for one example and one time step), ``state_floats`` (numbers carried between
        steps per example), ``gate_blocks`` (4 for LSTM, 3 for GRU), ``family``,
        ``units``, ``input_dim`` and ``directions``.

    Raises:
        ValueError: the layer is not built and ``input_dim`` is not given.

    Example:

    >>> from seqkit.layers import make_rnn
    >>> gru = count_rnn(make_rnn("gru", 128), input_dim=64)
    >>> lstm = count_rnn(make_rnn("lstm", 128), input_dim=64)
    >>> gru["params"], lstm["params"]
    (74496, 98816)
    >>> gru["params_by_weight"]  # reset_after=True: two bias rows
    {'kernel': 24576, 'recurrent_kernel': 49152, 'bias': 768}
    >>> gru["state_floats"], lstm["state_floats"]
    (128, 256)
    """
    directions = 2 if hasattr(layer, "forward_layer") else 1
    rnn = getattr(layer, "forward_layer", layer)
    cell = rnn.cell
    family = cell_family(rnn)
    if input_dim is None:
        if not cell.built:
            raise ValueError(
                f"layer {layer.name!r} is not built; pass input_dim= (features per step)"
            )
        input_dim = int(cell.kernel.shape[0])
    u, d = cell.units, int(input_dim)
    blocks = 4 if family == "lstm" else 3
    options = getattr(cell, "options", None)
    weights = {"kernel": d * blocks * u, "recurrent_kernel": u * blocks * u}
    if cell.use_bias:
        two_biases = family == "gru" and cell.reset_after
        weights["bias"] = (2 if two_biases else 1) * blocks * u
    if options is not None and getattr(options, "peephole", False):
        weights["peephole_kernel"] = 3 * u
    if options is not None and options.layer_norm:
        weights["norm"] = 2 * (2 * blocks * u + (u if family == "lstm" else 0))
    macs = (d + u) * blocks * u
    return {
        "family": family,
        "units": u,
        "input_dim": d,
        "directions": directions,
        "gate_blocks": blocks,
        "params": directions * sum(weights.values()),
        "params_by_weight": weights,
        "matmul_macs_per_step": directions * macs,
        "state_floats": directions * (2 if family == "lstm" else 1) * u,
    }
