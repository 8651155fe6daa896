"""Explicit-gate LSTM/GRU cells and layers.

- :mod:`~seqkit.layers.equations`: the gate equations (pure functions)
- :mod:`~seqkit.layers.options`: which equations a cell uses (``LSTMOptions``, ``GRUOptions``)
- :mod:`~seqkit.layers.lstm`, :mod:`~seqkit.layers.gru`: cells and layers
  (:mod:`~seqkit.layers.cells`: what the two cells share)
- :mod:`~seqkit.layers.paths`: fused-vs-explicit path choice, shared by both layers
- :mod:`~seqkit.layers.loop`: the explicit loop and its trace mode
- :mod:`~seqkit.layers.trace`: gate traces and heatmaps
- :mod:`~seqkit.layers.factory`: named variants (``make_rnn("cifg", 64)``)
- :mod:`~seqkit.layers.factory`: parameter and multiply-add counts
- :mod:`~seqkit.layers.walk`: the layers of a model (``rnn_layers``, ``nested_layers``)

Example:

>>> import numpy as np
>>> from seqkit.layers import make_rnn
>>> layer = make_rnn("peephole", 4)
>>> tuple(layer(np.ones((2, 3, 5), "float32")).shape)
(2, 4)
>>> layer.trace_gates(np.ones((2, 3, 5), "float32")).names
['i', 'f', 'g', 'o', 'c', 'h']
"""

from seqkit.layers.factory import VARIANTS, cell_family, count_rnn, make_rnn, variant_names
from seqkit.layers.gru import ExplicitGRU, ExplicitGRUCell
from seqkit.layers.lstm import ExplicitLSTM, ExplicitLSTMCell
from seqkit.layers.options import GRUOptions, LSTMOptions
from seqkit.layers.trace import GateTrace, plot_gate_trace, trace_gates
from seqkit.layers.walk import nested_layers, rnn_layers

__all__ = [
    "VARIANTS", "ExplicitGRU", "ExplicitGRUCell", "ExplicitLSTM", "ExplicitLSTMCell",
    "GRUOptions", "GateTrace", "LSTMOptions", "cell_family", "count_rnn", "make_rnn",
    "nested_layers", "plot_gate_trace", "rnn_layers", "trace_gates", "variant_names",
]
