"""Test-split metrics of the classifiers, by their textbook definitions (the forecast
metrics are in :mod:`seqkit.forecasting.metrics`).

Example:

>>> import numpy as np
>>> from seqkit.classification.metrics import classification_metrics
>>> m = classification_metrics([0, 1, 1], np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]))
>>> m["accuracy"], m["per_class_recall"], m["confusion_matrix"]
(0.6666666666666666, [1.0, 0.5], [[1, 0], [1, 1]])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from seqkit.errors import DataError


def classification_metrics(y_true, probs, class_names: Sequence[str] | None = None) -> dict:
    """Accuracy, macro-F1 and the confusion matrix (rows = true class) of ``argmax(probs)``.

    ``y_true``: integer ids ``[N]``; ``probs``: ``[N, K]``. Every class ``0..K-1`` counts
    in macro-F1 (a class never predicted scores 0) and has a row/column in the matrix.

    Args:
        y_true: the true class ids ``[N]``.
        probs: class probabilities ``[N, K]``.
        class_names: the names of ids ``0..K-1`` (any type), or None.

    Returns:
        ``{"accuracy", "macro_f1", "per_class_recall", "confusion_matrix", "n"}``
        (``per_class_recall[k]``: the share of class ``k``'s test examples predicted as
        ``k``, 0 for a class with none) and, with names,
        ``"class_names"``: the names as strings (``str(name)``: ``1`` -> ``"1"``,
        ``True`` -> ``"True"``), so the metrics stay one flat JSON record of one type;
        ``FitResult.class_names`` keeps the typed names.

    Example:

    >>> classification_metrics([0, 1], np.array([[0.9, 0.1], [0.3, 0.7]]), [3, 7])
    {'accuracy': 1.0, 'macro_f1': 1.0, 'per_class_recall': [1.0, 1.0], \
'confusion_matrix': [[1, 0], [0, 1]], 'n': 2, 'class_names': ['3', '7']}
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, recall_score

    y_true = np.asarray(y_true).reshape(-1).astype("int64")
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[0] != y_true.shape[0]:
        raise DataError(f"probs must be [N, K] with N={y_true.shape[0]}, got {probs.shape}")
    k = probs.shape[1] if class_names is None else len(class_names)
    labels = list(range(k))
    y_pred = probs.argmax(axis=1)
    out = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro",
                                   zero_division=0)),
        "per_class_recall": [float(r) for r in recall_score(
            y_true, y_pred, labels=labels, average=None, zero_division=0)],
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "n": int(y_true.shape[0]),
    }
    if class_names is not None:
        out["class_names"] = [str(c) for c in class_names]
    return out


def majority_baseline(train_labels, test_labels) -> float:
    """Test accuracy of always answering the most frequent training class."""
    train = np.asarray(train_labels, dtype="int64").reshape(-1)
    test = np.asarray(test_labels, dtype="int64").reshape(-1)
    if test.size == 0:
        return float("nan")
    return float(np.mean(test == np.bincount(train).argmax()))
