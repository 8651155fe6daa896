"""Gate traces: every gate activation at every time step, and a heatmap of them.

Keras users asked for this for years (keras-team/keras#1204). A trace always runs the
explicit loop (:func:`seqkit.layers.loop.explicit_loop` with ``trace=True``) in
inference mode and never changes the layer's state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np
from keras import ops
from keras.src.backend import AutocastScope

from seqkit.errors import ConfigError, DataError
from seqkit.layers.loop import ExplicitLoopMixin, explicit_loop


@dataclass
class GateTrace:
    """Gate activations of one layer: ``gates[name]`` is a float32 ``[batch, time, units]``
    array in input time order (also for ``go_backwards``); ``mask`` is ``[batch, time]``
    (True = real step) or None. Masked steps hold zeros."""

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
        return list(self.gates)


def trace_layer(layer, inputs, mask=None, initial_state=None) -> GateTrace:
    """Trace one seqkit RNN layer on ``inputs [batch, time, features]``."""
    if not isinstance(layer, ExplicitLoopMixin):
        raise ConfigError(
            f"gate traces need a seqkit layer (ExplicitLSTM/ExplicitGRU), got "
            f"{type(layer).__name__}; build the model with seqkit.make_rnn"
        )
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
                                      trace=True)
    outputs = ops.convert_to_numpy(ops.cast(outputs, "float32"))
    if layer.go_backwards:
        outputs = outputs[:, ::-1]
    parts = np.split(outputs, len(layer.cell.gate_names), axis=-1)
    return GateTrace(layer.name, dict(zip(layer.cell.gate_names, parts)), bool_mask,
                     "backward" if layer.go_backwards else "forward")


def _find_rnn(model, layer):
    """(host layer in model.layers, seqkit RNN layer) for a name, a layer or None."""
    candidates = []
    for host in model.layers:
        for inner in (host, getattr(host, "forward_layer", None),
                      getattr(host, "backward_layer", None)):
            if isinstance(inner, ExplicitLoopMixin):
                candidates.append((host, inner))
    if not candidates:
        raise ConfigError(f"model {model.name!r} has no seqkit RNN layer to trace")
    if layer is None:
        return candidates[0]
    for host, inner in candidates:
        if layer is inner or layer is host or layer in (inner.name, host.name):
            return host, inner
    names = [inner.name for _, inner in candidates]
    raise ConfigError(f"no seqkit RNN layer {layer!r} in the model; it has {names}")


def trace_gates(model_or_layer, inputs, *, layer=None, mask=None) -> GateTrace:
    """Per-time-step gate activations for a batch.

    ``model_or_layer`` is a seqkit layer (``inputs`` are its ``[batch, time, features]``
    inputs) or a functional Keras model (``inputs`` are the model's raw inputs; ``layer``
    picks the RNN layer by name or object, default the first; inside ``Bidirectional``
    the forward layer is traced unless the backward one is named). The mask the model
    feeds that layer (e.g. from ``Embedding(mask_zero=True)``) is used and returned.

    LSTM traces hold ``i, f, g, o, c, h``; GRU traces ``z, r, candidate, h``.
    """
    if isinstance(model_or_layer, ExplicitLoopMixin):
        return trace_layer(model_or_layer, inputs, mask=mask)
    if not isinstance(model_or_layer, keras.Model):
        raise ConfigError(
            f"expected a seqkit layer or a Keras model, got {type(model_or_layer).__name__}")
    host, rnn = _find_rnn(model_or_layer, layer)
    model_inputs = model_or_layer.inputs
    feeder = keras.Model(model_inputs[0] if len(model_inputs) == 1 else model_inputs, host.input)
    fed = feeder(inputs)
    sequences, masks = (fed[0], fed[1:]) if isinstance(fed, (list, tuple)) else (fed, [])
    masks = [t for t in masks
             if len(t.shape) == 2 and keras.backend.standardize_dtype(t.dtype) == "bool"]
    if mask is None and masks:
        mask = ops.convert_to_numpy(masks[0])
    return trace_layer(rnn, sequences, mask=mask)


def plot_gate_trace(trace: GateTrace, path, *, example: int = 0, gates=None, tokens=None,
                    max_units: int = 64):
    """Write a heatmap PNG (one panel per gate: units × time) for one example; returns
    the path. ``tokens`` labels the time axis (e.g. the words of a text)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(gates or trace.names)
    unknown = [n for n in names if n not in trace.gates]
    if unknown:
        raise ConfigError(f"unknown gate(s) {unknown}; this trace has {trace.names}")
    batch = next(iter(trace.gates.values())).shape[0]
    if not 0 <= example < batch:
        raise DataError(f"example={example} is out of range for a batch of {batch}")
    steps = next(iter(trace.gates.values())).shape[1]
    if trace.mask is not None:
        steps = max(1, int(trace.mask[example].sum())) if trace.mask[example].any() else steps
    fig, axes = plt.subplots(len(names), 1, figsize=(max(6, 0.25 * steps + 2),
                                                     1.6 * len(names) + 0.8), squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        values = trace.gates[name][example, :steps, :max_units].T
        if name in ("i", "f", "o", "z", "r"):  # gates live in [0, 1]
            limits = {"cmap": "viridis", "vmin": 0.0, "vmax": 1.0}
        else:  # signed values: a diverging map centred on 0
            top = float(np.abs(values).max()) or 1.0
            limits = {"cmap": "coolwarm", "vmin": -top, "vmax": top}
        image = ax.imshow(values, aspect="auto", interpolation="nearest", **limits)
        ax.set_ylabel(f"{name}\nunit")
        fig.colorbar(image, ax=ax, fraction=0.025, pad=0.01)
    if tokens is not None:
        labels = list(tokens)[:steps]
        axes[-1, 0].set_xticks(range(len(labels)))
        axes[-1, 0].set_xticklabels(labels, rotation=90, fontsize=7)
    axes[-1, 0].set_xlabel("time step")
    fig.suptitle(f"gate activations: layer {trace.layer_name!r}, example {example}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
