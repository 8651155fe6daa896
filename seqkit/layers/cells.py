"""What ExplicitLSTMCell and ExplicitGRUCell share: the options, Keras' dropout knobs and
the layer-norm weights."""

from __future__ import annotations

from seqkit.layers.equations import Norm


class ExplicitCellMixin:
    """Mixed in before ``keras.layers.LSTMCell`` / ``GRUCell``.

    Example:

    >>> from seqkit.layers import ExplicitGRUCell, ExplicitLSTMCell
    >>> [isinstance(c, ExplicitCellMixin) for c in (ExplicitLSTMCell(2), ExplicitGRUCell(2))]
    [True, True]
    """

    def _init_options(self, options):
        """Keep ``options``; one dropout mask for all gates, as the gate functions take."""
        self.options = options
        # Keras 3.15 private knobs of LSTMCell/GRUCell and DropoutRNNCell (no public API):
        # implementation=1 would mean one dropout mask per gate, which the gate functions
        # do not take; dropout_mask_count=None makes one mask shared by all gates.
        self.implementation = 2
        self.dropout_mask_count = None

    def _add_norm_weights(self, sizes):
        """``<name>_norm_gamma`` (ones) and ``<name>_norm_beta`` (zeros) per ``(name, size)``."""
        for name, size in sizes:
            setattr(self, f"{name}_norm_gamma", self.add_weight(
                shape=(size,), name=f"{name}_norm_gamma", initializer="ones"))
            setattr(self, f"{name}_norm_beta", self.add_weight(
                shape=(size,), name=f"{name}_norm_beta", initializer="zeros"))

    def _norm(self, name):
        """The :class:`~seqkit.layers.equations.Norm` called ``name``, or None without LN."""
        if not self.options.layer_norm:
            return None
        return Norm(getattr(self, f"{name}_norm_gamma"), getattr(self, f"{name}_norm_beta"),
                    self.options.norm_epsilon)
