"""The signature's output names: a task's names, names the user gives, or Keras' own.

``name_outputs="auto"`` (the default) gives each task its names:

- classification: ``probabilities float32 [B, C]``, ``class_ids int64 [B]`` (argmax) and,
  when class names are known, ``class_names string [B]``; a one-unit sigmoid output becomes
  ``probabilities [B, 2]`` = ``[1-p, p]``;
- forecasting: ``forecast float32 [B, horizon, targets]``;
- anything else: ``output`` (one output) or the Keras output names (several).

Anything but ``"auto"`` exports the raw model outputs under other names: a string (one
output), a list (one name per output, in order), a dict ``{keras name: signature name}``,
or ``False`` (Keras' ``output_0``, ...).
"""

from __future__ import annotations

import re

from seqkit.errors import ConfigError
from seqkit.serving.signature import symbolic_outputs
from seqkit.validation import fail

CLASSIFICATION_TASKS = ("text_classification", "sequence_classification", "classification")
TASKS = (*CLASSIFICATION_TASKS, "forecasting", "generic")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class OutputNaming:
    """Turns the model's outputs into the signature's named outputs.

    The checks (output count and shape against the task, the number of class names, the
    names themselves) run when it is created, before anything is traced.

    Args:
        model: the ``keras.Model`` being exported.
        task: one of :data:`TASKS`.
        class_names: class names in output order, or ``None``.
        name_outputs: ``"auto"``, a name, a list or dict of names, or ``False`` (see the
            module docstring).

    Raises:
        ConfigError: names that are not identifiers or not unique, too many or too few
            names, class names that do not match the classes, a classifier without one
            ``[B, classes]`` output.

    Example:

    >>> import keras, numpy as np
    >>> inp = keras.Input((None, 3), name="sequence")
    >>> probs = keras.layers.Dense(2, activation="softmax")(keras.layers.GRU(4)(inp))
    >>> model = keras.Model(inp, probs)
    >>> naming = OutputNaming(model, "classification", ["neg", "pos"])
    >>> naming.expected()
    ['probabilities', 'class_ids', 'class_names']
    >>> out = naming.postprocess(model(np.zeros((3, 5, 3), "float32")))
    >>> {k: tuple(v.shape) for k, v in out.items()}
    {'probabilities': (3, 2), 'class_ids': (3,), 'class_names': (3,)}
    >>> OutputNaming(model, "generic", None, ["score"]).expected()
    ['score']
    """

    def __init__(self, model, task: str, class_names, name_outputs="auto"):
        self.task = task
        self.class_names = class_names
        self.mode = name_outputs
        outputs = symbolic_outputs(model)
        self.n_outputs = len(outputs) if outputs else None
        self.keras_names = list(getattr(model, "output_names", None) or [])
        if name_outputs == "auto":
            self._check_task_outputs(outputs)
            self.names = None
        elif name_outputs is False or name_outputs is None:
            self.names = None
        else:
            self.names = self._given_names(name_outputs)

    def _check_task_outputs(self, outputs):
        if self.task not in CLASSIFICATION_TASKS or outputs is None:
            return
        if len(outputs) != 1 or len(outputs[0].shape) != 2:
            raise ConfigError(
                f"task {self.task!r} needs one output of shape [B, classes]; the model "
                f"has {[tuple(o.shape) for o in outputs]}; pass task='generic'")
        if self.class_names is not None:
            n = outputs[0].shape[-1]
            n = 2 if n == 1 else n
            if len(self.class_names) != n:
                raise ConfigError(f"{len(self.class_names)} class_names for {n} classes")

    def _given_names(self, name_outputs) -> list[str]:
        if isinstance(name_outputs, str):
            check_output_names([name_outputs])
            if self.n_outputs not in (None, 1):
                raise ConfigError(f"name_outputs={name_outputs!r} names one output, the model "
                                  f"has {self.n_outputs}; pass a list or dict")
            return [name_outputs]
        if isinstance(name_outputs, dict):
            check_output_names(list(name_outputs.values()))
            missing = set(name_outputs) - set(self.keras_names)
            if missing:
                raise ConfigError(f"name_outputs keys {sorted(missing)} are not model outputs "
                                  f"{self.keras_names}")
            return [name_outputs.get(k, k) for k in self.keras_names]
        if isinstance(name_outputs, (list, tuple)):
            check_output_names(list(name_outputs))
            if self.n_outputs is not None and len(name_outputs) != self.n_outputs:
                raise ConfigError(f"{len(name_outputs)} names for {self.n_outputs} outputs")
            return list(name_outputs)
        fail("name_outputs", "'auto', a name, a list or dict of names, or False", name_outputs)

    def expected(self) -> list[str] | None:
        """The output names the signature must have, when they are known before tracing.

        Returns:
            The names, or ``None`` (several outputs of a generic model, or ``False``).

        Example:

        >>> import keras
        >>> inp = keras.Input((None, 2), name="window")
        >>> model = keras.Model(inp, keras.layers.GRU(3)(inp))
        >>> OutputNaming(model, "forecasting", None).expected()
        ['forecast']
        """
        if self.mode == "auto":
            if self.task in CLASSIFICATION_TASKS:
                return ["probabilities", "class_ids"] + (
                    ["class_names"] if self.class_names else [])
            if self.task == "forecasting":
                return ["forecast"]
            return ["output"] if self.n_outputs in (None, 1) else None
        return self.names

    def postprocess(self, y):
        """The model's output(s) ``y`` as the signature's ``{name: tensor}`` dict.

        Args:
            y: what the model returned (a tensor, a list/tuple or a dict of tensors).

        Returns:
            ``{name: tensor}`` (``y`` unchanged with ``name_outputs=False``).

        Example:

        >>> import keras, numpy as np
        >>> inp = keras.Input((None, 2), name="window")
        >>> model = keras.Model(inp, keras.layers.GRU(3)(inp))
        >>> out = OutputNaming(model, "generic", None).postprocess(np.zeros((2, 3), "float32"))
        >>> list(out)
        ['output']
        """
        flat = list(y.values()) if isinstance(y, dict) else (
            list(y) if isinstance(y, (list, tuple)) else [y])
        if self.mode is False or self.mode is None:
            return y
        if self.mode != "auto":
            return dict(zip(self.names, flat, strict=True))
        if self.task in CLASSIFICATION_TASKS:
            return self._classification(flat[0])
        if self.task == "forecasting":
            return {"forecast": _as_float32(flat[0])}
        if len(flat) == 1:
            return {"output": flat[0]}
        if isinstance(y, dict):
            return dict(y)
        names = self.keras_names if len(self.keras_names) == len(flat) else [
            f"output_{i}" for i in range(len(flat))]
        return dict(zip(names, flat, strict=True))

    def _classification(self, probs):
        import tensorflow as tf

        probs = tf.cast(probs, tf.float32)
        if probs.shape[-1] == 1:
            probs = tf.concat([1.0 - probs, probs], axis=-1)
        ids = tf.argmax(probs, axis=-1, output_type=tf.int64)
        out = {"probabilities": probs, "class_ids": ids}
        if self.class_names:
            out["class_names"] = tf.gather(tf.constant(self.class_names), ids)
        return out


def _as_float32(value):
    import tensorflow as tf

    value = tf.convert_to_tensor(value)
    if value.dtype.is_floating and value.dtype != tf.float32:
        value = tf.cast(value, tf.float32)
    return value


def check_output_names(names):
    """Refuse output names that are not identifiers, or not unique.

    Args:
        names: the names given.

    Raises:
        ConfigError: a name does not match ``[A-Za-z_][A-Za-z0-9_]*``, or one repeats.

    Example:

    >>> check_output_names(["risk", "risk"])
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: output names must be unique, got ['risk', 'risk']
    """
    for name in names:
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ConfigError(f"output name {name!r} must match [A-Za-z_][A-Za-z0-9_]*")
    if len(set(names)) != len(names):
        raise ConfigError(f"output names must be unique, got {names}")
