"""The signature's output names: a task's names, names the user gives, or Keras' own.

``name_outputs="auto"`` (the default) gives each kind of output its names; a registered
task (:mod:`seqkit.tasks`) declares its kind (``FitTask.outputs``), a plain Keras model is
exported as ``task="classification"``, ``"generic"`` or a registered task's name:

- classification: ``probabilities float32 [B, C]``, ``class_ids int64 [B]`` (argmax) and,
  when class names are known, ``class_names string [B]``; a one-unit sigmoid output becomes
  ``probabilities [B, 2]`` = ``[1-p, p]``;
- forecasting: ``forecast float32 [B, horizon, targets]``; a quantile forecaster (two
  outputs named ``forecast`` and ``quantiles``: the keys of a dict of outputs, else the
  output layers' names) exports both, ``forecast float32 [B, horizon, T]`` (its median)
  and ``quantiles float32 [B, horizon, Q, T]``; its levels are
  :func:`quantile_levels` (they go into the export's metadata, not the signature: TF
  Serving's row format needs every output to have the batch axis);
- anything else: ``output`` (one output) or the Keras output names (several).

Anything but ``"auto"`` exports the raw model outputs under other names: a string (one
output), a list (one name per output, in order), a dict ``{keras name: signature name}``,
or ``False`` (Keras' ``output_0``, ...).
"""

from __future__ import annotations

import re

from seqkit import tasks
from seqkit.errors import ConfigError
from seqkit.serving.signature import symbolic_outputs
from seqkit.validation import check_choice, fail

#: the kinds of outputs a signature names (a task's ``outputs``)
OUTPUT_KINDS = ("classification", "forecast", "generic")
QUANTILE_OUTPUTS = ("forecast", "quantiles")
_QUANTILE_LAYER = "seqkit>NonCrossingQuantiles"  # seqkit.forecasting.quantiles, by registered name
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def output_kind(task: str) -> str:
    """The kind of outputs ``task`` exports: a registered task's own
    (``FitTask.outputs``), or ``"classification"`` / ``"generic"`` for a plain model.

    Args:
        task: a name from :func:`seqkit.tasks.names`, ``"classification"`` or
            ``"generic"``.

    Returns:
        One of :data:`OUTPUT_KINDS`.

    Raises:
        ConfigError: any other value (the message lists the choices).

    Example:

    >>> output_kind("forecasting"), output_kind("text_classification"), output_kind("generic")
    ('forecast', 'classification', 'generic')
    """
    if tasks.is_task(task):
        return tasks.task_class(task).outputs
    return check_choice("task", task, (*tasks.names(), "classification", "generic"))


class OutputNaming:
    """Turns the model's outputs into the signature's named outputs.

    The checks (output count and shape against the task, the number of class names, the
    names themselves) run when it is created, before anything is traced.

    Args:
        model: the ``keras.Model`` being exported.
        task: a registered task's name, ``"classification"`` or ``"generic"`` (see
            :func:`output_kind`).
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
        self.kind = output_kind(task)
        self.class_names = class_names
        self.mode = name_outputs
        outputs = symbolic_outputs(model)
        self.n_outputs = len(outputs) if outputs else None
        self.keras_names = list(getattr(model, "output_names", None) or [])
        self.quantile_keys = None  # the two outputs' keys of a quantile forecaster
        self.quantile_levels = None
        if name_outputs == "auto":
            self._check_task_outputs(outputs)
            if self.kind == "forecast":
                self._check_forecast_outputs(model, outputs)
            self.names = None
        elif name_outputs is False or name_outputs is None:
            self.names = None
        else:
            self.names = self._given_names(name_outputs)

    def _check_task_outputs(self, outputs):
        if self.kind != "classification" or outputs is None:
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

    def _check_forecast_outputs(self, model, outputs):
        """One output (as before), or the two outputs ``forecast`` and ``quantiles``."""
        if outputs is None or len(outputs) == 1:
            return
        names = output_structure_names(model)
        shapes = [tuple(o.shape) for o in outputs]
        if sorted(names) != sorted(QUANTILE_OUTPUTS):
            raise ConfigError(
                f"task {self.task!r} exports one output (forecast [B, horizon, targets]) or "
                f"two named 'forecast' [B, horizon, T] and 'quantiles' [B, horizon, Q, T]; "
                f"the model has outputs {names} with shapes {shapes}; name them so, or pass "
                f"task='generic'")
        by_name = dict(zip(names, shapes, strict=True))
        forecast, quantiles = by_name["forecast"], by_name["quantiles"]
        if (len(forecast) != 3 or len(quantiles) != 4
                or not _same_dims(forecast[1:], quantiles[1:2] + quantiles[3:])):
            raise ConfigError(
                f"a quantile forecaster's outputs must be forecast [B, horizon, T] and "
                f"quantiles [B, horizon, Q, T] (same horizon and T), got forecast "
                f"{forecast} and quantiles {quantiles}")
        levels = quantile_levels(model)
        if levels is not None and quantiles[2] not in (None, len(levels)):
            raise ConfigError(f"the quantiles output has {quantiles[2]} levels, the model's "
                              f"NonCrossingQuantiles layer {len(levels)} ({levels})")
        self.quantile_keys = names
        self.quantile_levels = levels

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
            if self.kind == "classification":
                return ["probabilities", "class_ids"] + (
                    ["class_names"] if self.class_names else [])
            if self.kind == "forecast":
                return list(QUANTILE_OUTPUTS) if self.quantile_keys else ["forecast"]
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
        if self.kind == "classification":
            return self._classification(flat[0])
        if self.kind == "forecast":
            if not self.quantile_keys:
                return {"forecast": _as_float32(flat[0])}
            values = y if isinstance(y, dict) else dict(zip(self.quantile_keys, flat,
                                                            strict=True))
            return {key: _as_float32(values[key]) for key in QUANTILE_OUTPUTS}
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


def output_structure_names(model) -> list[str]:
    """The names of a functional model's outputs, in ``model.outputs`` order.

    The keys of a dict of outputs (``keras.Model(inp, {"forecast": f, ...})``; Keras'
    ``output_names`` gives the producing layers' names there instead), else
    ``model.output_names``.

    Args:
        model: a functional ``keras.Model``.

    Returns:
        One name per output.

    Example:

    >>> import keras
    >>> inp = keras.Input((4, 3, 1), name="raw")
    >>> model = keras.Model(inp, {"quantiles": inp, "forecast": inp[:, :, 1, :]})
    >>> "forecast" in model.output_names, output_structure_names(model)
    (False, ['forecast', 'quantiles'])
    """
    structure = model.output
    if isinstance(structure, dict):
        by_id = {id(tensor): key for key, tensor in structure.items()}
        if all(id(tensor) in by_id for tensor in model.outputs):
            return [by_id[id(tensor)] for tensor in model.outputs]
    return list(model.output_names)


def quantile_levels(model) -> list[float] | None:
    """The levels of the model's ``NonCrossingQuantiles`` layer (seqkit.forecasting.quantiles).

    Args:
        model: a ``keras.Model``.

    Returns:
        The levels in order, or ``None`` when the model has no such layer, or several
        with different levels (found by the layer's registered name, so serving does not
        import the training code).

    Example:

    >>> import keras
    >>> from seqkit.forecasting.quantiles import NonCrossingQuantiles
    >>> inp = keras.Input((4, 3, 1))
    >>> quantile_levels(keras.Model(inp, NonCrossingQuantiles([0.1, 0.9])(inp)))
    [0.1, 0.5, 0.9]
    >>> quantile_levels(keras.Model(inp, inp)) is None
    True
    """
    import keras

    from seqkit.layers.walk import nested_layers

    found = {tuple(layer.quantiles) for layer in nested_layers(model)
             if keras.saving.get_registered_name(type(layer)) == _QUANTILE_LAYER}
    return [float(q) for q in found.pop()] if len(found) == 1 else None


def _same_dims(a, b) -> bool:
    return all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


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
