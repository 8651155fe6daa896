"""What the two classification tasks share: the loss, the test metrics, class counts.

Example:

>>> import numpy as np
>>> from seqkit.fit.classification import class_counts
>>> class_counts(np.array([0, 1, 1]), ["neg", "pos"])
{'neg': 1, 'pos': 2}
"""

from __future__ import annotations

import warnings

import numpy as np

from seqkit.errors import DataError
from seqkit.fit.metrics import classification_metrics, majority_baseline
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


class ClassificationTask(FitTask):
    """Softmax classifiers trained with sparse categorical cross-entropy.

    Subclasses set ``class_names`` and ``train_x`` / ``train_y`` / ``val_x`` / ``val_y`` /
    ``test_x`` / ``test_y`` in ``load``, give :meth:`dataset`, and may override
    :meth:`model_inputs` (what ``model.predict`` takes for ``test_x``).
    """

    loss = "sparse_categorical_crossentropy"
    metrics = ("accuracy",)

    def check_classes(self) -> None:
        """Refuse fewer than two classes (a classifier would learn nothing)."""
        if len(self.class_names) < 2:
            raise DataError(f"a classifier needs at least 2 classes, got {self.class_names}")

    def model_inputs(self, x):
        """``x`` as the model takes it (default: unchanged)."""
        return x

    def dataset(self, x, y, batch_size: int, *, shuffle: bool, seed: int):
        """One batched ``tf.data`` dataset of ``(x, y)`` pairs."""
        raise NotImplementedError

    def datasets(self, batch_size: int, seed: int) -> tuple:
        """The shuffled training set and, when there is one, the validation set."""
        train = self.dataset(self.train_x, self.train_y, batch_size, shuffle=True, seed=seed)
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
        return metrics
