"""``load_text``: any labelled text source to stratified, seeded train/val/test splits.

The steps, each a function here: check the options; read the source into raw texts and
labels (:func:`_read_source`: a path, a tfds name, a DataFrame or in-memory texts); convert
and validate them; split (:func:`_split_all` carves val and test from everything,
:func:`_split_with_source_test` keeps the source's own test split).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from seqkit.data._checks import check_split_fractions
from seqkit.data.text.convert import (
    EMPTY_POLICIES,
    check_text_labels,
    check_texts,
    to_text_array,
)
from seqkit.data.text.labels import _labels_to_list, to_label_array
from seqkit.data.text.readers import (
    DEFAULT_ENCODING,
    _frame_columns,
    _read_directory,
    _read_table,
    check_encoding,
)
from seqkit.data.text.splits import TextSplits, _stratified_split, _subsample
from seqkit.data.text.tfds import _load_tfds, _tfds_builder_cls
from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_choice


def _read_path(source, path: Path, labels, data_dir, text_column, label_column,
               max_examples, encoding):
    """An existing file or folder, or a tfds name:
    ``(texts, labels, test part or None, class names or None, description)``."""
    if path.exists():
        if labels is not None:
            raise ConfigError("labels= is only for in-memory texts, not for a path source")
        if path.is_dir():
            texts, raw_labels, names, desc = _read_directory(path, text_column, label_column,
                                                             encoding)
            return texts, raw_labels, None, names, desc
        texts, raw_labels = _read_table(path, text_column, label_column, encoding)
        return texts, raw_labels, None, None, f"file {path}"
    if isinstance(source, str) and _tfds_builder_cls(source) is not None:
        if labels is not None:
            raise ConfigError("labels= is only for in-memory texts, not for a tfds name")
        (texts, raw_labels), test_part, names, desc = _load_tfds(
            source, data_dir, text_column, label_column, max_examples
        )
        return texts, raw_labels, test_part, names, desc
    raise DataError(
        f"source {str(source)!r} is neither an existing file/folder nor a registered "
        "tensorflow-datasets name (e.g. 'imdb_reviews', 'ag_news_subset', "
        "'yelp_polarity_reviews')"
    )


def _read_source(source, labels, data_dir, text_column, label_column, max_examples,
                 encoding):
    """Raw ``(texts, labels, test part or None, class names or None, description)``."""
    if isinstance(source, (str, os.PathLike)):
        return _read_path(source, Path(source).expanduser(), labels, data_dir, text_column,
                          label_column, max_examples, encoding)
    if type(source).__module__.startswith("pandas") and getattr(source, "ndim", 1) == 2:
        if labels is not None:
            raise ConfigError("labels= is not used with a DataFrame; name label_column= instead")
        texts, raw_labels = _frame_columns(
            source, "DataFrame", text_column or "text", label_column or "label"
        )
        return texts, raw_labels, None, None, f"DataFrame ({len(source)} rows)"
    if labels is None:
        raise ConfigError(
            f"in-memory texts ({type(source).__name__}) need labels=; or pass a DataFrame, "
            "a file path or a tensorflow-datasets name"
        )
    return source, labels, None, None, f"in-memory {type(source).__name__}"


def _split_all(texts, y, val_fraction, test_fraction, seed, max_examples):
    """Subsample, then carve test and val (fractions of the whole set) stratified."""
    texts, y = _subsample(texts, y, max_examples, seed)
    rest, test = _stratified_split(texts, y, test_fraction, seed, "test")
    frac = val_fraction / (1.0 - test_fraction) if val_fraction else 0.0
    train, val = _stratified_split(rest[0], rest[1], frac, seed, "val")
    desc = f"stratified split val={val_fraction}, test={test_fraction}, seed={seed}"
    return train, val, test, desc


def _split_with_source_test(texts, y, test_part, class_names, val_fraction, seed,
                            empty_policy):
    """Keep the source's test split (checked like train); carve val from train."""
    t_test = to_text_array(test_part[0])
    check_text_labels(t_test, test_part[1])
    y_test, _ = to_label_array(test_part[1], classes=class_names, min_classes=1)
    t_test, y_test = check_texts(t_test, y_test, empty_policy=empty_policy)
    test = (t_test, y_test.astype(np.int32))
    train, val = _stratified_split(texts, y, val_fraction, seed, "val")
    desc = f"source train/test splits, val={val_fraction} of train (stratified, seed={seed})"
    return train, val, test, desc


def load_text(
    source,
    *,
    labels=None,
    data_dir=None,
    text_column=None,
    label_column=None,
    val_fraction: float = 0.1,
    test_fraction: float = 0.1,
    seed: int = 0,
    empty_policy: str = "error",
    max_examples: int | None = None,
    classes=None,
    encoding: str = DEFAULT_ENCODING,
) -> TextSplits:
    """Load a labelled text set and split it into train/val/test (stratified, seeded).

    ``source`` may be:

    - a tensorflow-datasets name (``"imdb_reviews"``, ``"ag_news_subset"``,
      ``"yelp_polarity_reviews"``, ...): a ``str`` that is not an existing path and is a
      registered tfds name. Loaded with ``tfds.builder(name, data_dir=data_dir)``; when the
      data is not prepared in ``data_dir`` it is downloaded (``download_and_prepare``), after a
      single connection check, so an offline machine gets one
      :class:`DatasetUnavailableError` naming the dataset, the ``data_dir`` and how to prepare
      it. The text and label features are the builder's ``Text`` and ``ClassLabel`` features
      (``supervised_keys`` decide when there are several; ``text_column``/``label_column``
      override). The classes are the ``ClassLabel``'s names in its order, or its integers
      ``0..K-1`` when it has no names (:func:`seqkit.data.text.tfds.tfds_class_names`).
      The source's own ``train``/``test`` splits are used (``test_fraction`` is then
      ignored); ``val`` is carved from ``train``.
      ``max_examples`` reads the first N of each source split (``"train[:N]"``).
    - a local file: ``.tsv``/``.txt`` (``text<TAB>label`` lines, no header, quoting off,
      split on the last tab; with ``text_column``/``label_column`` given, a header row names
      the columns), ``.csv`` (header; columns ``text_column``/``label_column``, default
      ``"text"``/``"label"``), ``.jsonl`` (one JSON object per line, same keys).
    - a directory: class sub-folders of ``.txt`` files (the layout
      ``keras.utils.text_dataset_from_directory`` reads; read with it, the classes are the
      folder names, sorted), or, without sub-folders, a folder of ``.tsv``/``.txt`` files of
      ``text<TAB>label`` lines, concatenated in file-name order (``readme.txt`` is skipped).
    - in memory: texts (list, NumPy array, pandas Series) with ``labels=``, or a pandas
      DataFrame with ``text_column``/``label_column`` columns (default ``"text"``/``"label"``).

    Labels keep their type (:mod:`seqkit.data.text.labels`): a file's labels are strings
    (``"0"``/``"1"`` in a TSV are the classes ``"0"`` and ``"1"``), JSONL labels keep JSON's
    types, in-memory labels keep theirs (integers, booleans, a pandas ``Categorical``'s
    categories).

    Args:
        source: where the data is, one of the forms above.
        labels: the labels of in-memory texts (only then).
        data_dir: the tensorflow-datasets data directory (tfds sources).
        text_column: the text column (CSV, TSV with header, JSONL, DataFrame) or tfds feature.
        label_column: the label column or tfds feature.
        val_fraction: fraction of all examples (of ``train`` for a tfds source) in [0, 1).
        test_fraction: fraction of all examples in [0, 1) (ignored for a tfds source).
            Splits follow :mod:`seqkit.data.splits`: scikit-learn's stratified
            ``train_test_split(random_state=seed)`` when it keeps every class on both
            sides, else a seeded per-class draw; at least one example of every class in
            each part when possible. The same seed gives the same split.
        seed: the split (and subsample) seed.
        empty_policy: what to do with empty/whitespace-only texts, see :func:`check_texts`.
        max_examples: cap on examples (local/in-memory: a stratified seeded subsample taken
            before splitting; tfds: first N of each source split). None reads everything.
        classes: the class names in id order, of the labels' type; fixes the order and
            may hold classes the data lacks (a label not among them is a DataError naming
            it). None: the sorted unique labels (folder names, ClassLabel names, a
            Categorical's categories).
        encoding: the text encoding of local files (default ``"utf-8"``); a byte sequence
            it cannot decode is a DataError naming the file, the line and the encoding.

    Returns:
        :class:`TextSplits`: ``(texts, int32 ids)`` per split, the class names (typed, id
        order) and a ``source`` line naming the data and the split.

    Raises:
        DataError: malformed data (see :func:`to_text_array`, :func:`to_label_array`,
            :func:`check_texts`), a missing file, unknown columns.
        DatasetUnavailableError: a tfds dataset that is not prepared and cannot be downloaded.
        ConfigError: bad fractions, policy or encoding.

    Example:

    >>> splits = load_text(["good", "bad", "fine", "awful"] * 5, labels=["pos", "neg"] * 10,
    ...                    val_fraction=0.2, test_fraction=0.2, seed=0)
    >>> splits.sizes(), splits.class_names
    ({'train': 12, 'val': 4, 'test': 4}, ['neg', 'pos'])
    >>> splits.train[0].dtype, splits.train[1].dtype
    (dtype('O'), dtype('int32'))
    >>> load_text(["a", "b"] * 10, labels=[2, 1] * 10).class_names  # integers stay integers
    [1, 2]
    """
    val_fraction, test_fraction = check_split_fractions(val_fraction, test_fraction)
    check_choice("empty_policy", empty_policy, EMPTY_POLICIES)
    check_encoding(encoding)

    texts, raw_labels, test_part, names_hint, desc = _read_source(
        source, labels, data_dir, text_column, label_column, max_examples, encoding
    )
    texts = to_text_array(texts)
    check_text_labels(texts, _labels_to_list(raw_labels))
    y, class_names = to_label_array(
        raw_labels, classes=classes if classes is not None else names_hint)
    texts, y = check_texts(texts, y, empty_policy=empty_policy)
    if test_part is None:
        train, val, test, split_desc = _split_all(
            texts, y, val_fraction, test_fraction, seed, max_examples
        )
    else:
        train, val, test, split_desc = _split_with_source_test(
            texts, y, test_part, class_names, val_fraction, seed, empty_policy
        )
    return TextSplits(
        train=train, val=val, test=test, class_names=class_names,
        source=f"{desc}; {split_desc}",
    )
