"""seqkit.data: data pipelines for recurrent sequence models (NumPy / tf.data).

- text: ``to_text_array``, ``to_label_array``, ``check_text_labels``, ``check_texts``,
  ``TextSplits``, ``load_text``, ``make_vectorizer``, ``text_dataset``
- time series: ``SeriesData``, ``load_series``, ``list_builtin_series``, ``check_series``,
  ``OriginSplit``, ``origin_split``, ``rolling_origins``, ``windows_at`` (the forecaster's
  split by origins and backtest origins), ``CALENDAR_FEATURES``, ``calendar_features``,
  ``future_index``; many series:
  ``SeriesCollection``, ``load_series_collection``, ``list_builtin_collections``
- sequences: ``CheckedSequences``, ``check_sequences``, ``pad_sequences_post``,
  ``apply_layout``, ``SequenceSplits``, ``load_sequence_dataset`` (``"digits"``,
  ``"ucr:<Name>"``, ``.ts`` files), ``list_sequence_datasets``, ``has_test_split``
- splits: ``stratified_holdout`` (the validation/test rule of every classification split)

Labels become ``int32`` class ids whose names are the labels as the user gave them, of
their type (``"1"`` and ``"2"`` are two string classes, ``{3, 7, 11}`` three integer ones):
see :mod:`seqkit.data.text.convert`.

TensorFlow, Keras, tensorflow-datasets, scikit-learn, pandas and statsmodels are imported
inside the functions that need them, so importing this package is cheap.

Every name is also importable from its subpackage (``seqkit.data.text``,
``seqkit.data.timeseries``, ``seqkit.data.sequences``).

Example:

>>> import numpy as np
>>> from seqkit.data import check_series, origin_split, to_text_array
>>> to_text_array(np.array(["a film"])).dtype  # Keras' fit refuses the <U6 input
dtype('O')
>>> check_series(np.array([1.0, np.nan, 3.0]), "interpolate")[:, 0].tolist()
[1.0, 2.0, 3.0]
>>> origin_split(50, window=4, val_size=10, test_size=10).val
slice(30, 40, None)
>>> from seqkit.data import to_label_array
>>> to_label_array(["1", "2", "2"])[1]
['1', '2']
"""

from seqkit.data.sequences import (
    CheckedSequences,
    SequenceSplits,
    apply_layout,
    check_sequences,
    has_test_split,
    list_sequence_datasets,
    load_sequence_dataset,
    pad_sequences_post,
)
from seqkit.data.splits import stratified_holdout
from seqkit.data.text import (
    TextSplits,
    check_text_labels,
    check_texts,
    load_text,
    make_vectorizer,
    text_dataset,
    to_label_array,
    to_text_array,
)
from seqkit.data.timeseries import (
    CALENDAR_FEATURES,
    OriginSplit,
    SeriesCollection,
    SeriesData,
    calendar_features,
    check_series,
    future_index,
    list_builtin_collections,
    list_builtin_series,
    load_series,
    load_series_collection,
    origin_split,
    rolling_origins,
    windows_at,
)

__all__ = [
    "CALENDAR_FEATURES",
    "CheckedSequences",
    "OriginSplit",
    "SequenceSplits",
    "SeriesCollection",
    "SeriesData",
    "TextSplits",
    "apply_layout",
    "calendar_features",
    "check_sequences",
    "check_series",
    "check_text_labels",
    "check_texts",
    "future_index",
    "has_test_split",
    "list_builtin_collections",
    "list_builtin_series",
    "list_sequence_datasets",
    "load_sequence_dataset",
    "load_series",
    "load_series_collection",
    "load_text",
    "make_vectorizer",
    "origin_split",
    "pad_sequences_post",
    "rolling_origins",
    "stratified_holdout",
    "text_dataset",
    "to_label_array",
    "to_text_array",
    "windows_at",
]
