"""Whether seqkit's written-out gradients (``ops.custom_gradient``) are traced.

Layer normalization carries a hand-written gradient (:func:`seqkit.layers.equations.
layer_norm`). A graph that is never differentiated does not need it, and TensorFlow Lite's
converter cannot keep one: a converted model whose graph holds a ``tf.custom_gradient``
comes out without its signatures (measured with TF 2.21: ``get_signature_list()`` is
empty), so the LiteRT export traces its function inside :func:`without_written_gradients`.

Example:

>>> written_gradients_enabled()
True
>>> with without_written_gradients():
...     written_gradients_enabled()
False
"""

from __future__ import annotations

import contextlib
import contextvars

_WRITTEN_GRADIENTS = contextvars.ContextVar("seqkit_written_gradients", default=True)


def written_gradients_enabled() -> bool:
    """Whether layer norms trace their written-out gradient (the default).

    Returns:
        False inside :func:`without_written_gradients`, else True.

    Example:

    >>> written_gradients_enabled()
    True
    """
    return _WRITTEN_GRADIENTS.get()


@contextlib.contextmanager
def without_written_gradients():
    """Trace the plain forward ops only (same values; autodiff would still work).

    Returns:
        A context manager.

    Example:

    >>> with without_written_gradients():
    ...     written_gradients_enabled()
    False
    """
    token = _WRITTEN_GRADIENTS.set(False)
    try:
        yield
    finally:
        _WRITTEN_GRADIENTS.reset(token)
