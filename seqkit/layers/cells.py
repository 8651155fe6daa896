"""What ExplicitLSTMCell and ExplicitGRUCell share: the options, Keras' dropout knobs,
the layer-norm weights, and the helpers that put stored weights into the loop layout."""

from __future__ import annotations

from typing import NamedTuple

from keras import ops

from seqkit.layers.equations import Norm


class LSTMWeights(NamedTuple):
    """An LSTM cell's weights in the loop layout (from ``ExplicitLSTMCell.loop_weights``).

    Column blocks follow ``layout`` (:func:`lstm_layout`), not Keras' ``i, f, c, o``.

    Attributes:
        kernel: ``W``, ``[d, n * units]`` (``n = len(layout)``).
        recurrent_kernel: ``U``, ``[units, n * units]``.
        bias: ``b`` with ``forget_bias`` and the layer norms' ``β`` folded in,
            ``[n * units]``, or None.
        layout: the gate of each column block, e.g. ``("i", "f", "o", "g")``.
        peephole: ``{"i": p_i, "f": p_f, "o": p_o, "before": p_before}`` (each
            ``[units]``; ``p_before``: the rows of the gates computed before ``c_t`` in
            layout order, ``[k * units]``), or None without peepholes.
        input_norm: LN of ``W x`` (``γ`` in layout order, ``β`` folded), or None.
        recurrent_norm: LN of ``U h`` (same), or None.
        cell_norm: LN of ``c_t`` (with its ``β``), or None.
        fused: one ``σ`` over the contiguous sigmoid gates (True), or one per gate
            (False: on TensorFlow's CPU, where independent small ops run in parallel on
            the inter-op threads and one larger op does not).

    Example:

    >>> LSTMWeights._fields[:4]
    ('kernel', 'recurrent_kernel', 'bias', 'layout')
    """

    kernel: object
    recurrent_kernel: object
    bias: object
    layout: tuple
    peephole: dict | None = None
    input_norm: Norm | None = None
    recurrent_norm: Norm | None = None
    cell_norm: Norm | None = None
    fused: bool = True


class GRUWeights(NamedTuple):
    """A GRU cell's weights in the loop layout (from ``ExplicitGRUCell.loop_weights``).

    Column blocks are Keras' ``z, r, h`` (the sigmoid gates are already contiguous).

    Attributes:
        kernel: ``W``, ``[d, 3 * units]``.
        recurrent_kernel: ``U``, ``[units, 3 * units]`` (``reset_after=True``), or the
            pair ``(U_zr [units, 2 * units], U_h [units, units])`` (``reset_after=False``,
            split once per call, not per step).
        input_bias: ``b_x`` plus every bias term that adds to the same pre-activation:
            ``b_h``'s ``z, r`` blocks (``reset_after=True``) and the layer norms' ``β``
            (``[3 * units]``), or None.
        candidate_bias: ``b_h``'s ``h`` block plus the recurrent norm's ``β`` there
            (``reset_after=True``: it is scaled by ``r``), ``[units]``, or None.
        input_norm: LN of ``W x`` (``β`` folded), or None.
        recurrent_norm: LN of ``U h`` (``reset_after=True``) or the pair of norms of
            ``U_zr h`` and ``U_h (r ⊙ h)``; ``β`` folded; or None.
        fused: one ``σ`` for ``z, r`` (True) or one each (see :class:`LSTMWeights`).

    Example:

    >>> GRUWeights._fields[:3]
    ('kernel', 'recurrent_kernel', 'input_bias')
    """

    kernel: object
    recurrent_kernel: object
    input_bias: object = None
    candidate_bias: object = None
    input_norm: Norm | None = None
    recurrent_norm: object = None
    fused: bool = True


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

    def _unshifted_norm(self, name, order=None):
        """``(Norm without β, β)`` of the norm ``name``, both with their column blocks in
        ``order`` (see :func:`take_blocks`); ``(None, None)`` without LN. The caller folds
        ``β`` into a bias that is added anyway."""
        norm = self._norm(name)
        if norm is None:
            return None, None
        gamma, beta = norm.gamma, norm.beta
        if order is not None:
            gamma, beta = (take_blocks(w, order, self.units) for w in (gamma, beta))
        return Norm(gamma, None, norm.epsilon), beta


def fuse_gate_activations() -> bool:
    """Whether a step applies one ``σ`` to all its sigmoid gates (one op, as on a GPU,
    where every op is a kernel launch) or one per gate.

    On TensorFlow's CPU, independent small ops of a step run side by side on the
    inter-op threads and one larger op runs on one: measured side by side (B=64 T=100
    H=128, 2 cores, wall clock, load average ~2), one fused σ made the LSTM forward 3–7%
    slower (docs/benchmarks.md, issue 13).

    Returns:
        False on TensorFlow without a visible GPU, True otherwise.

    Example:

    >>> fuse_gate_activations() in (True, False)
    True
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        return True
    import tensorflow as tf

    return bool(tf.config.list_logical_devices("GPU"))


def take_blocks(weight, order, units):
    """The column blocks ``order`` (indices of ``units``-wide blocks of the last axis) of
    ``weight``, in that order: one slice per run of adjacent blocks, one concatenation.

    Done once per call, outside the time loop (its gradient too), so that the loop's steps
    see the gate columns in the order the equations want them.

    Args:
        weight: ``[..., k * units]``.
        order: block indices, e.g. ``(0, 1, 3, 2)``.
        units: the block width.

    Returns:
        ``[..., len(order) * units]``; ``weight`` itself when ``order`` is every block in
        order.

    Example:

    >>> import numpy as np
    >>> w = np.arange(8.0)
    >>> np.asarray(take_blocks(w, (0, 1, 3, 2), 2)).tolist()
    [0.0, 1.0, 2.0, 3.0, 6.0, 7.0, 4.0, 5.0]
    >>> take_blocks(w, (0, 1, 2, 3), 2) is w
    True
    """
    order = list(order)
    if order == list(range(weight.shape[-1] // units)):
        return weight
    runs = []  # [first block, last block] of each run of adjacent blocks
    for block in order:
        if runs and runs[-1][1] + 1 == block:
            runs[-1][1] = block
        else:
            runs.append([block, block])
    parts = [weight[..., first * units:(last + 1) * units] for first, last in runs]
    return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-1)


def add_all(*terms):
    """The sum of the terms that are not None (None when all are).

    Example:

    >>> add_all(None, 1.0, 2.0), add_all(None, None)
    (3.0, None)
    """
    present = [t for t in terms if t is not None]
    if not present:
        return None
    total = present[0]
    for term in present[1:]:
        total = total + term
    return total
