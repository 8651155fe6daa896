"""Choosing the next token from a language model's distribution: temperature, top-k and
top-p (nucleus) filtering, then a seeded draw.

:func:`next_distribution` is the distribution a draw is made from: ``p ** (1 / T)``
renormalised (temperature T; T = 0 is the most probable token), then only the ``k`` most
probable tokens (top-k), then only the smallest set of most probable tokens whose mass
reaches ``p`` (top-p, Holtzman et al. 2020), renormalised after each cut. Ties are broken
by token index, so the result is deterministic.

Example:

>>> import numpy as np
>>> next_distribution([0.5, 0.3, 0.2], top_k=2).round(3).tolist()
[0.625, 0.375, 0.0]
>>> next_distribution([0.5, 0.3, 0.2], temperature=0).tolist()
[1.0, 0.0, 0.0]
"""

from __future__ import annotations

import numpy as np

from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_int, check_number


def check_sampling(temperature=1.0, top_k=None, top_p=None) -> tuple:
    """The sampling options, checked.

    Args:
        temperature: a number >= 0.
        top_k: None or an integer >= 1.
        top_p: None or a number in (0, 1].

    Returns:
        ``(temperature, top_k, top_p)``.

    Raises:
        ConfigError: a value out of its range (named).

    Example:

    >>> check_sampling(0.8, 5, 0.9)
    (0.8, 5, 0.9)
    """
    temperature = float(check_number("temperature", temperature))
    if temperature < 0:
        raise ConfigError(f"temperature must be a number >= 0, got {temperature!r}")
    if top_k is not None:
        top_k = check_int("top_k", top_k)
    if top_p is not None:
        top_p = float(check_number("top_p", top_p))
        if not 0.0 < top_p <= 1.0:
            raise ConfigError(f"top_p must be in (0, 1], got {top_p!r}")
    return temperature, top_k, top_p


def next_distribution(probs, *, temperature: float = 1.0, top_k: int | None = None,
                      top_p: float | None = None) -> np.ndarray:
    """The distribution the next token is drawn from (module docstring).

    Args:
        probs: the model's probabilities ``[V]`` (non-negative, some positive).
        temperature: T >= 0.
        top_k: keep the k most probable tokens.
        top_p: keep the smallest most-probable set of mass >= p.

    Returns:
        float64 ``[V]`` summing to 1.

    Raises:
        DataError: probabilities that are negative, NaN or all zero.
        ConfigError: bad options.
    """
    temperature, top_k, top_p = check_sampling(temperature, top_k, top_p)
    p = np.asarray(probs, dtype="float64")
    if p.ndim != 1 or not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
        raise DataError("probs must be [V] finite, non-negative numbers with a positive sum")
    order = np.lexsort((np.arange(len(p)), -p))  # most probable first, ties by index
    if temperature == 0:
        out = np.zeros_like(p)
        out[order[0]] = 1.0
        return out
    with np.errstate(divide="ignore"):
        logits = np.where(p > 0, np.log(p) / temperature, -np.inf)
    p = np.exp(logits - logits.max())
    p /= p.sum()
    if top_k is not None and top_k < len(p):
        p[order[top_k:]] = 0.0
        p /= p.sum()
    if top_p is not None:
        cumulative = np.cumsum(p[order])
        keep = int(np.searchsorted(cumulative, top_p - 1e-12)) + 1  # mass first >= p
        p[order[keep:]] = 0.0
        p /= p.sum()
    return p


def sample_next(probs, rng: np.random.Generator, **options) -> int:
    """One token drawn from :func:`next_distribution` with ``rng``.

    Args:
        probs: the model's probabilities ``[V]``.
        rng: a NumPy generator (seeded: the same seed, the same tokens).
        **options: ``temperature``, ``top_k``, ``top_p``.

    Returns:
        The token's index.

    Example:

    >>> sample_next([0.1, 0.9], np.random.default_rng(0), temperature=0)
    1
    """
    p = next_distribution(probs, **options)
    return int(rng.choice(len(p), p=p))
