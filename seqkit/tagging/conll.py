"""Readers of the two column formats sequence labelling data comes in.

- :func:`read_conll`: CoNLL-2003 style files, one token a line with whitespace-separated
  columns (``token POS chunk NER`` by default), a blank line between sentences,
  ``-DOCSTART-`` lines skipped.
- :func:`read_conllu`: CoNLL-U (Universal Dependencies), ten tab-separated columns,
  ``#`` comment lines, multiword token ranges (``1-2``) and empty nodes (``1.1``) skipped.

Each returns a list of sentences, a sentence being a dict of column name → list of
strings; a malformed line raises :class:`~seqkit.errors.DataError` naming the file and
line number.

Example:

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.txt"
>>> _ = path.write_text("-DOCSTART- -X- -X- O\\n\\nEU NNP B-NP B-ORG\\nrejects VBZ B-VP O\\n")
>>> read_conll(path)[0]["tag"]
['B-ORG', 'O']
"""

from __future__ import annotations

from pathlib import Path

from seqkit.errors import DataError
from seqkit.validation import fail

CONLL2003_COLUMNS = ("token", "pos", "chunk", "tag")
CONLLU_FIELDS = ("id", "form", "lemma", "upos", "xpos", "feats", "head", "deprel", "deps",
                 "misc")


def _check_columns(columns) -> tuple[str, ...]:
    if isinstance(columns, str) or not hasattr(columns, "__iter__"):
        fail("columns", "a sequence of distinct non-empty column names", columns)
    names = tuple(columns)
    if not names or len(set(names)) != len(names) or not all(
            isinstance(n, str) and n for n in names):
        fail("columns", "a sequence of distinct non-empty column names", columns)
    return names


def _lines(path):
    path = Path(path)
    if not path.is_file():
        fail("path", "an existing file", str(path), DataError)
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            yield path, number, line.rstrip("\n").rstrip("\r")


def read_conll(path, columns=CONLL2003_COLUMNS) -> list[dict[str, list[str]]]:
    """Sentences of a CoNLL-2003 style column file.

    Args:
        path: the file (UTF-8).
        columns: the names of the whitespace-separated columns, in order; each line must
            have exactly this many (CoNLL-2003: ``("token", "pos", "chunk", "tag")``).

    Returns:
        One dict per sentence, column name → that column's values, in file order.

    Raises:
        ConfigError: ``columns`` empty, repeated or not strings.
        DataError: a missing file, or a line with another number of columns (the message
            names ``file:line``).

    Example:

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ner.txt"
    >>> _ = path.write_text("Paris B-LOC\\n\\n\\nis O\\nnice O\\n")
    >>> read_conll(path, columns=("token", "tag"))
    [{'token': ['Paris'], 'tag': ['B-LOC']}, {'token': ['is', 'nice'], 'tag': ['O', 'O']}]
    """
    names = _check_columns(columns)
    sentences, rows = [], []
    for file, number, line in _lines(path):
        fields = line.split()
        if not fields or fields[0] == "-DOCSTART-":
            if rows:
                sentences.append(rows)
            rows = []
            continue
        if len(fields) != len(names):
            raise DataError(f"{file}:{number}: a line must have {len(names)} columns "
                            f"({', '.join(names)}), got {len(fields)}: {line!r}")
        rows.append(fields)
    if rows:
        sentences.append(rows)
    return [{name: [row[i] for row in rows] for i, name in enumerate(names)}
            for rows in sentences]


def _conllu_row(file, number, line, expected_id):
    fields = line.split("\t")
    if len(fields) != len(CONLLU_FIELDS):
        raise DataError(f"{file}:{number}: a CoNLL-U line must have 10 tab-separated "
                        f"columns, got {len(fields)}: {line!r}")
    word_id = fields[0]
    if "-" in word_id or "." in word_id:  # multiword token range, empty node
        return None
    if word_id != str(expected_id):
        raise DataError(f"{file}:{number}: ID must be {expected_id} (words numbered from 1 "
                        f"in each sentence), got {word_id!r}")
    return fields


def read_conllu(path) -> list[dict[str, list[str]]]:
    """Sentences of a CoNLL-U file (Universal Dependencies treebanks).

    Args:
        path: the file (UTF-8).

    Returns:
        One dict per sentence: ``{"token": FORM values, "lemma": LEMMA values, "upos":
        UPOS values}`` over the syntactic words (ranges ``1-2`` and empty nodes ``1.1``
        are skipped; comment lines ``#`` too).

    Raises:
        DataError: a missing file, a line without 10 tab-separated columns, or word IDs
            that do not run 1, 2, 3, ... (the message names ``file:line``).

    Example:

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ud.conllu"
    >>> rows = ["# text = Del mar", "1-2\\tDel\\t_\\t_\\t_\\t_\\t_\\t_\\t_\\t_",
    ...         "1\\tDe\\tde\\tADP\\t_\\t_\\t3\\tcase\\t_\\t_",
    ...         "2\\tel\\tel\\tDET\\t_\\t_\\t3\\tdet\\t_\\t_",
    ...         "3\\tmar\\tmar\\tNOUN\\t_\\t_\\t0\\troot\\t_\\t_", ""]
    >>> _ = path.write_text("\\n".join(rows))
    >>> read_conllu(path)[0]["upos"]
    ['ADP', 'DET', 'NOUN']
    """
    sentences, rows = [], []
    for file, number, line in _lines(path):
        if line.startswith("#"):
            continue
        if not line.strip():
            if rows:
                sentences.append(rows)
            rows = []
            continue
        fields = _conllu_row(file, number, line, len(rows) + 1)
        if fields is not None:
            rows.append(fields)
    if rows:
        sentences.append(rows)
    return [{"token": [r[1] for r in rows], "lemma": [r[2] for r in rows],
             "upos": [r[3] for r in rows]} for rows in sentences]
