"""Equal-parameter sizes: the units a cell needs to match another cell's parameter count.

A recurrent layer's parameter count is a quadratic in its units ``u`` with no constant
term: ``p(u) = a·u² + b·u`` (LSTM ``4u² + 4u(d+1)``, GRU with ``reset_after``
``3u² + 3u(d+2)``, for ``d`` input features). ``a`` and ``b`` are read from
:func:`seqkit.layers.factory.count_rnn` at ``u = 1`` and ``u = 2`` (so every variant the
layers count is handled, peepholes and layer norm included), the positive root of
``a·u² + b·u = target`` is taken, and both integer neighbours are checked against
``count_rnn``: the closer one wins (the smaller on a tie). Only the recurrent layer is
matched; the task's head (a Dense on the last state) grows with ``u`` too and is reported
with the whole model's count.

Example:

>>> from seqkit.study.sizes import equal_params_units, rnn_params
>>> rnn_params("lstm", 64, input_dim=8)
18688
>>> u = equal_params_units("lstm", 64, "gru", input_dim=8)
>>> u, rnn_params("gru", u, input_dim=8)
(74, 18648)
"""

from __future__ import annotations

import math

from seqkit.validation import check_int


def rnn_params(cell: str, units: int, *, input_dim: int) -> int:
    """Parameters of one ``cell`` layer of ``units`` on ``input_dim`` features.

    Args:
        cell: a :data:`seqkit.layers.VARIANTS` name.
        units: the layer's units.
        input_dim: features per step.

    Returns:
        :func:`seqkit.layers.factory.count_rnn`'s ``params``.

    Example:

    >>> rnn_params("gru", 128, input_dim=64)
    74496
    """
    from seqkit.layers import make_rnn
    from seqkit.layers.factory import count_rnn

    return count_rnn(make_rnn(cell, check_int("units", units)),
                     input_dim=check_int("input_dim", input_dim))["params"]


def equal_params_units(reference_cell: str, reference_units: int, cell: str, *,
                       input_dim: int) -> int:
    """The units of ``cell`` whose parameter count is closest to ``reference_cell``'s at
    ``reference_units`` (same ``input_dim``).

    Args:
        reference_cell: the cell whose size is kept (e.g. ``"lstm"``).
        reference_units: its units.
        cell: the cell to size (e.g. ``"gru"``).
        input_dim: features per step of the layer.

    Returns:
        The units, at least 1.

    Example:

    >>> equal_params_units("lstm", 256, "gru", input_dim=1)
    295
    >>> equal_params_units("gru", 8, "gru", input_dim=3)
    8
    """
    target = rnn_params(reference_cell, reference_units, input_dim=input_dim)
    p1, p2 = (rnn_params(cell, u, input_dim=input_dim) for u in (1, 2))
    a = (p2 - 2 * p1) / 2.0
    b = p1 - a
    root = (-b + math.sqrt(b * b + 4.0 * a * target)) / (2.0 * a) if a else target / b
    candidates = sorted({max(1, math.floor(root)), max(1, math.ceil(root))})
    return min(candidates,
               key=lambda u: (abs(rnn_params(cell, u, input_dim=input_dim) - target), u))
