"""The gate equations of seqkit's cells, as small pure functions on ``keras.ops``.

Everything a cell computes in one time step is written here, once; the cells
(:mod:`seqkit.layers.lstm`, :mod:`seqkit.layers.gru`) only hold weights and options and
call these functions, both from ``Cell.call`` (one step) and from the layer's explicit
loop (all steps, with the input projection hoisted out of the loop where it pays).

The functions take the weights in the *loop layout* (``cells.LSTMWeights``,
``cells.GRUWeights``), which the cell prepares once per call, outside the time loop, from
its stored Keras-layout weights: gate columns reordered so that the sigmoid gates are one
contiguous block (one ``σ`` per step), columns of removed gates dropped, constant shifts
(``forget_bias``) and the layer norms' offsets ``β`` folded into one bias. The stored
weights keep Keras' layout, so they stay interchangeable with ``keras.layers.LSTM``/``GRU``.

Notation: ``x_t`` input, ``h_{t-1}``/``c_{t-1}`` previous state, ``W`` kernel, ``U``
recurrent kernel, ``b`` bias, ``σ`` the recurrent activation (sigmoid), ``φ`` the
activation (tanh), ``⊙`` elementwise product, ``LN`` layer normalization.
Gate order in every fused weight matrix is Keras': LSTM ``i, f, c(g), o``; GRU ``z, r, h``.
"""

from __future__ import annotations

from itertools import accumulate
from typing import NamedTuple

import keras
from keras import ops

# The options live in their own module; re-exported here, where they always were.
from seqkit.layers.gradients import written_gradients_enabled
from seqkit.layers.options import GRUOptions, LSTMOptions

__all__ = [
    "GRUGates", "GRUOptions", "LSTMGates", "LSTMOptions", "Norm", "gru_step",
    "input_projection", "layer_norm", "lstm_gates", "lstm_layout", "lstm_step", "split_sizes",
]

# --------------------------------------------------------------------------- weights


class Norm(NamedTuple):
    """Layer-norm parameters: ``LN(x) = (x - mean(x)) / sqrt(var(x) + eps) * gamma + beta``.

    Attributes:
        gamma: the scale ``γ``, ``[n]``.
        beta: the offset ``β``, ``[n]``, or None when it is folded into a bias.
        epsilon: added to the variance.

    Example:

    >>> import numpy as np
    >>> Norm(gamma=np.ones(3), beta=np.zeros(3), epsilon=1e-3).epsilon
    0.001
    """

    gamma: object
    beta: object
    epsilon: float


class LSTMGates(NamedTuple):
    """One LSTM step's gate activations, each ``[batch, units]``: the input gate ``i``,
    forget gate ``f``, candidate ``g``, output gate ``o``, cell state ``c``, output ``h``
    (the field order is the order of a gate trace).

    Example:

    >>> LSTMGates._fields
    ('i', 'f', 'g', 'o', 'c', 'h')
    """

    i: object
    f: object
    g: object
    o: object
    c: object
    h: object


class GRUGates(NamedTuple):
    """One GRU step's gate activations, each ``[batch, units]``: the update gate ``z``,
    reset gate ``r``, candidate ``ĥ`` and output ``h``.

    Example:

    >>> GRUGates._fields
    ('z', 'r', 'candidate', 'h')
    """

    z: object
    r: object
    candidate: object
    h: object


def layer_norm(x, norm: Norm | None):
    """Layer normalization over the last axis; identity when ``norm`` is None.

    ::

        x̂ = (x - mean(x)) / sqrt(var(x) + eps);   LN(x) = γ ⊙ x̂ + β

    One moments computation (``mean``, then the mean square of the centred values: the
    two-pass form, as ``tf.nn.moments``; the one-pass ``E[x²] - E[x]²`` costs the same
    here and loses precision). Without ``β`` (``norm.beta`` None: folded into a bias by
    the caller) the add is left out. The gradient is written out (Ba et al. 2016), with
    ``g = γ ⊙ dy``::

        dx = (g - mean(g) - x̂ ⊙ mean(g ⊙ x̂)) / sqrt(var(x) + eps)
        dγ = Σ_batch dy ⊙ x̂;   dβ = Σ_batch dy

    Autodiff of the forward ops gives the same values with more, smaller ops in the
    gradient of the time loop (op counts and timings: docs/benchmarks.md).

    Args:
        x: ``[..., n]``.
        norm: a :class:`Norm` with ``gamma`` (and ``beta``) of shape ``[n]``, or None.

    Returns:
        ``LN(x)``, the shape and dtype of ``x``.

    Example:

    >>> import numpy as np
    >>> x = np.array([[1.0, 2.0, 3.0]], "float32")
    >>> y = layer_norm(x, Norm(np.ones(3, "float32"), np.zeros(3, "float32"), 1e-3))
    >>> np.asarray(y, "float64").round(3).tolist()
    [[-1.224, 0.0, 1.224]]
    >>> np.asarray(layer_norm(x, Norm(np.ones(3, "float32"), None, 1e-3))).shape
    (1, 3)
    >>> layer_norm(x, None) is x
    True
    """
    if norm is None:
        return x
    epsilon = norm.epsilon

    def forward(x, gamma):
        mean = ops.mean(x, axis=-1, keepdims=True)
        centered = x - mean
        inv_std = ops.rsqrt(ops.mean(ops.square(centered), axis=-1, keepdims=True) + epsilon)
        x_hat = centered * inv_std

        def dx_dgamma(dy):
            g = dy * gamma
            dx = inv_std * (g - ops.mean(g, axis=-1, keepdims=True)
                            - x_hat * ops.mean(g * x_hat, axis=-1, keepdims=True))
            return dx, ops.sum(dy * x_hat, axis=tuple(range(len(x.shape) - 1)))

        return x_hat * gamma, dx_dgamma

    gamma = ops.cast(norm.gamma, x.dtype)
    if not written_gradients_enabled():  # a graph never differentiated (LiteRT)
        y, _ = forward(x, gamma)
        return y if norm.beta is None else y + ops.cast(norm.beta, x.dtype)
    if norm.beta is None:
        @ops.custom_gradient
        def normalize(x, gamma):
            y, grad_of = forward(x, gamma)
            return y, lambda *args, upstream=None: grad_of(_upstream(args, upstream))

        return normalize(x, gamma)

    @ops.custom_gradient
    def normalize_shift(x, gamma, beta):
        y, grad_of = forward(x, gamma)

        def grad(*args, upstream=None):
            dy = _upstream(args, upstream)
            return (*grad_of(dy), ops.sum(dy, axis=tuple(range(len(x.shape) - 1))))

        return y + beta, grad

    return normalize_shift(x, gamma, ops.cast(norm.beta, x.dtype))


def _upstream(args, upstream):
    """The incoming gradient: TF passes it positionally, torch/JAX as ``upstream``."""
    return args[0] if upstream is None else upstream


def input_projection(x, kernel, bias=None, norm: Norm | None = None):
    """``LN(x W) + b`` for ``x`` of shape ``[..., d]``: one matmul for every gate (and,
    from the layer's loop, every time step at once).

    Args:
        x: ``[..., d]``.
        kernel: ``W``, ``[d, gates * units]``.
        bias: ``b``, ``[gates * units]``, or None.
        norm: the input layer norm, or None.

    Returns:
        ``[..., gates * units]``.

    Example:

    >>> import numpy as np
    >>> z = input_projection(np.ones((2, 3)), np.ones((3, 8)), bias=np.arange(8.0))
    >>> np.asarray(z)[0].tolist()
    [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    """
    z = layer_norm(ops.matmul(x, kernel), norm)
    return z if bias is None else z + bias


# --------------------------------------------------------------------------- LSTM


def lstm_layout(options: LSTMOptions) -> tuple:
    """The loop's order of the LSTM's column blocks: the sigmoid gates first, so that one
    ``σ`` covers them (``i, f`` from ``c_{t-1}``'s step, then ``o``), then ``g``.

    Blocks of removed gates (``i`` under NIG, ``f`` under NFG or CIFG, ``o`` under NOG)
    are left out, which also saves their matmul columns; with ``layer_norm`` they are kept
    at the end, because the norm's statistics run over all ``4 u`` pre-activations.

    Args:
        options: an :class:`LSTMOptions`.

    Returns:
        Gate names, e.g. ``("i", "f", "o", "g")`` for the built-in math.

    Example:

    >>> lstm_layout(LSTMOptions())
    ('i', 'f', 'o', 'g')
    >>> lstm_layout(LSTMOptions(coupled_input_forget=True))
    ('i', 'o', 'g')
    >>> lstm_layout(LSTMOptions(coupled_input_forget=True, layer_norm=True))
    ('i', 'o', 'g', 'f')
    """
    used = [name for name, on in (
        ("i", options.input_gate),
        ("f", options.forget_gate and not options.coupled_input_forget),
        ("o", options.output_gate)) if on] + ["g"]
    if options.layer_norm:
        used += [name for name in ("i", "f", "g", "o") if name not in used]
    return tuple(used)


def lstm_gates(z, c_prev, weights, options: LSTMOptions, activation,
               recurrent_activation) -> LSTMGates:
    """The LSTM equations for one step, from ``z = LN(W x_t) + LN(U h_{t-1}) + b``.

    ::

        i   = σ(z_i + p_i ⊙ c_{t-1})                 NIG: i = 1
        f   = σ(z_f + p_f ⊙ c_{t-1} + forget_bias)   NFG: f = 1;   CIFG: f = 1 - i
        g   = φ(z_g)                                  NIAF: g = z_g
        c_t = f ⊙ c_{t-1} + i ⊙ g                     layer_norm: c_t = LN(c_t)
        o   = σ(z_o + p_o ⊙ c_t)                      NOG: o = 1
        h_t = o ⊙ φ(c_t)                              NOAF: h_t = o ⊙ c_t

    ``z``'s blocks are in ``weights.layout`` order, so the sigmoid gates are one slice and
    one ``σ`` (two with peepholes: ``o`` waits for ``c_t``); ``forget_bias`` is already in
    the bias. ``p_i, p_f, p_o`` are diagonal peephole weights (Gers & Schmidhuber 2000),
    used only when ``options.peephole``.

    Args:
        z: the pre-activations ``[batch, n * units]`` in ``weights.layout`` order.
        c_prev: ``c_{t-1}``, ``[batch, units]``.
        weights: the :class:`~seqkit.layers.cells.LSTMWeights` (``layout``, ``peephole``,
            ``cell_norm``, ``fused``).
        options: which equations (an :class:`LSTMOptions`).
        activation: ``φ`` (e.g. ``keras.activations.tanh``).
        recurrent_activation: ``σ`` (e.g. ``keras.activations.sigmoid``).

    Returns:
        :class:`LSTMGates` (a removed gate is a tensor of ones).

    Example:

    >>> import keras
    >>> import numpy as np
    >>> options = LSTMOptions(coupled_input_forget=True)
    >>> from seqkit.layers.cells import LSTMWeights
    >>> weights = LSTMWeights(None, None, None, lstm_layout(options))  # blocks i, o, g
    >>> gates = lstm_gates(np.zeros((1, 6), "float32"), np.ones((1, 2), "float32"),
    ...                    weights, options, keras.activations.tanh,
    ...                    keras.activations.sigmoid)
    >>> np.asarray(gates.i).tolist(), np.asarray(gates.f).tolist()  # σ(0), 1 - σ(0)
    ([[0.5, 0.5]], [[0.5, 0.5]])
    >>> np.asarray(gates.c).tolist()  # f ⊙ c_{t-1} + i ⊙ tanh(0)
    [[0.5, 0.5]]
    """
    acts, z_g, z_o = _lstm_sigmoids(z, c_prev, weights, options, recurrent_activation)
    i = acts.get("i")
    f = (1.0 - i) if options.coupled_input_forget else acts.get("f")
    g = activation(z_g) if options.input_activation else z_g
    c = layer_norm(_times(f, c_prev) + _times(i, g), weights.cell_norm)
    o = acts.get("o")
    if z_o is not None:  # peephole: o = σ(z_o + p_o ⊙ c_t) waits for c_t
        o = recurrent_activation(z_o + weights.peephole["o"] * c)
    h = _times(o, activation(c) if options.output_activation else c)
    one = ops.ones_like(c) if None in (i, f, o) else None
    return LSTMGates(_or(i, one), _or(f, one), g, _or(o, one), c, h)


def _lstm_sigmoids(z, c_prev, weights, options, sigma):
    """``({gate: σ(...)}, z_g, z_o)`` for the gates computed before ``c_t`` (and ``o``
    without peepholes; ``z_o`` is returned for the peephole ``o``, else None)."""
    units = c_prev.shape[-1]
    sig = weights.layout[:weights.layout.index("g")]  # the sigmoid gates, then g
    peep = weights.peephole if options.peephole else None
    late_o = peep is not None and "o" in sig
    early = sig[:-1] if late_o else sig
    if not weights.fused:  # one split, one σ per gate
        blocks = dict(zip(weights.layout, _split(z, len(weights.layout))))
        acts = {name: sigma(blocks[name] + peep[name] * c_prev if peep else blocks[name])
                for name in early}
        return acts, blocks["g"], blocks["o"] if late_o else None
    s_z, z_g = _sigmoid_and_candidate(z, len(sig) * units, units)
    z_o = None
    if late_o:
        s_z, z_o = (None, s_z) if not early else split_sizes(s_z, [len(early) * units, units])
    if early and peep:  # i, f: one product with [c_{t-1}, c_{t-1}]
        c_rep = c_prev if len(early) == 1 else ops.concatenate([c_prev] * len(early), -1)
        s_z = s_z + peep["before"] * c_rep
    acts = dict(zip(early, _split(sigma(s_z), len(early)))) if early else {}
    return acts, z_g, z_o


def _sigmoid_and_candidate(z, width, units):
    """``z[..., :width]`` (None when 0) and the next ``units`` columns, by one split."""
    total = z.shape[-1]
    parts = split_sizes(z, [n for n in (width, units, total - width - units) if n])
    return (parts[0], parts[1]) if width else (None, parts[0])


def split_sizes(x, sizes):
    """``x`` split along the last axis into parts of ``sizes`` columns: one op per step.

    Keras 3.15's ``ops.split`` with split points builds the sizes with four more ops at
    run time on TensorFlow (``keras/src/backend/tensorflow/numpy.py``: ``convert_to_tensor``,
    two slices, a concatenation, per call: per *step* inside the loop), so on TensorFlow
    this calls ``tf.split`` with the static sizes (one ``SplitV``).

    Args:
        x: ``[..., sum(sizes)]``.
        sizes: the widths of the parts (Python ints).

    Returns:
        A list of ``len(sizes)`` tensors (``[x]`` for one size).

    Example:

    >>> import numpy as np
    >>> [tuple(p.shape) for p in split_sizes(np.zeros((2, 5), "float32"), [3, 2])]
    [(2, 3), (2, 2)]
    """
    if len(sizes) == 1:
        return [x]
    if len(set(sizes)) == 1:
        return ops.split(x, len(sizes), axis=-1)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return tf.split(x, list(sizes), axis=-1)
    return ops.split(x, list(accumulate(sizes[:-1])), axis=-1)


def _split(x, parts):
    return [x] if parts == 1 else ops.split(x, parts, axis=-1)


def _times(gate, x):
    """``gate ⊙ x``, where a gate of ``None`` is the constant 1."""
    return x if gate is None else gate * x


def _or(gate, one):
    return one if gate is None else gate


def lstm_step(x_proj, h_prev, c_prev, weights, options: LSTMOptions,
              activation, recurrent_activation, h_dropout_mask=None) -> LSTMGates:
    """One LSTM step given the (hoisted) input projection ``x_proj = LN(W x_t) + b``.

    ::

        z = x_proj + LN(U (h_{t-1} ⊙ dropout_mask));   then :func:`lstm_gates`

    Args:
        x_proj: ``[batch, n * units]`` (``weights.layout`` order).
        h_prev: ``h_{t-1}``, ``[batch, units]``.
        c_prev: ``c_{t-1}``, ``[batch, units]``.
        weights: the cell's :class:`~seqkit.layers.cells.LSTMWeights`.
        options: an :class:`LSTMOptions`.
        activation: ``φ``.
        recurrent_activation: ``σ``.
        h_dropout_mask: recurrent dropout mask, or None.

    Returns:
        :class:`LSTMGates`.

    Example:

    >>> import keras
    >>> import numpy as np
    >>> x_proj = np.zeros((1, 8), "float32")
    >>> h, c = np.zeros((1, 2), "float32"), np.ones((1, 2), "float32")
    >>> from seqkit.layers.cells import LSTMWeights
    >>> weights = LSTMWeights(None, np.ones((2, 8), "float32"), None, ("i", "f", "o", "g"))
    >>> gates = lstm_step(x_proj, h, c, weights, LSTMOptions(), keras.activations.tanh,
    ...                   keras.activations.sigmoid)
    >>> np.asarray(gates.h, "float64").round(4).tolist()  # σ(0) ⊙ tanh(σ(0) · 1)
    [[0.2311, 0.2311]]
    """
    h_in = h_prev if h_dropout_mask is None else h_prev * h_dropout_mask
    z = x_proj + layer_norm(ops.matmul(h_in, weights.recurrent_kernel),
                            weights.recurrent_norm)
    return lstm_gates(z, c_prev, weights, options, activation, recurrent_activation)


# --------------------------------------------------------------------------- GRU


def gru_step(x_proj, h_prev, weights, options: GRUOptions, activation,
             recurrent_activation, h_dropout_mask=None) -> GRUGates:
    """One GRU step given the (hoisted) input projection ``x_proj = LN(W x_t) + b``.

    ::

        x_z, x_r, x_h = split(x_proj, 3)
        reset_after=True  (Keras default, cuDNN):
            u_z, u_r, u_h = split(LN(U h_{t-1}) + b_h, 3)
            z = σ(x_z + u_z);  r = σ(x_r + u_r);  ĥ = φ(x_h + r ⊙ u_h)
        reset_after=False (Cho et al. 2014):
            u_z, u_r = split(LN(U_zr h_{t-1}), 2)
            z = σ(x_z + u_z);  r = σ(x_r + u_r);  ĥ = φ(x_h + LN(U_h (r ⊙ h_{t-1})))
        h_t = z ⊙ h_{t-1} + (1 - z) ⊙ ĥ   (computed as ĥ + z ⊙ (h_{t-1} - ĥ))

    ``z`` and ``r`` take one ``σ``; every bias and ``β`` that adds to ``x_z, x_r, x_h``
    is in ``x_proj`` already (``weights.input_bias``); only ``b_h``'s ``h`` block, which
    ``r`` scales, is added per step (``weights.candidate_bias``).

    Args:
        x_proj: ``[batch, 3 * units]`` (blocks z, r, h).
        h_prev: ``h_{t-1}``, ``[batch, units]``.
        weights: the cell's :class:`~seqkit.layers.cells.GRUWeights`.
        options: a :class:`GRUOptions`.
        activation: ``φ``.
        recurrent_activation: ``σ``.
        h_dropout_mask: recurrent dropout mask, or None.

    Returns:
        :class:`GRUGates`.

    Example:

    >>> import keras
    >>> import numpy as np
    >>> h = np.ones((1, 2), "float32")
    >>> from seqkit.layers.cells import GRUWeights
    >>> weights = GRUWeights(None, np.zeros((2, 6), "float32"))
    >>> gates = gru_step(np.zeros((1, 6), "float32"), h, weights, GRUOptions(),
    ...                  keras.activations.tanh, keras.activations.sigmoid)
    >>> np.asarray(gates.z).tolist(), np.asarray(gates.h).tolist()  # h = z ⊙ h + (1-z) ⊙ 0
    ([[0.5, 0.5]], [[0.5, 0.5]])
    """
    units = h_prev.shape[-1]
    h_in = h_prev if h_dropout_mask is None else h_prev * h_dropout_mask

    def z_and_r(x_zr, u_zr):
        if weights.fused:  # one σ
            return ops.split(recurrent_activation(x_zr + u_zr), 2, axis=-1)
        (x_z, x_r), (u_z, u_r) = x_zr, u_zr  # one σ each
        return recurrent_activation(x_z + u_z), recurrent_activation(x_r + u_r)

    if weights.fused:
        x_zr, x_h = split_sizes(x_proj, [2 * units, units])
    else:
        x_z, x_r, x_h = ops.split(x_proj, 3, axis=-1)
        x_zr = (x_z, x_r)
    if options.reset_after:
        u = layer_norm(ops.matmul(h_in, weights.recurrent_kernel), weights.recurrent_norm)
        if weights.fused:
            u_zr, u_h = split_sizes(u, [2 * units, units])
        else:
            u_z, u_r, u_h = ops.split(u, 3, axis=-1)
            u_zr = (u_z, u_r)
        z, r = z_and_r(x_zr, u_zr)
        if weights.candidate_bias is not None:
            u_h = u_h + weights.candidate_bias
        candidate = activation(x_h + r * u_h)
    else:
        kernel_zr, kernel_h = weights.recurrent_kernel
        norm_zr, norm_h = weights.recurrent_norm or (None, None)
        u_zr = layer_norm(ops.matmul(h_in, kernel_zr), norm_zr)
        z, r = z_and_r(x_zr, u_zr if weights.fused else ops.split(u_zr, 2, axis=-1))
        candidate = activation(x_h + layer_norm(ops.matmul(r * h_in, kernel_h), norm_h))
    h = candidate + z * (h_prev - candidate)
    return GRUGates(z, r, candidate, h)
