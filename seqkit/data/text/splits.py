"""Train/val/test splits of labelled examples: the split containers, stratified splitting
(the rule of :mod:`seqkit.data.splits`) and the seeded subsample taken before splitting
(scikit-learn ``train_test_split``)."""

from __future__ import annotations

import dataclasses

import numpy as np

from seqkit.data.splits import stratified_holdout
from seqkit.validation import check_optional_int


@dataclasses.dataclass
class LabelledSplits:
    """Train/val/test ``(inputs, int32 class ids)`` tuples with the class names and where
    the data came from; the base of :class:`TextSplits` and
    :class:`seqkit.data.SequenceSplits`.

    Args:
        train: ``(inputs, ids)`` of the training split.
        val: ``(inputs, ids)`` of the validation split (may hold 0 examples).
        test: ``(inputs, ids)`` of the test split (may hold 0 examples).
        class_names: ``class_names[k]`` names class id ``k``; the labels as given, of their
            type (``str``, ``int`` or ``bool``).
        source: human-readable description of where the data came from.

    Example:

    >>> part = (np.zeros((2, 3)), np.array([0, 1], np.int32))
    >>> splits = LabelledSplits(part, part, part, ["neg", "pos"], "in-memory")
    >>> splits.num_classes, splits.sizes()
    (2, {'train': 2, 'val': 2, 'test': 2})
    """

    train: tuple[np.ndarray, np.ndarray]
    val: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    class_names: list
    source: str

    @property
    def num_classes(self) -> int:
        """Number of classes (``len(class_names)``)."""
        return len(self.class_names)

    def sizes(self) -> dict[str, int]:
        """Number of examples per split.

        Returns:
            ``{"train": .., "val": .., "test": ..}``.

        Example:

        >>> part = (np.array(["a"], dtype=object), np.array([0], np.int32))
        >>> LabelledSplits(part, part, part, ["x"], "").sizes()["train"]
        1
        """
        return {"train": len(self.train[0]), "val": len(self.val[0]), "test": len(self.test[0])}


@dataclasses.dataclass
class TextSplits(LabelledSplits):
    """Train/val/test texts and labels, as :func:`seqkit.data.load_text` returns them.

    Args:
        train: ``(texts, labels)``: ``np.ndarray[object]`` of ``str`` and
            ``np.ndarray[int32]`` class ids.
        val: the same for validation; may hold 0 examples when its fraction is 0.
        test: the same for test; may hold 0 examples when its fraction is 0.
        class_names: names of the class ids (``class_names[k]`` is id ``k``), typed as the
            labels were.
        source: human-readable description of where the data came from.

    Example:

    >>> texts = np.array(["good", "bad"], dtype=object)
    >>> part = (texts, np.array([1, 0], np.int32))
    >>> TextSplits(part, part, part, ["neg", "pos"], "in-memory").num_classes
    2
    """


def _stratified_split(texts, labels, fraction, seed, what):
    """Split off ``fraction`` of the examples by :func:`seqkit.data.splits.stratified_holdout`
    (stratified, seeded, at least one example per class on both sides when possible).
    Returns ``(rest, part)``."""
    keep, held = stratified_holdout(labels, fraction, seed, what=what)
    return ((texts[keep], labels[keep].astype(np.int32)),
            (texts[held], labels[held].astype(np.int32)))


def _subsample(texts, labels, max_examples, seed):
    """At most ``max_examples`` examples: stratified and seeded, else a seeded plain sample."""
    if max_examples is None or len(texts) <= max_examples:
        return texts, labels
    check_optional_int("max_examples", max_examples, minimum=2)
    from sklearn.model_selection import train_test_split

    try:
        t, _, y, _ = train_test_split(
            texts, labels, train_size=max_examples, random_state=seed, stratify=labels
        )
    except ValueError:  # too few per class to stratify: fall back to a seeded plain sample
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.choice(len(texts), size=max_examples, replace=False))
        t, y = texts[idx], labels[idx]
    return t, y.astype(np.int32)
