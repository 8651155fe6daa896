"""JSON-able descriptions of fit arguments, for ``FitResult.config``.

Example:

>>> import numpy as np
>>> from seqkit.fit.describe import describe_cell, describe_source
>>> describe_cell("GRU")
'gru'
>>> describe_source(np.zeros((10, 4)))
{'type': 'ndarray', 'shape': [10, 4]}
"""

from __future__ import annotations

import keras

from seqkit.fileio import jsonable
from seqkit.layers import VARIANTS, make_rnn


def describe_cell(cell) -> str | dict:
    """A JSON-able description of ``cell``; raises :class:`ConfigError` if it is unusable.

    Names and layer classes are checked without building a layer: a layer (with a seed
    generator) is TensorFlow work, and ``strategy="multiworker"`` must create its strategy
    before any (the fit functions check their options first).

    Args:
        cell: a :data:`seqkit.layers.VARIANTS` name (any case, ``-`` or ``_``), a Keras
            layer class, or a layer instance used as a template.

    Returns:
        The normalised name, ``"module.Class"`` for a class, or ``{"class", "config"}``
        for an instance.

    Raises:
        seqkit.errors.ConfigError: an unknown name or something that is not a layer.

    Example:

    >>> describe_cell("layernorm-lstm")
    'layernorm_lstm'
    >>> describe_cell("transformer")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: ...'transformer'...
    """
    if isinstance(cell, str):
        key = cell.strip().lower().replace("-", "_")
        if key not in VARIANTS:
            make_rnn(cell, 1)  # raises the ConfigError listing the allowed names
        return key
    if isinstance(cell, type) and issubclass(cell, keras.layers.Layer):
        return f"{cell.__module__}.{cell.__qualname__}"
    make_rnn(cell, 1)  # validates: anything but a layer instance is refused
    cls = type(cell)
    return {"class": f"{cls.__module__}.{cls.__qualname__}",
            "config": jsonable(cell.get_config())}


def describe_source(source) -> str | dict:
    """A short JSON-able description of a data argument (names and paths kept verbatim).

    Args:
        source: a dataset name, a path, an array or any sized collection.

    Returns:
        ``str(source)`` for names and paths, else ``{"type", "shape"}`` or ``{"type", "len"}``.

    Example:

    >>> describe_source(["good", "bad", "ugly"])
    {'type': 'list', 'len': 3}
    """
    if isinstance(source, str) or hasattr(source, "__fspath__"):
        return str(source)
    shape = getattr(source, "shape", None)
    if shape is not None:
        return {"type": type(source).__name__, "shape": [int(s) for s in shape]}
    try:
        return {"type": type(source).__name__, "len": len(source)}
    except TypeError:
        return {"type": type(source).__name__}


def callback_names(callbacks) -> list[str]:
    """The class names of ``callbacks`` (the callbacks themselves are not JSON-able).

    Args:
        callbacks: Keras callbacks, or None.

    Returns:
        One class name per callback.

    Example:

    >>> callback_names([keras.callbacks.TerminateOnNaN()])
    ['TerminateOnNaN']
    """
    return [type(cb).__name__ for cb in (callbacks or [])]
