"""Independent NumPy re-implementation of the LSTM/GRU equations and their variants.

Written from the papers (Hochreiter & Schmidhuber 1997; Gers & Schmidhuber 2000; Cho et
al. 2014; Greff et al. 2017; Ba et al. 2016 / TF Addons LayerNormLSTMCell), in float64,
one time step at a time, sharing no code with seqkit. Masked steps keep the previous
state and repeat the previous output, as Keras does.
"""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def layer_norm(x, gamma, beta, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def lstm(x, kernel, recurrent_kernel, bias, *, peephole=None, cifg=False, nig=False,
         nfg=False, nog=False, niaf=False, noaf=False, forget_bias=0.0, norms=None,
         eps=1e-3, mask=None, h0=None, c0=None, go_backwards=False):
    """Returns (outputs [B,T,u] in processing order, h, c, gates dict of [B,T,u])."""
    x = np.asarray(x, np.float64)
    batch, steps, _ = x.shape
    u = recurrent_kernel.shape[0]
    h = np.zeros((batch, u)) if h0 is None else np.asarray(h0, np.float64)
    c = np.zeros((batch, u)) if c0 is None else np.asarray(c0, np.float64)
    outputs, trace = [], {k: [] for k in "ifgoch"}
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    for t in order:
        zx = x[:, t] @ kernel
        zh = h @ recurrent_kernel
        if norms is not None:
            zx = layer_norm(zx, *norms["input"], eps)
            zh = layer_norm(zh, *norms["recurrent"], eps)
        z = zx + zh + (0.0 if bias is None else bias)
        zi, zf, zg, zo = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
        if peephole is not None:
            zi = zi + peephole[0] * c
            zf = zf + peephole[1] * c
        i = np.ones_like(c) if nig else sigmoid(zi)
        if cifg:
            f = 1.0 - i
        elif nfg:
            f = np.ones_like(c)
        else:
            f = sigmoid(zf + forget_bias)
        g = zg if niaf else np.tanh(zg)
        c_new = f * c + i * g
        if norms is not None:
            c_new = layer_norm(c_new, *norms["cell"], eps)
        if peephole is not None:
            zo = zo + peephole[2] * c_new
        o = np.ones_like(c) if nog else sigmoid(zo)
        h_new = o * c_new if noaf else o * np.tanh(c_new)
        step_gates = {"i": i, "f": f, "g": g, "o": o, "c": c_new, "h": h_new}
        if mask is not None:
            m = np.asarray(mask)[:, t][:, None].astype(bool)
            h_new = np.where(m, h_new, h)
            c_new = np.where(m, c_new, c)
            step_gates = {k: np.where(m, v, 0.0) for k, v in step_gates.items()}
        h, c = h_new, c_new
        outputs.append(h)
        for k, v in step_gates.items():
            trace[k].append(v)
    gates = {k: np.stack(v, axis=1) for k, v in trace.items()}
    return np.stack(outputs, axis=1), h, c, gates


def gru(x, kernel, recurrent_kernel, bias, *, reset_after=True, norms=None, eps=1e-3,
        mask=None, h0=None, go_backwards=False):
    """Returns (outputs [B,T,u] in processing order, h, gates dict of [B,T,u])."""
    x = np.asarray(x, np.float64)
    batch, steps, _ = x.shape
    u = recurrent_kernel.shape[0]
    h = np.zeros((batch, u)) if h0 is None else np.asarray(h0, np.float64)
    if bias is None:
        b_in, b_rec = np.zeros(3 * u), np.zeros(3 * u)
    elif reset_after:
        b_in, b_rec = bias[0], bias[1]
    else:
        b_in, b_rec = bias, np.zeros(3 * u)
    outputs, trace = [], {k: [] for k in ("z", "r", "candidate", "h")}
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    for t in order:
        xp = x[:, t] @ kernel
        if norms is not None:
            xp = layer_norm(xp, *norms["input"], eps)
        xp = xp + b_in
        x_z, x_r, x_h = xp[:, :u], xp[:, u:2 * u], xp[:, 2 * u:]
        if reset_after:
            hp = h @ recurrent_kernel
            if norms is not None:
                hp = layer_norm(hp, *norms["recurrent"], eps)
            hp = hp + b_rec
            z = sigmoid(x_z + hp[:, :u])
            r = sigmoid(x_r + hp[:, u:2 * u])
            cand = np.tanh(x_h + r * hp[:, 2 * u:])
        else:
            hzr = h @ recurrent_kernel[:, :2 * u]
            if norms is not None:
                g, b = norms["recurrent"]
                hzr = layer_norm(hzr, g[:2 * u], b[:2 * u], eps)
            z = sigmoid(x_z + hzr[:, :u])
            r = sigmoid(x_r + hzr[:, u:])
            hh = (r * h) @ recurrent_kernel[:, 2 * u:]
            if norms is not None:
                g, b = norms["recurrent"]
                hh = layer_norm(hh, g[2 * u:], b[2 * u:], eps)
            cand = np.tanh(x_h + hh)
        h_new = z * h + (1.0 - z) * cand
        step_gates = {"z": z, "r": r, "candidate": cand, "h": h_new}
        if mask is not None:
            m = np.asarray(mask)[:, t][:, None].astype(bool)
            h_new = np.where(m, h_new, h)
            step_gates = {k: np.where(m, v, 0.0) for k, v in step_gates.items()}
        h = h_new
        outputs.append(h)
        for k, v in step_gates.items():
            trace[k].append(v)
    gates = {k: np.stack(v, axis=1) for k, v in trace.items()}
    return np.stack(outputs, axis=1), h, gates
