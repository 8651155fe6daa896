"""Pretrained word vectors from a local text file, as an embedding matrix for a vocabulary.

Two text formats are read (:func:`load_word_vectors`), told apart by the first line:

- **GloVe**: one ``word v1 v2 ... vD`` line per word; ``D`` is the first line's count.
- **word2vec text** (``-binary 0``, gensim's ``save_word2vec_format(binary=False)``): a first
  line ``N D`` (two integers: the number of vectors and their dimension), then lines as
  in GloVe.

A word is one whitespace-free token; values are separated by whitespace. The first vector
of a word that appears twice is kept. Every line is checked: a wrong number of values, a
value that is not a finite number, or a word2vec header whose count does not match the
lines is a :class:`~seqkit.errors.DataError` naming the file and the line; bytes that do
not decode with ``encoding`` are one naming the file, the line and the encoding.

Example:

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "vectors.txt"
>>> _ = path.write_text("good 1 2\\nfilm 3 4\\n")
>>> vectors = load_word_vectors(path, ["", "[UNK]", "good", "film", "bad"], seed=0)
>>> vectors.matrix[[0, 2, 3]].tolist(), vectors.found, vectors.dimension
([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]], 2, 2)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqkit.data.text.load import DEFAULT_ENCODING, check_encoding, decode_error
from seqkit.errors import DataError

PADDING_TOKEN = ""
OOV_TOKEN = "[UNK]"


@dataclass(frozen=True)
class WordVectors:
    """An embedding matrix for a vocabulary, from a word-vector file.

    Attributes:
        matrix: ``float32 [len(vocabulary), dimension]``: the file's vector for each word it
            has, zeros for the padding token, random rows (seeded, the file's scale) for the
            out-of-vocabulary token and every word the file lacks.
        dimension: the vectors' dimension.
        found: how many looked-up words (the vocabulary without the padding and OOV tokens)
            the file has.
        searched: how many words were looked up.
        path: the file.
        file_format: ``"glove"`` or ``"word2vec"``.
    """

    matrix: np.ndarray
    dimension: int
    found: int
    searched: int
    path: str
    file_format: str

    @property
    def coverage(self) -> float:
        """``found / searched`` (0.0 when nothing was looked up)."""
        return self.found / self.searched if self.searched else 0.0

    def info(self) -> dict:
        """The JSON-able summary ``FitResult.data_info["embeddings"]`` holds.

        Returns:
            ``{"file", "format", "dimension", "found", "searched", "coverage"}``.

        Example:

        >>> import numpy as np
        >>> WordVectors(np.zeros((3, 2), "float32"), 2, 1, 1, "v.txt", "glove").info()
        {'file': 'v.txt', 'format': 'glove', 'dimension': 2, 'found': 1, 'searched': 1, \
'coverage': 1.0}
        """
        return {"file": self.path, "format": self.file_format, "dimension": self.dimension,
                "found": self.found, "searched": self.searched, "coverage": self.coverage}


def _lines(path: Path, encoding: str):
    """``(line number, text)`` of ``path``; a decode failure names file, line, encoding."""
    with open(path, encoding=encoding, newline="") as fh:
        try:
            yield from enumerate(fh, start=1)
        except UnicodeDecodeError:
            data = path.read_bytes()  # again as bytes, to name the exact place
            try:
                data.decode(encoding)
            except UnicodeDecodeError as err:
                raise decode_error(path, data, encoding, err) from None
            raise DataError(f"{path}: cannot be decoded as {encoding}") from None


def _header(parts: list[str]) -> tuple[int, int] | None:
    """``(count, dimension)`` when a first line is a word2vec header ``N D``."""
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    return None


def _values(path: Path, lineno: int, parts: list[str], dimension: int) -> np.ndarray:
    """The ``dimension`` finite values after the word of one line (else a named error)."""
    if len(parts) - 1 != dimension:
        raise DataError(f"{path}:{lineno}: expected a word and {dimension} values, found "
                        f"{len(parts) - 1} value(s) after {parts[0]!r}")
    try:
        values = np.array(parts[1:], dtype="float64")
    except ValueError:
        bad = next(p for p in parts[1:] if not _is_number(p))
        raise DataError(f"{path}:{lineno}: value {bad!r} of {parts[0]!r} is not a number") \
            from None
    if not np.all(np.isfinite(values)):
        raise DataError(f"{path}:{lineno}: the vector of {parts[0]!r} is not finite")
    return values


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read(path: Path, wanted: set, encoding: str):
    """``(vectors of the wanted words, dimension, format, std of all values)``."""
    vectors: dict = {}
    dimension = count = declared = None
    total = total_sq = n_values = 0.0
    for lineno, line in _lines(path, encoding):
        parts = line.split()
        if not parts:
            continue
        if dimension is None:
            header = _header(parts)
            if header is not None:
                declared, dimension = header
                if dimension < 1:
                    raise DataError(f"{path}:1: word2vec header {line.strip()!r} gives "
                                    "dimension 0")
                count = 0
                continue
            dimension, count = len(parts) - 1, 0
            if dimension < 1:
                raise DataError(f"{path}:{lineno}: expected a word and its values, found "
                                f"{line.strip()!r}")
        values = _values(path, lineno, parts, dimension)
        count += 1
        total += values.sum()
        total_sq += np.square(values).sum()
        n_values += values.size
        if parts[0] in wanted and parts[0] not in vectors:
            vectors[parts[0]] = values
    if not count:
        raise DataError(f"{path}: no word vectors in the file")
    if declared is not None and declared != count:
        raise DataError(f"{path}:1: the word2vec header announces {declared} vectors, the "
                        f"file has {count}")
    mean = total / n_values
    std = math.sqrt(max(total_sq / n_values - mean * mean, 0.0))
    return vectors, dimension, "glove" if declared is None else "word2vec", std


def load_word_vectors(path, vocabulary, *, encoding: str = DEFAULT_ENCODING,
                      seed: int = 0) -> WordVectors:
    """Read a GloVe or word2vec text file (module docstring) into an embedding matrix.

    Args:
        path: the vectors file.
        vocabulary: the tokens in id order, as ``TextVectorization.get_vocabulary()`` gives
            them: ``""`` (padding) gets a zero row, ``"[UNK]"`` (out of vocabulary) a random
            one, every other token the file's vector when the file has it (exact match,
            case included), else a random row.
        encoding: the file's text encoding.
        seed: seeds the random rows: normal with mean 0 and the standard deviation of all
            the file's values.

    Returns:
        :class:`WordVectors`; a warning when the file has none of the words.

    Raises:
        DataError: a missing file, a malformed line or header, undecodable bytes (each
            named with the file and the line), an empty file.
        ConfigError: an unknown ``encoding``.

    Example:

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "w2v.txt"
    >>> _ = path.write_text("2 3\\ngood 1 0 0\\nbad 0 1 0\\n")
    >>> vectors = load_word_vectors(path, ["", "[UNK]", "good", "film"])
    >>> vectors.file_format, vectors.matrix.shape, vectors.matrix[2].tolist()
    ('word2vec', (4, 3), [1.0, 0.0, 0.0])
    >>> vectors.found, vectors.searched, vectors.coverage
    (1, 2, 0.5)
    """
    path = Path(path)
    check_encoding(encoding)
    if not path.is_file():
        raise DataError(f"embeddings file {str(path)!r} not found")
    vocabulary = [str(t) for t in vocabulary]
    words = [t for t in vocabulary if t not in (PADDING_TOKEN, OOV_TOKEN)]
    vectors, dimension, file_format, std = _read(path, set(words), encoding)
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0.0, std or 1.0, size=(len(vocabulary), dimension))
    for i, token in enumerate(vocabulary):
        if token == PADDING_TOKEN:
            matrix[i] = 0.0
        elif token in vectors:
            matrix[i] = vectors[token]
    if words and not vectors:
        warnings.warn(f"{path}: none of the {len(words)} vocabulary words has a vector; the "
                      "embeddings are all random (is the file's case or language the "
                      "texts'?)", stacklevel=2)
    return WordVectors(matrix.astype("float32"), int(dimension), len(vectors), len(words),
                       str(path), file_format)
