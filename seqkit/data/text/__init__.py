"""Text classification data: conversion, validation, loading, splitting, vectorizing.

Everything here works on plain NumPy object arrays of Python ``str`` (texts) and ``int32``
arrays (class ids, whose names are the labels as the user gave them), and on ``tf.data``
for feeding Keras. One concern per module:

- :mod:`~seqkit.data.text.convert`: :func:`to_text_array`, :func:`check_text_labels`,
  :func:`check_texts`
- :mod:`~seqkit.data.text.convert`: :func:`to_label_array` (labels to ids; the class names
  are the labels as given, of their type), :func:`class_ids`
- :mod:`~seqkit.data.text.load`: :func:`load_text` from TSV/CSV/JSONL files and folders
  or tensorflow-datasets sources (with the offline check), split into
  :class:`LabelledSplits` / :class:`TextSplits` (stratified, seeded subsample)
- :mod:`~seqkit.data.text.vectorizer`: :func:`make_vectorizer`, :func:`text_dataset`
- :mod:`~seqkit.data.text.embeddings`: :func:`load_word_vectors` (GloVe / word2vec text
  files as an embedding matrix), :class:`WordVectors`

Example:

>>> from seqkit.data.text import load_text, to_text_array
>>> to_text_array(["a film"]).dtype
dtype('O')
"""

from seqkit.data.text.convert import (
    check_text_labels,
    check_texts,
    class_ids,
    to_label_array,
    to_text_array,
)
from seqkit.data.text.embeddings import WordVectors, load_word_vectors
from seqkit.data.text.load import LabelledSplits, TextSplits, load_text
from seqkit.data.text.vectorizer import make_vectorizer, text_dataset

__all__ = [
    "LabelledSplits",
    "TextSplits",
    "WordVectors",
    "check_text_labels",
    "class_ids",
    "check_texts",
    "load_text",
    "load_word_vectors",
    "make_vectorizer",
    "text_dataset",
    "to_label_array",
    "to_text_array",
]
