"""What the ``serving_default`` signature is made of, read from a Keras model.

:func:`input_specs` gives the signature's inputs (``{name: {"dtype", "shape"}}`` with a
dynamic batch axis), :func:`serving_function` the function traced behind it (the model
called on those inputs, then :class:`~seqkit.serving.naming.OutputNaming`), and
:func:`vocabulary_sample` the words used for synthetic text inputs. Keras is imported
inside the functions only.
"""

from __future__ import annotations

import contextlib
import re

from seqkit.errors import ConfigError
from seqkit.validation import fail

SIGNATURE_NAME = "serving_default"
_INPUT_NAME_RE = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/]*$")


def symbolic_outputs(model):
    """The functional outputs (``KerasTensor``\\ s), or ``None`` for a subclassed model.

    Args:
        model: a ``keras.Model``.

    Returns:
        The list of output tensors, or ``None`` when the model has no symbolic outputs.

    Example:

    >>> import keras
    >>> inp = keras.Input((None, 2))
    >>> [tuple(o.shape) for o in symbolic_outputs(keras.Model(inp, keras.layers.GRU(3)(inp)))]
    [(None, 3)]
    """
    try:
        outputs = model.outputs
    except (AttributeError, ValueError):
        return None
    if not outputs:
        return None
    import keras

    return outputs if all(isinstance(o, keras.KerasTensor) for o in outputs) else None


def dtype_name(dtype) -> str:
    """A dtype's name as the specs write it (``"string"`` for text).

    Args:
        dtype: a TensorFlow, NumPy or Keras dtype, or its name.

    Returns:
        ``"float32"``, ``"int64"``, ``"string"``, ...

    Example:

    >>> dtype_name("float32"), dtype_name("str")
    ('float32', 'string')
    """
    name = getattr(dtype, "name", None) or str(dtype)
    return "string" if name in ("string", "str", "object") else name


def input_specs(model, input_signature=None) -> dict:
    """The signature's inputs: ``{name: {"dtype", "shape"}}`` with a dynamic batch axis.

    Args:
        model: a built ``keras.Model``.
        input_signature: ``{input name: tf.TensorSpec | keras.InputSpec}`` for models
            without symbolic inputs (subclassed models); default: the ``keras.Input``\\ s.

    Returns:
        One spec per input, in the model's input order (``None`` = dynamic).

    Raises:
        ConfigError: no symbolic inputs and no ``input_signature``, a bad name, a scalar.

    Example:

    >>> import keras
    >>> inp = keras.Input((None, 3), name="window")
    >>> input_specs(keras.Model(inp, keras.layers.GRU(2)(inp)))
    {'window': {'dtype': 'float32', 'shape': [None, None, 3]}}
    """
    specs = (_specs_from_signature(input_signature) if input_signature is not None
             else _specs_from_model(model))
    for name, spec in specs.items():
        if not _INPUT_NAME_RE.match(name):
            raise ConfigError(f"input name {name!r} is not a valid tensor name; name the "
                              f"keras.Input (e.g. 'text', 'window', 'sequence')")
        if not spec["shape"]:
            raise ConfigError(f"input {name!r} is a scalar; inputs need a batch axis")
    return specs


def _specs_from_signature(input_signature) -> dict:
    if not isinstance(input_signature, dict) or not input_signature:
        fail("input_signature", "a non-empty {name: TensorSpec} dict", input_signature)
    specs = {}
    for name, spec in input_signature.items():
        shape = getattr(spec, "shape", None)
        dtype = getattr(spec, "dtype", None)
        if shape is None or dtype is None:
            raise ConfigError(f"input_signature[{name!r}] has no shape/dtype: {spec!r}")
        shape = list(shape.as_list() if hasattr(shape, "as_list") else shape)
        specs[name] = {"dtype": dtype_name(dtype), "shape": [None, *shape[1:]]}
    return specs


def _specs_from_model(model) -> dict:
    inputs = None
    with contextlib.suppress(AttributeError, ValueError):
        inputs = model.inputs
    if not inputs:
        raise ConfigError(
            f"model {model.name!r} has no symbolic inputs (a subclassed model?); pass "
            f"input_signature={{'name': tf.TensorSpec([None, None, F], 'float32')}}")
    return {tensor.name: {"dtype": dtype_name(tensor.dtype),
                          "shape": [None, *list(tensor.shape)[1:]]} for tensor in inputs}


def serving_function(model, specs: dict, naming):
    """The function behind the signature: ``{input name: tensor}`` → named outputs.

    Args:
        model: the ``keras.Model`` (called with ``training=False``; one input is passed
            as a tensor, several as a list in ``specs`` order).
        specs: the signature's inputs (:func:`input_specs`).
        naming: an :class:`~seqkit.serving.naming.OutputNaming`.

    Returns:
        A callable ``feeds -> {output name: tensor}``.

    Example:

    >>> import keras, numpy as np
    >>> from seqkit.serving.naming import OutputNaming
    >>> inp = keras.Input((None, 3), name="window")
    >>> model = keras.Model(inp, keras.layers.Dense(1)(keras.layers.GRU(2)(inp)))
    >>> specs = input_specs(model)
    >>> serve = serving_function(model, specs, OutputNaming(model, "forecasting", None))
    >>> {k: tuple(v.shape) for k, v in serve({"window": np.zeros((4, 5, 3), "float32")}).items()}
    {'forecast': (4, 1)}
    """
    names = list(specs)

    def serve(feeds):
        x = feeds[names[0]] if len(names) == 1 else [feeds[n] for n in names]
        return naming.postprocess(model(x, training=False))

    return serve


def vocabulary_sample(model, limit: int = 200) -> list[str] | None:
    """Up to ``limit`` single words of the model's first adapted text vocabulary.

    Args:
        model: a ``keras.Model``.
        limit: how many words at most.

    Returns:
        Words of a ``TextVectorization`` / ``StringLookup`` vocabulary (no padding, no
        ``[UNK]``), or ``None`` when the model has none.

    Example:

    >>> import keras
    >>> vectorize = keras.layers.TextVectorization()
    >>> vectorize.adapt(["a good film", "a dull film"])
    >>> model = keras.Sequential([keras.Input((), dtype="string"), vectorize])
    >>> sorted(vocabulary_sample(model))
    ['a', 'dull', 'film', 'good']
    """
    import keras

    from seqkit.layers.walk import nested_layers

    for layer in nested_layers(model):
        if isinstance(layer, (keras.layers.TextVectorization, keras.layers.StringLookup)):
            try:
                vocab = layer.get_vocabulary()
            except Exception:  # noqa: BLE001 - an unadapted layer
                continue
            words = [w.decode() if isinstance(w, bytes) else str(w) for w in vocab]
            words = [w for w in words if w and w != "[UNK]" and " " not in w]
            if words:
                return words[:limit]
    return None
