"""What the two classification tasks share: the loss, the test metrics, class counts and
class weights.

``class_weight="balanced"`` (or a ``{class name: weight}`` dict) weights each training
example by its class, as Keras' own ``class_weight`` does: the training dataset yields
``(x, y, sample_weight)`` batches, which Keras ``fit`` and seqkit's multi-worker custom
loop (:func:`seqkit.distribute.unpack_batch`) both read. The validation set stays
unweighted, so ``val_loss`` (early stopping's criterion) is the plain mean loss; the
training ``loss`` and ``accuracy`` in the history are weighted.

Example:

>>> import numpy as np
>>> from seqkit.classification.task import class_counts, class_weights
>>> class_counts(np.array([0, 1, 1]), ["neg", "pos"])
{'neg': 1, 'pos': 2}
>>> class_weights("balanced", ["neg", "pos"], [0, 1, 1, 1, 1]).tolist()  # 5 / (2 * count)
[2.5, 0.625]

The test metrics are :mod:`seqkit.classification.metrics`'.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np

from seqkit.classification.metrics import classification_metrics, majority_baseline
from seqkit.errors import ConfigError, DataError
from seqkit.fit.pipeline import FitTask


def class_counts(ids, class_names) -> dict:
    """How many examples of each class ``ids`` holds.

    Args:
        ids: integer class ids ``[N]``.
        class_names: the names in id order (any type).

    Returns:
        ``{name: count}`` with every class, zero counts included (``FitResult.data_info``
        holds it JSON-able: the names as string keys).

    Example:

    >>> class_counts([1, 1], [3, 7, 11])
    {3: 0, 7: 2, 11: 0}
    """
    counts = np.bincount(np.asarray(ids, dtype="int64"), minlength=len(class_names))
    return {class_names[i]: int(c) for i, c in enumerate(counts)}


def check_class_weight(class_weight):
    """``class_weight`` if it has one of the accepted forms (its keys are checked against
    the classes by :func:`class_weights`, once the data is read).

    Args:
        class_weight: None, ``"balanced"`` or a mapping ``{class name: weight}``.

    Returns:
        ``class_weight`` unchanged.

    Raises:
        ConfigError: anything else.

    Example:

    >>> check_class_weight("balanced")
    'balanced'
    >>> check_class_weight("auto")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: class_weight must be None, 'balanced' or a dict {class name: \
weight}, got 'auto'
    """
    if class_weight is None or class_weight == "balanced" or isinstance(class_weight, Mapping):
        return class_weight
    raise ConfigError("class_weight must be None, 'balanced' or a dict {class name: weight}, "
                      f"got {class_weight!r}")


def _class_key(value):
    """``(kind, plain value)`` of a class name, so ``1``, ``True`` and ``"1"`` differ and a
    NumPy scalar matches its Python value."""
    if isinstance(value, (bool, np.bool_)):
        return "bool", bool(value)
    if isinstance(value, (int, np.integer)):
        return "int", int(value)
    if isinstance(value, (str, np.str_)):
        return "str", str(value)
    return type(value).__name__, value


def _given_weights(class_weight: Mapping, class_names) -> np.ndarray:
    """The weights of a ``{class name: weight}`` dict in id order (every class named once,
    no other names, finite and >= 0)."""
    index = {_class_key(name): k for k, name in enumerate(class_names)}
    weights = np.full(len(class_names), np.nan)
    for key, value in class_weight.items():
        k = index.get(_class_key(key))
        if k is None:
            raise ConfigError(f"class_weight names {key!r}, which is not a class; the "
                              f"classes are {list(class_names)}")
        if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number))
                or not math.isfinite(value) or value < 0):
            raise ConfigError(f"class_weight[{key!r}] must be a finite number >= 0, "
                              f"got {value!r}")
        weights[k] = float(value)
    missing = [class_names[k] for k in np.flatnonzero(np.isnan(weights))]
    if missing:
        raise ConfigError(f"class_weight has no weight for class(es) {missing}; give every "
                          f"class of {list(class_names)} a weight (or use 'balanced')")
    return weights


def class_weights(class_weight, class_names, train_ids) -> np.ndarray | None:
    """The weight of each class, in id order, for ``class_weight``.

    ``"balanced"`` is scikit-learn's ``compute_class_weight("balanced")``:
    ``n_samples / (n_classes * count)`` over the classes the training split holds, so
    every present class carries the same total weight; a class the training split lacks
    (possible with ``classes=``) gets 0, as it weights no example.

    Args:
        class_weight: None, ``"balanced"`` or ``{class name: weight}`` naming every class
            once, keys of the classes' own type (``1`` is not ``"1"``), weights >= 0.
        class_names: the class names in id order.
        train_ids: the training split's class ids ``[N]``.

    Returns:
        ``float32 [num_classes]`` or None (no weighting).

    Raises:
        ConfigError: another form, a key that is not a class, a class without a weight, a
            negative or non-finite weight.

    Example:

    >>> class_weights({"pos": 1, "neg": 3}, ["neg", "pos"], [0, 1]).tolist()
    [3.0, 1.0]
    >>> class_weights({"neg": 1}, ["neg", "pos"], [0, 1])
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: class_weight has no weight for class(es) ['pos']; give every \
class of ['neg', 'pos'] a weight (or use 'balanced')
    """
    check_class_weight(class_weight)
    if class_weight is None:
        return None
    if isinstance(class_weight, Mapping):
        return _given_weights(class_weight, class_names).astype("float32")
    counts = np.bincount(np.asarray(train_ids, dtype="int64"), minlength=len(class_names))
    present = counts > 0
    weights = np.zeros(len(class_names))
    weights[present] = counts.sum() / (present.sum() * counts[present])
    return weights.astype("float32")


def with_sample_weights(dataset, weights: np.ndarray):
    """``dataset`` of ``(x, y)`` batches as ``(x, y, weights[y])`` batches.

    Args:
        dataset: a ``tf.data.Dataset`` of ``(x, integer class ids)`` elements.
        weights: the weight of each class, in id order.

    Returns:
        The mapped dataset (prefetching).

    Example:

    >>> import numpy as np, tensorflow as tf
    >>> ds = tf.data.Dataset.from_tensor_slices((np.zeros((3, 2)), [0, 1, 1])).batch(3)
    >>> _, _, w = next(iter(with_sample_weights(ds, np.array([2.0, 0.5]))))
    >>> w.numpy().tolist()
    [2.0, 0.5, 0.5]
    """
    import tensorflow as tf

    table = tf.constant(np.asarray(weights, dtype="float32"))
    return dataset.map(lambda x, y: (x, y, tf.gather(table, y)),
                       num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


#: A validation split smaller than this is folded into training: its loss is too noisy to
#: stop on (ArrowHead's 36 series leave 4; with them, early stopping picked epoch 10 of a
#: 125-epoch budget). Fawaz et al. 2019 likewise train small UCR sets without one and keep
#: the weights of the lowest training loss.
MIN_VALIDATION = 20


def _joined(a, b):
    """``a`` followed by ``b`` (arrays stay arrays, anything else becomes a list)."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return np.concatenate([a, b])
    return list(a) + list(b)


class ClassificationTask(FitTask):
    """Softmax classifiers trained with sparse categorical cross-entropy.

    Subclasses set ``class_names`` and ``train_x`` / ``train_y`` / ``val_x`` / ``val_y`` /
    ``test_x`` / ``test_y`` in ``load`` and then call :meth:`check_classes`, give
    :meth:`dataset`, and may override :meth:`model_inputs` (what ``model.predict`` takes for
    ``test_x``). A subclass with a ``class_weight`` field gets weighted training batches
    (module docstring); :meth:`class_weight_config` is its part of ``FitResult.config``.
    """

    loss = "sparse_categorical_crossentropy"
    metrics = ("accuracy",)
    class_weight = None
    weights: np.ndarray | None = None

    def check_classes(self) -> None:
        """Refuse fewer than two classes (a classifier would learn nothing), fold a
        validation split too small to judge by into training (:data:`MIN_VALIDATION`),
        and resolve ``class_weight`` against the classes and the training split."""
        if len(self.class_names) < 2:
            raise DataError(f"a classifier needs at least 2 classes, got {self.class_names}")
        n_val = len(self.val_x)
        if 0 < n_val < MIN_VALIDATION:
            self.train_x, self.train_y = (_joined(self.train_x, self.val_x),
                                          _joined(self.train_y, self.val_y))
            self.val_x, self.val_y = self.val_x[:0], self.val_y[:0]
            self.monitor = "loss"
            self.validation_note = (
                f"{n_val} held-out example(s) are too few to judge by (fewer than "
                f"{MIN_VALIDATION}): they train too; training runs the whole budget, the "
                "learning-rate schedule watches the training loss and the weights of its "
                "lowest epoch are kept")
        self.weights = class_weights(self.class_weight, self.class_names, self.train_y)

    def validation_info(self) -> dict:
        """``{"validation": note}`` when the validation split was folded into training."""
        note = getattr(self, "validation_note", None)
        return {"validation": note} if note else {}

    def class_weight_config(self) -> dict:
        """``class_weight`` as given (``"balanced"``, a dict keyed by ``str(name)``, None)
        and ``class_weights``: the weight used for each class, keyed by ``str(name)``."""
        given = self.class_weight
        if isinstance(given, Mapping):
            given = {str(k): float(v) for k, v in given.items()}
        used = (None if self.weights is None else
                {str(name): float(w) for name, w in zip(self.class_names, self.weights)})
        return {"class_weight": given, "class_weights": used}

    def model_inputs(self, x):
        """``x`` as the model takes it (default: unchanged)."""
        return x

    def dataset(self, x, y, batch_size: int, *, shuffle: bool, seed: int):
        """One batched ``tf.data`` dataset of ``(x, y)`` pairs."""
        raise NotImplementedError

    def datasets(self, batch_size: int, seed: int) -> tuple:
        """The shuffled training set (``(x, y, sample_weight)`` batches with class weights)
        and, when there is one, the validation set (unweighted)."""
        train = self.dataset(self.train_x, self.train_y, batch_size, shuffle=True, seed=seed)
        if self.weights is not None:
            train = with_sample_weights(train, self.weights)
        val = (self.dataset(self.val_x, self.val_y, batch_size, shuffle=False, seed=seed)
               if len(self.val_x) else None)
        return train, val

    @property
    def train_examples(self) -> int:
        return len(self.train_x)

    def evaluate(self, model, batch_size: int) -> dict:
        """Accuracy, macro-F1, the confusion matrix and the majority-class baseline on the
        test split; empty (with a warning) when ``test_fraction=0``."""
        if not len(self.test_x):
            warnings.warn("test_fraction=0: no test split, FitResult.metrics is empty",
                          stacklevel=4)
            return {}
        probs = model.predict(self.model_inputs(self.test_x), batch_size=max(batch_size, 256),
                              verbose=0)
        metrics = classification_metrics(np.asarray(self.test_y), probs, self.class_names)
        metrics["majority_baseline"] = majority_baseline(self.train_y, self.test_y)
        return self.with_baselines(metrics)

    def with_baselines(self, metrics: dict) -> dict:
        """``metrics`` with the field's baselines (``self.baselines``) fitted on the
        training and validation splits and scored on the test split
        (:mod:`seqkit.classification.baselines`)."""
        from seqkit.classification.baselines import compare_with_baselines, run_baselines

        names = tuple(getattr(self, "baselines", ()) or ())
        if not names:
            return metrics
        train = (_joined(self.model_inputs(self.train_x), self.model_inputs(self.val_x))
                 if len(self.val_x) else self.model_inputs(self.train_x),
                 np.concatenate([np.asarray(self.train_y), np.asarray(self.val_y)]))
        test = (self.model_inputs(self.test_x), np.asarray(self.test_y))
        found = run_baselines(names, (np.asarray(train[0]), train[1].astype("int64")),
                              (np.asarray(test[0]), test[1].astype("int64")),
                              self.class_names, seed=self.seed,
                              class_weight=self.class_weight)
        # wall seconds are not a metric (a seeded fit gives the same metrics twice)
        self.timing_extra = {"baseline_seconds": {
            name: b.pop("fit_seconds") for name, b in found.items() if "fit_seconds" in b}}
        return compare_with_baselines(metrics, found)

    # ------------------------------------------------ what a fitted classifier does

    outputs = "classification"

    @classmethod
    def summary_lines(cls, result) -> list[str]:
        """The test line: accuracy and macro-F1 beside the majority-class baseline.

        Args:
            result: the fitted :class:`~seqkit.fit.FitResult`.

        Returns:
            One line.
        """
        m = result.metrics
        lines = [f"test: accuracy {m['accuracy']:.4f}  macro-F1 {m['macro_f1']:.4f}  "
                 f"(n={m['n']}, majority-class baseline "
                 f"{m.get('majority_baseline', float('nan')):.4f})"]
        recall = m.get("per_class_recall")
        if recall:
            names = m.get("class_names") or [str(k) for k in range(len(recall))]
            worst = int(np.argmin(recall))
            lines.append("recall per class: " + ", ".join(
                f"{n} {r:.2f}" for n, r in zip(names, recall)) + f" (lowest: {names[worst]})")
        seconds = result.timing.get("fit_seconds")
        base_seconds = result.timing.get("baseline_seconds", {})
        for name, b in m.get("baselines", {}).items():
            if "skipped" in b:
                lines.append(f"baseline {name}: {b['skipped']}")
                continue
            verdict = "beaten" if m["beats"][name] else "NOT beaten"
            lines.append(f"baseline {name}: accuracy {b['accuracy']:.4f}  macro-F1 "
                         f"{b['macro_f1']:.4f}  ({verdict}; "
                         f"{base_seconds.get(name, float('nan')):.1f} s"
                         + (f" vs the network's {seconds:.1f} s)" if seconds else ")"))
        return lines

    @classmethod
    def score(cls, result, x, y, *, batch_size: int = 256, **inputs) -> dict:
        """Classification metrics of the result's model on new labelled data.

        Args:
            result: the fitted :class:`~seqkit.fit.FitResult`.
            x: raw inputs.
            y: their labels, of the kind the model was trained on (strings for string
                classes, integers for integer classes, ...; see
                :func:`seqkit.data.to_label_array`); a label not in ``class_names``, or
                of another type, is a :class:`DataError` that names it.
            batch_size: examples per prediction batch.
            **inputs: :meth:`prepare_inputs`' keywords (a sequence's ``layout``).

        Returns:
            :func:`seqkit.classification.task.classification_metrics` of the predictions.
        """
        from seqkit.data.text import to_label_array

        if result.class_names is None:
            raise ConfigError(f"evaluate needs the result's class_names, task={cls.name!r}")
        y_ids, _ = to_label_array(y, classes=result.class_names, min_classes=1)
        probs = result.predict(x, batch_size=batch_size, **inputs)
        if len(probs) != len(y_ids):
            raise DataError(f"got {len(probs)} inputs but {len(y_ids)} labels")
        return classification_metrics(y_ids, probs, result.class_names)
