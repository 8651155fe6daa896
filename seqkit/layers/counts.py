"""Parameter and multiply-add counts of recurrent layers: the "GRU is smaller" claim as a
number. For the same units, GRU/LSTM parameters ≈ 3/4 (3 gate blocks against 4)."""

from __future__ import annotations

from seqkit.layers.factory import cell_family


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
