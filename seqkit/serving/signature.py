"""What the ``serving_default`` signature is made of, read from a Keras model.

:func:`input_specs` gives the signature's inputs (``{name: {"dtype", "shape"}}`` with a
dynamic batch axis), :func:`serving_function` the function traced behind it (the model
called on those inputs, then :class:`~seqkit.serving.signature.OutputNaming`), and
:func:`vocabulary_sample` the words used for synthetic text inputs. Keras is imported
inside the functions only.

The signature's output names: a task's names, names the user gives, or Keras' own.

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
- regression: ``prediction float32 [B]``; a quantile regressor (two outputs named
  ``prediction`` and ``quantiles``) exports both, ``quantiles float32 [B, Q]`` (its levels
  in the metadata, as a forecaster's);
- anomaly: ``anomaly_score float32 [B]`` (one output) and ``is_anomaly bool [B]``, the
  score above the threshold the model's ``anomaly_score`` layer carries
  (``seqkit.anomaly.model.AnomalyScore``);
- anything else: ``output`` (one output) or the Keras output names (several).

Anything but ``"auto"`` exports the raw model outputs under other names: a string (one
output), a list (one name per output, in order), a dict ``{keras name: signature name}``,
or ``False`` (Keras' ``output_0``, ...).

Example inputs for a serving signature, from its input specs (NumPy only).

An input spec is ``{"dtype": "float32" | "string" | "int64" | ..., "shape": [None, None, 4]}``
(``None`` = dynamic), as written in ``assets.extra/seqkit_export.json`` and as read from a
loaded signature. Synthetic batches follow these rules:

- axis 0 is the batch (a fixed batch size in the spec wins over the one asked for);
- a dynamic axis 1 is the sequence length (time steps, or words for a string input);
  other dynamic axes get size 1;
- ``string`` inputs of shape ``[B]`` (or ``[B, 1]``) hold texts of ``seq_len`` words drawn
  from ``words`` (the model's vocabulary when known);
- floating inputs are standard normal, integer inputs uniform in ``[1, 10)``, booleans random.

Example:

>>> specs = {"window": {"dtype": "float32", "shape": [None, None, 2]}}
>>> synthetic_batch(specs, batch=4, seq_len=6)["window"].shape
(4, 6, 2)
"""

from __future__ import annotations

import contextlib
import re

import numpy as np

from seqkit import tasks
from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_choice, fail

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
        naming: an :class:`~seqkit.serving.signature.OutputNaming`.

    Returns:
        A callable ``feeds -> {output name: tensor}``.

    Example:

    >>> import keras, numpy as np
    >>> from seqkit.serving.signature import OutputNaming
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


#: the kinds of outputs a signature names (a task's ``outputs``)
OUTPUT_KINDS = ("classification", "forecast", "regression", "anomaly", "generic")
QUANTILE_OUTPUTS = ("forecast", "quantiles")
#: a regressor's outputs: ``prediction [B]`` and, with quantiles, ``quantiles [B, Q]``
REGRESSION_OUTPUTS = ("prediction", "quantiles")
#: the layer of an anomaly detector whose output is ``anomaly_score`` and which carries the
#: threshold (``seqkit.anomaly.model.AnomalyScore``)
ANOMALY_LAYER = "anomaly_score"
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
            if self.kind == "regression":
                self._check_regression_outputs(model, outputs)
            if self.kind == "anomaly":
                self._check_anomaly_outputs(model, outputs)
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

    def _check_regression_outputs(self, model, outputs):
        """One output ``prediction [B]``, or ``prediction [B]`` and ``quantiles [B, Q]``."""
        if outputs is None:
            return
        names = output_structure_names(model) if len(outputs) > 1 else ["prediction"]
        shapes = [tuple(o.shape) for o in outputs]
        ranks = sorted(len(shape) for shape in shapes)
        if sorted(names) != sorted(REGRESSION_OUTPUTS[:len(outputs)]) or ranks != [1, 2][
                :len(outputs)]:
            raise ConfigError(
                f"task {self.task!r} exports prediction [B] (and quantiles [B, Q]); the "
                f"model has outputs {names} with shapes {shapes}; pass task='generic'")
        if len(outputs) == 2:
            self.quantile_keys = names
            self.quantile_levels = quantile_levels(model)

    def _check_anomaly_outputs(self, model, outputs):
        """One output ``anomaly_score [B]`` from a layer that carries the threshold."""
        layer = next((lay for lay in getattr(model, "layers", []) if lay.name == ANOMALY_LAYER),
                     None)
        threshold = getattr(layer, "threshold", None)
        if outputs is not None and (len(outputs) != 1 or len(outputs[0].shape) != 1
                                    or threshold is None):
            raise ConfigError(
                f"task {self.task!r} exports anomaly_score [B] with the threshold of its "
                f"layer {ANOMALY_LAYER!r}; the model has outputs "
                f"{[tuple(o.shape) for o in outputs]} and threshold {threshold!r}; pass "
                "task='generic'")
        self.threshold = threshold

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
            if self.kind == "regression":
                return list(REGRESSION_OUTPUTS) if self.quantile_keys else ["prediction"]
            if self.kind == "anomaly":
                return ["anomaly_score", "is_anomaly"]
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
        if self.kind == "regression":
            if not self.quantile_keys:
                return {"prediction": _as_float32(flat[0])}
            values = y if isinstance(y, dict) else dict(zip(self.quantile_keys, flat,
                                                            strict=True))
            return {key: _as_float32(values[key]) for key in REGRESSION_OUTPUTS}
        if self.kind == "anomaly":
            score = _as_float32(flat[0])
            return {"anomaly_score": score, "is_anomaly": score > self.threshold}
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


DEFAULT_WORDS = (
    "the movie was good and the plot made sense but the ending felt slow while the cast "
    "did a great job with a weak script this film is one of the best of the year"
).split()
SAMPLE_SEQ_LEN = 7  # length of the sample compared before/after reload, where it is free


def fixed_time(spec: dict) -> int | None:
    """The fixed length of axis 1 of a sequence input, or None (dynamic or no such axis).

    Args:
        spec: one input spec.

    Returns:
        ``shape[1]`` of a non-string input of rank ≥ 2 (``None`` when dynamic), else ``None``.

    Example:

    >>> fixed_time({"dtype": "float32", "shape": [None, 24, 1]})
    24
    >>> fixed_time({"dtype": "string", "shape": [None]}) is None
    True
    """
    shape = spec["shape"]
    if spec["dtype"] == "string" or len(shape) < 2:
        return None
    return shape[1]


def effective_seq_len(specs: dict, seq_len: int) -> int:
    """``seq_len``, unless every sequence input has a fixed time axis (then that).

    Args:
        specs: the signature's input specs.
        seq_len: the length asked for.

    Returns:
        The length the model really gets.

    Example:

    >>> effective_seq_len({"window": {"dtype": "float32", "shape": [None, 5, 2]}}, 64)
    5
    """
    fixed = [fixed_time(s) for s in specs.values()]
    fixed = [t for t in fixed if t is not None]
    return fixed[0] if fixed else seq_len


def sample_seq_len(specs: dict) -> int:
    """The length of the reload sample: :data:`SAMPLE_SEQ_LEN`, or the model's fixed one.

    Args:
        specs: the signature's input specs.

    Returns:
        ``effective_seq_len(specs, SAMPLE_SEQ_LEN)``.

    Example:

    >>> sample_seq_len({"window": {"dtype": "float32", "shape": [None, None, 2]}})
    7
    """
    return effective_seq_len(specs, SAMPLE_SEQ_LEN)


def is_text(specs: dict) -> bool:
    """Whether any input takes strings.

    Args:
        specs: the signature's input specs.

    Returns:
        ``True`` for a text model.

    Example:

    >>> is_text({"text": {"dtype": "string", "shape": [None]}})
    True
    """
    return any(s["dtype"] == "string" for s in specs.values())


def synthetic_input(spec: dict, batch: int, seq_len: int, rng, words=None) -> np.ndarray:
    """One synthetic input array for ``spec`` (rules in the module docstring).

    Args:
        spec: the input spec.
        batch: rows (unless the spec fixes axis 0).
        seq_len: steps of a dynamic axis 1, or words per text.
        rng: a ``numpy.random.Generator``.
        words: the vocabulary for texts (default :data:`DEFAULT_WORDS`).

    Returns:
        An array of the spec's dtype (``object`` array of ``bytes`` for strings).

    Raises:
        DataError: a scalar spec, or a dtype it cannot fill.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> synthetic_input({"dtype": "string", "shape": [None]}, 2, 3, rng, words=["ab"])
    array([b'ab ab ab', b'ab ab ab'], dtype=object)
    """
    shape = list(spec["shape"])
    dtype = spec["dtype"]
    if not shape:
        raise DataError(f"cannot synthesize a batch for a scalar input spec {spec}")
    dims = []
    for axis, dim in enumerate(shape):
        if axis == 0:
            dims.append(batch if dim is None else dim)
        elif dim is None:
            dims.append(seq_len if axis == 1 and dtype != "string" else 1)
        else:
            dims.append(dim)
    if dtype == "string":
        vocab = list(words) if words else DEFAULT_WORDS
        n = int(np.prod(dims))
        picks = rng.integers(0, len(vocab), size=(n, max(1, seq_len)))
        texts = [" ".join(vocab[i] for i in row) for row in picks]
        return np.array([t.encode() for t in texts], dtype=object).reshape(dims)
    np_dtype = np.dtype(dtype)
    if np.issubdtype(np_dtype, np.floating):
        return rng.standard_normal(dims).astype(np_dtype)
    if np.issubdtype(np_dtype, np.integer):
        return rng.integers(1, 10, size=dims).astype(np_dtype)
    if np_dtype == np.bool_:
        return rng.random(dims) < 0.5
    raise DataError(f"cannot synthesize inputs of dtype {dtype!r} (spec {spec})")


def synthetic_batch(specs: dict, batch: int, seq_len: int, seed: int = 0,
                    words=None) -> dict[str, np.ndarray]:
    """One batch ``{input name: array}`` for all inputs of a signature.

    Args:
        specs: the signature's input specs.
        batch: rows.
        seq_len: steps, or words per text.
        seed: the random seed (the same seed gives the same batch).
        words: the vocabulary for texts.

    Returns:
        ``{input name: array}``.

    Example:

    >>> specs = {"text": {"dtype": "string", "shape": [None]}}
    >>> [len(t.split()) for t in synthetic_batch(specs, 2, seq_len=4)["text"]]
    [4, 4]
    """
    rng = np.random.default_rng(seed)
    return {name: synthetic_input(spec, batch, seq_len, rng, words)
            for name, spec in specs.items()}


def as_input_array(value, spec: dict, name: str) -> np.ndarray:
    """User-supplied example rows for one input as an array matching ``spec``.

    Strings become an object array of ``bytes``; numbers are cast to the spec's dtype. The
    rank and every fixed axis (except the batch) must match; non-finite floats are refused
    (``keras.layers.Masking`` does not mask NaN: one NaN makes the output NaN).

    Args:
        value: the rows (array-like; one string is one row).
        spec: the input spec.
        name: the input's name (for messages).

    Returns:
        The rows as an array.

    Raises:
        DataError: another rank or fixed size, wrong dtype, NaN/infinity, no rows.

    Example:

    >>> as_input_array([[[1], [2]]], {"dtype": "float32", "shape": [None, None, 1]}, "window")
    array([[[1.],
            [2.]]], dtype=float32)
    >>> as_input_array(np.zeros((2, 3)), {"dtype": "float32", "shape": [None, None, 1]}, "window")
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: input 'window' needs rank 3 (shape [B, ?, 1]), got an array \
of shape (2, 3)
    """
    arr = _string_rows(value, name) if spec["dtype"] == "string" else _number_rows(
        value, spec["dtype"], name)
    shape = spec["shape"]
    if arr.ndim != len(shape):
        raise DataError(
            f"input {name!r} needs rank {len(shape)} (shape {_fmt(shape)}), got an array "
            f"of shape {arr.shape}")
    for axis, (got, want) in enumerate(zip(arr.shape, shape, strict=True)):
        if axis and want is not None and got != want:
            raise DataError(
                f"input {name!r} needs shape {_fmt(shape)}, got {arr.shape} (axis {axis})")
    if arr.shape[0] == 0:
        raise DataError(f"input {name!r}: no example rows given")
    return arr


def _string_rows(value, name) -> np.ndarray:
    if isinstance(value, (str, bytes)):
        value = [value]
    arr = np.asarray(value, dtype=object)
    flat = [v.encode() if isinstance(v, str) else v for v in arr.ravel()]
    if not all(isinstance(v, bytes) for v in flat):
        raise DataError(f"input {name!r} takes strings, got {arr.ravel()[:3]!r}...")
    return np.array(flat, dtype=object).reshape(arr.shape)


def _number_rows(value, dtype, name) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.dtype(dtype))
    except (TypeError, ValueError) as err:
        raise DataError(f"input {name!r} takes {dtype} values: {err}") from err
    if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        raise DataError(f"input {name!r} holds NaN or infinite values; impute them first")
    return arr


def example_arrays(examples, specs: dict) -> dict[str, np.ndarray] | None:
    """User example rows for every input of a signature (``export(warmup_examples=...)``).

    Args:
        examples: ``None``, rows for the only input (array-like), or
            ``{input name: rows}`` with exactly the signature's inputs.
        specs: the signature's input specs.

    Returns:
        ``{input name: array}`` (see :func:`as_input_array`), or ``None``.

    Raises:
        DataError: other input names, rows that do not fit, different row counts.

    Example:

    >>> specs = {"text": {"dtype": "string", "shape": [None]}}
    >>> example_arrays(["a great film", "dull"], specs)
    {'text': array([b'a great film', b'dull'], dtype=object)}
    """
    if examples is None:
        return None
    if isinstance(examples, dict):
        unknown = set(examples) - set(specs)
        missing = set(specs) - set(examples)
        if unknown or missing:
            raise DataError(f"warmup_examples keys {sorted(examples)} must be the "
                            f"signature inputs {sorted(specs)}")
        arrays = {n: as_input_array(examples[n], specs[n], n) for n in specs}
    else:
        if len(specs) != 1:
            raise DataError(f"the model has inputs {sorted(specs)}; give warmup_examples "
                            f"as a dict {{name: rows}}")
        name = next(iter(specs))
        arrays = {name: as_input_array(examples, specs[name], name)}
    counts = {len(a) for a in arrays.values()}
    if len(counts) != 1:
        raise DataError(f"warmup_examples inputs have different row counts {sorted(counts)}")
    return arrays


def rows(arrays: dict[str, np.ndarray], batch: int, start: int = 0) -> dict[str, np.ndarray]:
    """A batch of ``batch`` rows cycled from ``arrays`` (all with the same row count).

    Args:
        arrays: ``{input name: rows}``.
        batch: rows wanted.
        start: the first row (cycling from there).

    Returns:
        ``{input name: array of batch rows}``.

    Example:

    >>> rows({"x": np.arange(3)}, 5, start=1)
    {'x': array([1, 2, 0, 1, 2])}
    """
    n = len(next(iter(arrays.values())))
    idx = [(start + i) % n for i in range(batch)]
    return {name: arr[idx] for name, arr in arrays.items()}


def _fmt(shape) -> str:
    return "[" + ", ".join("B" if i == 0 and d is None else ("?" if d is None else str(d))
                           for i, d in enumerate(shape)) + "]"
