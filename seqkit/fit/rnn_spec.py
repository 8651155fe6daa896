"""The recurrent part of every fit's model: ``layers`` stacked RNNs built with ``make_rnn``.

Example:

>>> import keras
>>> x = keras.Input((5, 3))
>>> tuple(RNNSpec("gru", units=4, layers=2).apply(x).shape)
(None, 4)
"""

from __future__ import annotations

from dataclasses import dataclass

import keras

from seqkit.fit.describe import describe_cell
from seqkit.layers import make_rnn
from seqkit.validation import check_bool, check_fraction, check_int


@dataclass(frozen=True)
class RNNSpec:
    """The recurrent part of every model: ``layers`` stacked RNNs built with ``make_rnn``."""

    cell: object = "lstm"
    units: int = 64
    layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0
    recurrent_dropout: float = 0.0

    def checked(self) -> RNNSpec:
        describe_cell(self.cell)
        check_int("units", self.units)
        check_int("layers", self.layers)
        check_fraction("dropout", self.dropout)
        check_fraction("recurrent_dropout", self.recurrent_dropout)
        check_bool("bidirectional", self.bidirectional)
        return self

    def config(self) -> dict:
        return {"cell": describe_cell(self.cell), "units": int(self.units),
                "layers": int(self.layers), "bidirectional": bool(self.bidirectional),
                "dropout": float(self.dropout),
                "recurrent_dropout": float(self.recurrent_dropout)}

    def apply(self, x, return_sequences: bool = False):
        """Run ``x`` ``[B, T, d]`` through the stack; returns the last layer's final output
        (every step's with ``return_sequences``)."""
        for i in range(self.layers):
            last = i == self.layers - 1
            kwargs = {"return_sequences": return_sequences or not last}
            if self.dropout:
                kwargs["dropout"] = float(self.dropout)
            if self.recurrent_dropout:
                kwargs["recurrent_dropout"] = float(self.recurrent_dropout)
            layer = make_rnn(self.cell, int(self.units), name=f"rnn_{i}", **kwargs)
            if self.bidirectional:
                layer = keras.layers.Bidirectional(layer, name=f"bidirectional_{i}")
            x = layer(x)
        return x
