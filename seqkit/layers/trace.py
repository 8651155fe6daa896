"""Gate traces: every gate activation at every time step, and a heatmap of them.

Keras users asked for this for years (keras-team/keras#1204). A trace always runs the
explicit loop (:func:`seqkit.layers.loop.trace_loop`) in inference mode and never changes
the layer's state.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from seqkit.errors import ConfigError, DataError
from seqkit.layers.loop import GateTrace, trace_loop
from seqkit.layers.paths import ExplicitLoopMixin
from seqkit.layers.walk import rnn_layers
from seqkit.validation import fail

__all__ = ["GateTrace", "gate_trace_figure", "plot_gate_trace", "trace_gates", "trace_layer",
           "trace_tokens"]


def trace_layer(layer, inputs, mask=None, initial_state=None) -> GateTrace:
    """Trace one seqkit RNN layer on ``inputs [batch, time, features]``.

    Args:
        layer: an ``ExplicitLSTM`` / ``ExplicitGRU``.
        inputs: ``[batch, time, features]``.
        mask: ``[batch, time]`` booleans (True = real step) or None.
        initial_state: ``[h]`` / ``[h, c]``; default the layer's.

    Returns:
        A :class:`GateTrace`.

    Raises:
        ConfigError: ``layer`` is not a seqkit RNN layer.

    Example:

    >>> import keras
    >>> import numpy as np
    >>> trace_layer(keras.layers.LSTM(4), np.ones((1, 2, 3)))
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: gate traces need a seqkit layer (ExplicitLSTM/ExplicitGRU), \
got LSTM; build the model with seqkit.make_rnn
    """
    if not isinstance(layer, ExplicitLoopMixin):
        raise ConfigError(
            f"gate traces need a seqkit layer (ExplicitLSTM/ExplicitGRU), got "
            f"{type(layer).__name__}; build the model with seqkit.make_rnn"
        )
    return trace_loop(layer, inputs, mask=mask, initial_state=initial_state)


def _find_rnn(model, layer):
    """(host layer in model.layers, seqkit RNN layer) for a name, a layer or None."""
    candidates = [(host, inner) for host, inner in rnn_layers(model, hosts=True, nested=False)
                  if isinstance(inner, ExplicitLoopMixin)]
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

    LSTM traces hold ``i, f, g, o, c, h``; GRU traces ``z, r, candidate, h``, each
    ``[batch, time, units]`` (the quantities of :func:`seqkit.layers.equations.lstm_gates`
    and :func:`~seqkit.layers.equations.gru_step`).

    Args:
        model_or_layer: a seqkit layer (``inputs`` are its ``[batch, time, features]``
            inputs) or a functional Keras model (``inputs`` are the model's raw inputs).
        inputs: a batch of inputs, as above.
        layer: in a model, the RNN layer to trace, by name or object (default the first;
            inside ``Bidirectional`` the forward layer unless the backward one is named).
        mask: ``[batch, time]`` booleans; by default the mask the model feeds that layer
            (e.g. from ``Embedding(mask_zero=True)``), which is used and returned.

    Returns:
        A :class:`GateTrace`.

    Example:

    >>> import keras
    >>> import numpy as np
    >>> from seqkit.layers import make_rnn, trace_gates
    >>> tokens = keras.Input((None,), dtype="int32")
    >>> x = keras.layers.Embedding(10, 3, mask_zero=True)(tokens)
    >>> model = keras.Model(tokens, make_rnn("cifg", 4, name="rnn")(x))
    >>> trace = trace_gates(model, np.array([[3, 1, 4, 0], [1, 5, 9, 2]]))
    >>> trace.layer_name, trace.names
    ('rnn', ['i', 'f', 'g', 'o', 'c', 'h'])
    >>> {name: trace[name].shape for name in ("i", "h")}
    {'i': (2, 4, 4), 'h': (2, 4, 4)}
    >>> trace.mask[0]  # the padding (token 0) is masked, its gates are zeros
    array([ True,  True,  True, False])
    >>> trace["i"][0, 3].tolist()
    [0.0, 0.0, 0.0, 0.0]
    >>> real = trace.mask
    >>> bool(np.allclose(trace["f"][real], 1 - trace["i"][real]))  # CIFG: f = 1 - i
    True
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


def trace_tokens(model, inputs) -> list[list[str]] | None:
    """The tokens a text model's ``TextVectorization`` makes of raw ``inputs``: the labels
    of its RNN's time axis.

    Args:
        model: a Keras model; the first ``TextVectorization`` among its layers that
            outputs token ids (``output_mode="int"``: a bag-of-n-grams branch has no time
            axis) is used.
        inputs: the model's raw string inputs ``[batch]``.

    Returns:
        One list per example of its tokens in time order, padding left out (``[UNK]`` for
        words outside the vocabulary); None for a model without a ``TextVectorization``.

    Example:

    >>> import keras
    >>> vectorizer = keras.layers.TextVectorization(output_sequence_length=4)
    >>> vectorizer.adapt(["good film", "bad film"])
    >>> text = keras.Input((), dtype="string")
    >>> model = keras.Model(text, vectorizer(text))
    >>> trace_tokens(model, ["good film", "a film"])
    [['good', 'film'], ['[UNK]', 'film']]
    >>> trace_tokens(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]), [[1, 2]])
    """
    vectorizer = next((lay for lay in model.layers
                       if isinstance(lay, keras.layers.TextVectorization)
                       and lay.get_config().get("output_mode") == "int"), None)
    if vectorizer is None:
        return None
    vocabulary = vectorizer.get_vocabulary()
    ids = ops.convert_to_numpy(vectorizer(np.asarray(inputs, dtype=object)))
    return [[str(vocabulary[i]) for i in row if i != 0] for row in np.atleast_2d(ids)]


def gate_trace_figure(trace: GateTrace, *, example: int = 0, gates=None, tokens=None,
                      max_units: int = 64):
    """The heatmap of one example's trace as a matplotlib ``Figure``: one panel per gate,
    units × time, the panels sharing the time axis.

    Gates in ``[0, 1]`` (``i, f, o, z, r``) use a fixed 0–1 colour scale; signed values
    (``g, c, h, candidate``) a diverging one centred on 0. Masked steps at the end of
    the example are left out.

    Args:
        trace: a :class:`GateTrace`.
        example: which example of the batch.
        gates: the gate names to draw (default all, in the trace's order).
        tokens: labels of the time axis (e.g. the words of a text); default
            ``trace.extra["tokens"][example]`` when the trace has them
            (``FitResult.trace_gates`` of a text model), else step numbers.
        max_units: draw at most this many units per gate.

    Returns:
        The ``matplotlib.figure.Figure`` (no pyplot state; save or render it).

    Raises:
        ConfigError: an unknown gate name.
        DataError: ``example`` is not an index into the batch.

    Example:

    >>> import numpy as np
    >>> from seqkit.layers import ExplicitGRU
    >>> trace = ExplicitGRU(4).trace_gates(np.ones((1, 3, 2), "float32"))
    >>> figure = gate_trace_figure(trace, gates=["z", "h"], tokens=["a", "b", "c"])
    >>> bottom = figure.axes[1]
    >>> [t.get_text() for t in bottom.get_xticklabels()], bottom.get_xlabel()
    (['a', 'b', 'c'], 'token')
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = list(gates or trace.names)
    unknown = [n for n in names if n not in trace.gates]
    if unknown:
        raise ConfigError(f"unknown gate(s) {unknown}; this trace has {trace.names}")
    batch, steps = next(iter(trace.gates.values())).shape[:2]
    if not 0 <= example < batch:
        fail("example", f"an index into the batch of {batch} (0 to {batch - 1})", example,
             DataError)
    if trace.mask is not None and trace.mask[example].any():
        steps = int(trace.mask[example].sum())
    if tokens is None and trace.extra.get("tokens") is not None:
        tokens = trace.extra["tokens"][example]
    fig = Figure(figsize=(max(6, 0.25 * steps + 2), 1.6 * len(names) + 0.8))
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
    for ax, name in zip(axes, names):
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
        labels = [str(t) for t in list(tokens)[:steps]]
        axes[-1].set_xticks(range(len(labels)))
        axes[-1].set_xticklabels(labels, rotation=90, fontsize=7)
    axes[-1].set_xlabel("token" if tokens is not None else "time step")
    fig.suptitle(f"gate activations: layer {trace.layer_name!r}, example {example}")
    fig.tight_layout()
    return fig


def plot_gate_trace(trace: GateTrace, path, *, example: int = 0, gates=None, tokens=None,
                    max_units: int = 64):
    """Write a heatmap PNG of one example's trace (:func:`gate_trace_figure`).

    Args:
        trace: a :class:`GateTrace`.
        path: the PNG file to write.
        example: which example of the batch.
        gates: the gate names to draw (default all, in the trace's order).
        tokens: labels for the time axis (e.g. the words of a text); default the trace's
            own (``trace.extra["tokens"]``), else step numbers.
        max_units: draw at most this many units per gate.

    Returns:
        ``path``, unchanged.

    Raises:
        ConfigError: an unknown gate name.
        DataError: ``example`` is not an index into the batch.

    Example:

    >>> import os, tempfile
    >>> import numpy as np
    >>> from seqkit.layers import ExplicitGRU, plot_gate_trace
    >>> trace = ExplicitGRU(4).trace_gates(np.ones((1, 3, 2), "float32"))
    >>> path = os.path.join(tempfile.mkdtemp(), "gates.png")
    >>> plot_gate_trace(trace, path, gates=["z", "h"], tokens=["a", "b", "c"]) == path
    True
    >>> open(path, "rb").read(4)
    b'\\x89PNG'
    """
    fig = gate_trace_figure(trace, example=example, gates=gates, tokens=tokens,
                            max_units=max_units)
    fig.savefig(path, dpi=100)
    return path
