"""Explicit-gate LSTM/GRU cells and layers."""

from seqkit.layers.equations import GRUOptions, LSTMOptions
from seqkit.layers.gru import ExplicitGRU, ExplicitGRUCell
from seqkit.layers.lstm import ExplicitLSTM, ExplicitLSTMCell

__all__ = [
    "ExplicitGRU", "ExplicitGRUCell", "ExplicitLSTM", "ExplicitLSTMCell",
    "GRUOptions", "LSTMOptions",
]
