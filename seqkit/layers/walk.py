"""Finding the layers of a model: every nested layer, and the recurrent ones.

Keras 3.15 has no public recursive walk (``model.layers`` lists the top level only; a
``Bidirectional``'s two halves and the layers of a nested model are not in it), so the
export, its metadata, the LiteRT conversion, the gate traces and the study's counts all
walk a model through :func:`nested_layers` and :func:`rnn_layers` here.
"""

from __future__ import annotations


def nested_layers(model) -> list:
    """Every layer inside ``model`` (nested ones too, e.g. a ``Bidirectional``'s halves).

    Args:
        model: a ``keras.Model`` (or any layer holding layers).

    Returns:
        The layers, ``model`` itself excluded, depth first in model order.

    Example:

    >>> import keras
    >>> model = keras.Sequential([keras.Input((None, 2)),
    ...                           keras.layers.Bidirectional(keras.layers.GRU(3))])
    >>> [type(layer).__name__ for layer in nested_layers(model)]
    ['InputLayer', 'Bidirectional', 'GRU', 'GRUCell', 'GRU', 'GRUCell']
    """
    return list(model._flatten_layers(include_self=False))


def rnn_layers(model, *, hosts: bool = False, nested: bool = True) -> list:
    """The recurrent layers of a model, in model order, a ``Bidirectional``'s two included.

    Args:
        model: a ``keras.Model``.
        hosts: return ``(host, layer)`` pairs instead, ``host`` being the entry of
            ``model.layers`` that holds the layer (the layer itself, its
            ``Bidirectional``, or a nested model).
        nested: also the layers inside nested models and other wrappers; ``False``: only
            the entries of ``model.layers`` and their ``Bidirectional`` halves (those the
            model's functional graph can feed, as :func:`seqkit.trace_gates` does).

    Returns:
        ``keras.layers.RNN`` instances (seqkit's ``ExplicitLSTM``/``ExplicitGRU`` too), a
        ``Bidirectional``'s forward then backward layer; or the ``(host, layer)`` pairs.

    Example:

    >>> import keras
    >>> inp = keras.Input((None, 2))
    >>> x = keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True))(inp)
    >>> model = keras.Model(inp, keras.layers.GRU(2)(x))
    >>> [type(layer).__name__ for layer in rnn_layers(model)]
    ['LSTM', 'LSTM', 'GRU']
    >>> [type(host).__name__ for host, _ in rnn_layers(model, hosts=True)]
    ['Bidirectional', 'Bidirectional', 'GRU']
    >>> outer = keras.Model(inp, model(inp))  # the model nested in another one
    >>> len(rnn_layers(outer)), rnn_layers(outer, nested=False)
    (3, [])
    """
    import keras

    found, seen = [], set()
    for host in model._flatten_layers(include_self=False, recursive=False):
        for layer in host._flatten_layers(include_self=True) if nested else [host]:
            inner = ([layer.forward_layer, layer.backward_layer]
                     if isinstance(layer, keras.layers.Bidirectional) else [layer])
            for rnn in inner:
                if isinstance(rnn, keras.layers.RNN) and id(rnn) not in seen:
                    seen.add(id(rnn))
                    found.append((host, rnn))
    return found if hosts else [rnn for _, rnn in found]
