"""The gate equations of seqkit's cells, as small pure functions on ``keras.ops``.

Everything a cell computes in one time step is written here, once; the cells
(:mod:`seqkit.layers.lstm`, :mod:`seqkit.layers.gru`) only hold weights and options and
call these functions, both from ``Cell.call`` (one step) and from the layer's explicit
loop (all steps, with the input projection hoisted out of the loop).

Notation: ``x_t`` input, ``h_{t-1}``/``c_{t-1}`` previous state, ``W`` kernel, ``U``
recurrent kernel, ``b`` bias, ``σ`` the recurrent activation (sigmoid), ``φ`` the
activation (tanh), ``⊙`` elementwise product, ``LN`` layer normalization.
Gate order in every fused weight matrix is Keras': LSTM ``i, f, c(g), o``; GRU ``z, r, h``.
"""

from __future__ import annotations

from typing import NamedTuple

from keras import ops

# The options live in their own module; re-exported here, where they always were.
from seqkit.layers.options import GRUOptions, LSTMOptions

__all__ = [
    "GRUGates", "GRUOptions", "LSTMGates", "LSTMOptions", "Norm", "gru_step",
    "input_projection", "layer_norm", "lstm_gates", "lstm_step",
]

# --------------------------------------------------------------------------- weights


class Norm(NamedTuple):
    """Layer-norm parameters: ``LN(x) = (x - mean(x)) / sqrt(var(x) + eps) * gamma + beta``.

    Attributes:
        gamma: the scale ``γ``, ``[n]``.
        beta: the offset ``β``, ``[n]``.
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

    The gradient is written out (Ba et al. 2016), with ``g = γ ⊙ dy``::

        dx = (g - mean(g) - x̂ ⊙ mean(g ⊙ x̂)) / sqrt(var(x) + eps)
        dγ = Σ_batch dy ⊙ x̂;   dβ = Σ_batch dy

    Autodiff of the forward ops gives the same values with more, smaller ops in the
    gradient of the time loop; written out, the layer-norm variants train faster
    (op counts and timings: docs/benchmarks.md, "What we tried").

    Args:
        x: ``[..., n]``.
        norm: a :class:`Norm` with ``gamma``/``beta`` of shape ``[n]``, or None.

    Returns:
        ``LN(x)``, the shape and dtype of ``x``.

    Example:

    >>> import numpy as np
    >>> x = np.array([[1.0, 2.0, 3.0]], "float32")
    >>> y = layer_norm(x, Norm(np.ones(3, "float32"), np.zeros(3, "float32"), 1e-3))
    >>> np.asarray(y, "float64").round(3).tolist()
    [[-1.224, 0.0, 1.224]]
    >>> layer_norm(x, None) is x
    True
    """
    if norm is None:
        return x
    epsilon = norm.epsilon

    @ops.custom_gradient
    def normalize(x, gamma, beta):
        mean = ops.mean(x, axis=-1, keepdims=True)
        centered = x - mean
        inv_std = ops.rsqrt(ops.mean(ops.square(centered), axis=-1, keepdims=True) + epsilon)
        x_hat = centered * inv_std

        def grad(*args, upstream=None):
            dy = args[0] if upstream is None else upstream
            g = dy * gamma
            dx = inv_std * (g - ops.mean(g, axis=-1, keepdims=True)
                            - x_hat * ops.mean(g * x_hat, axis=-1, keepdims=True))
            batch_axes = tuple(range(len(x.shape) - 1))
            return dx, ops.sum(dy * x_hat, axis=batch_axes), ops.sum(dy, axis=batch_axes)

        return x_hat * gamma + beta, grad

    return normalize(x, ops.cast(norm.gamma, x.dtype), ops.cast(norm.beta, x.dtype))


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


def lstm_gates(z, c_prev, options: LSTMOptions, activation, recurrent_activation,
               peephole=None, cell_norm: Norm | None = None) -> LSTMGates:
    """The LSTM equations for one step, from ``z = LN(W x_t) + b + LN(U h_{t-1})``.

    ::

        z_i, z_f, z_g, z_o = split(z, 4)
        i   = σ(z_i + p_i ⊙ c_{t-1})                 NIG: i = 1
        f   = σ(z_f + p_f ⊙ c_{t-1} + forget_bias)   NFG: f = 1;   CIFG: f = 1 - i
        g   = φ(z_g)                                  NIAF: g = z_g
        c_t = f ⊙ c_{t-1} + i ⊙ g                     layer_norm: c_t = LN(c_t)
        o   = σ(z_o + p_o ⊙ c_t)                      NOG: o = 1
        h_t = o ⊙ φ(c_t)                              NOAF: h_t = o ⊙ c_t

    ``p_i, p_f, p_o`` (``peephole``, ``[3, units]``) are diagonal peephole weights
    (Gers & Schmidhuber 2000), used only when ``options.peephole``.

    Args:
        z: the pre-activations ``[batch, 4 * units]`` (gate order i, f, g, o).
        c_prev: ``c_{t-1}``, ``[batch, units]``.
        options: which equations (an :class:`LSTMOptions`).
        activation: ``φ`` (e.g. ``keras.activations.tanh``).
        recurrent_activation: ``σ`` (e.g. ``keras.activations.sigmoid``).
        peephole: ``[3, units]`` when ``options.peephole``.
        cell_norm: the layer norm of ``c_t``, or None.

    Returns:
        :class:`LSTMGates` (a removed gate is a tensor of ones).

    Example:

    >>> import keras
    >>> import numpy as np
    >>> gates = lstm_gates(np.zeros((1, 8), "float32"), np.ones((1, 2), "float32"),
    ...                    LSTMOptions(coupled_input_forget=True),
    ...                    keras.activations.tanh, keras.activations.sigmoid)
    >>> np.asarray(gates.i).tolist(), np.asarray(gates.f).tolist()  # σ(0), 1 - σ(0)
    ([[0.5, 0.5]], [[0.5, 0.5]])
    >>> np.asarray(gates.c).tolist()  # f ⊙ c_{t-1} + i ⊙ tanh(0)
    [[0.5, 0.5]]
    """
    z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)
    if options.peephole:
        p_i, p_f, p_o = peephole[0], peephole[1], peephole[2]
        z_i = z_i + p_i * c_prev
        z_f = z_f + p_f * c_prev
    # A removed gate is the constant 1 (kept as a tensor only for the trace).
    i = recurrent_activation(z_i) if options.input_gate else None
    if options.coupled_input_forget:
        f = 1.0 - i
    elif options.forget_gate:
        f = recurrent_activation(z_f + options.forget_bias if options.forget_bias else z_f)
    else:
        f = None
    g = activation(z_g) if options.input_activation else z_g
    c = _times(f, c_prev) + _times(i, g)
    c = layer_norm(c, cell_norm)
    if options.peephole:
        z_o = z_o + p_o * c
    o = recurrent_activation(z_o) if options.output_gate else None
    h = _times(o, activation(c) if options.output_activation else c)
    one = ops.ones_like(c) if None in (i, f, o) else None
    return LSTMGates(_or(i, one), _or(f, one), g, _or(o, one), c, h)


def _times(gate, x):
    """``gate ⊙ x``, where a gate of ``None`` is the constant 1."""
    return x if gate is None else gate * x


def _or(gate, one):
    return one if gate is None else gate


def lstm_step(x_proj, h_prev, c_prev, recurrent_kernel, options: LSTMOptions, activation,
              recurrent_activation, peephole=None, recurrent_norm: Norm | None = None,
              cell_norm: Norm | None = None, h_dropout_mask=None) -> LSTMGates:
    """One LSTM step given the (hoisted) input projection ``x_proj = LN(W x_t) + b``.

    ::

        z = x_proj + LN(U (h_{t-1} ⊙ dropout_mask));   then :func:`lstm_gates`

    Args:
        x_proj: ``[batch, 4 * units]``.
        h_prev: ``h_{t-1}``, ``[batch, units]``.
        c_prev: ``c_{t-1}``, ``[batch, units]``.
        recurrent_kernel: ``U``, ``[units, 4 * units]``.
        options: an :class:`LSTMOptions`.
        activation: ``φ``.
        recurrent_activation: ``σ``.
        peephole: ``[3, units]`` when ``options.peephole``.
        recurrent_norm: the layer norm of ``U h``, or None.
        cell_norm: the layer norm of ``c_t``, or None.
        h_dropout_mask: recurrent dropout mask, or None.

    Returns:
        :class:`LSTMGates`.

    Example:

    >>> import keras
    >>> import numpy as np
    >>> x_proj = np.zeros((1, 8), "float32")
    >>> h, c = np.zeros((1, 2), "float32"), np.ones((1, 2), "float32")
    >>> gates = lstm_step(x_proj, h, c, np.ones((2, 8), "float32"), LSTMOptions(),
    ...                   keras.activations.tanh, keras.activations.sigmoid)
    >>> np.asarray(gates.h, "float64").round(4).tolist()  # σ(0) ⊙ tanh(σ(0) · 1)
    [[0.2311, 0.2311]]
    """
    h_in = h_prev if h_dropout_mask is None else h_prev * h_dropout_mask
    z = x_proj + layer_norm(ops.matmul(h_in, recurrent_kernel), recurrent_norm)
    return lstm_gates(z, c_prev, options, activation, recurrent_activation,
                      peephole=peephole, cell_norm=cell_norm)


# --------------------------------------------------------------------------- GRU


def gru_step(x_proj, h_prev, recurrent_kernel, options: GRUOptions, activation,
             recurrent_activation, recurrent_bias=None, recurrent_norm: Norm | None = None,
             h_dropout_mask=None) -> GRUGates:
    """One GRU step given the (hoisted) input projection ``x_proj = LN(W x_t) + b_x``.

    ::

        x_z, x_r, x_h = split(x_proj, 3)
        reset_after=True  (Keras default, cuDNN):
            u_z, u_r, u_h = split(LN(U h_{t-1}) + b_h, 3)
            z = σ(x_z + u_z);  r = σ(x_r + u_r);  ĥ = φ(x_h + r ⊙ u_h)
        reset_after=False (Cho et al. 2014):
            u_z, u_r = split(LN(U_zr h_{t-1}), 2)
            z = σ(x_z + u_z);  r = σ(x_r + u_r);  ĥ = φ(x_h + LN(U_h (r ⊙ h_{t-1})))
        h_t = z ⊙ h_{t-1} + (1 - z) ⊙ ĥ

    With layer norm and ``reset_after=False`` the recurrent norm's first ``2u`` entries
    normalize ``U_zr h`` and its last ``u`` entries ``U_h (r ⊙ h)``.

    Args:
        x_proj: ``[batch, 3 * units]`` (blocks z, r, h).
        h_prev: ``h_{t-1}``, ``[batch, units]``.
        recurrent_kernel: ``U``, ``[units, 3 * units]``.
        options: a :class:`GRUOptions`.
        activation: ``φ``.
        recurrent_activation: ``σ``.
        recurrent_bias: ``b_h``, ``[3 * units]`` (``reset_after=True`` only), or None.
        recurrent_norm: the layer norm of the recurrent projection(s), or None.
        h_dropout_mask: recurrent dropout mask, or None.

    Returns:
        :class:`GRUGates`.

    Example:

    >>> import keras
    >>> import numpy as np
    >>> h = np.ones((1, 2), "float32")
    >>> gates = gru_step(np.zeros((1, 6), "float32"), h, np.zeros((2, 6), "float32"),
    ...                  GRUOptions(), keras.activations.tanh, keras.activations.sigmoid)
    >>> np.asarray(gates.z).tolist(), np.asarray(gates.h).tolist()  # h = z ⊙ h + (1-z) ⊙ 0
    ([[0.5, 0.5]], [[0.5, 0.5]])
    """
    units = h_prev.shape[-1]
    h_in = h_prev if h_dropout_mask is None else h_prev * h_dropout_mask
    x_z, x_r, x_h = ops.split(x_proj, 3, axis=-1)
    if options.reset_after:
        u = layer_norm(ops.matmul(h_in, recurrent_kernel), recurrent_norm)
        if recurrent_bias is not None:
            u = u + recurrent_bias
        u_z, u_r, u_h = ops.split(u, 3, axis=-1)
        z = recurrent_activation(x_z + u_z)
        r = recurrent_activation(x_r + u_r)
        candidate = activation(x_h + r * u_h)
    else:
        norm_zr, norm_h = _split_norm(recurrent_norm, 2 * units)
        # One split, not two slices: the gradient of a slice is a kernel-sized tensor of
        # zeros around it, per step (timings: docs/benchmarks.md, "What we tried").
        kernel_zr, kernel_h = ops.split(recurrent_kernel, [2 * units], axis=-1)
        u_zr = layer_norm(ops.matmul(h_in, kernel_zr), norm_zr)
        u_z, u_r = ops.split(u_zr, 2, axis=-1)
        z = recurrent_activation(x_z + u_z)
        r = recurrent_activation(x_r + u_r)
        u_h = layer_norm(ops.matmul(r * h_in, kernel_h), norm_h)
        candidate = activation(x_h + u_h)
    h = z * h_prev + (1.0 - z) * candidate
    return GRUGates(z, r, candidate, h)


def _split_norm(norm: Norm | None, at: int):
    if norm is None:
        return None, None
    gamma_a, gamma_b = ops.split(norm.gamma, [at])
    beta_a, beta_b = ops.split(norm.beta, [at])
    return Norm(gamma_a, beta_a, norm.epsilon), Norm(gamma_b, beta_b, norm.epsilon)
