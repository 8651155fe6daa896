"""Entity-level precision, recall and F1 of sequence labelling, with the CoNLL rules.

Tags are strings: ``"O"`` or ``"<P>-<TYPE>"`` with the prefix ``P`` among the scheme's
(IOB1 and IOB2: ``B``, ``I``; IOBES: ``B``, ``I``, ``E``, ``S``). Entities are
``(type, start, end)`` with ``end`` inclusive. Two modes, the two of ``seqeval``:

- ``mode=None`` (default): conlleval's lenient chunking, which ``seqeval`` reproduces by
  default. A chunk starts at ``B``/``S``, at an ``I``/``E`` after ``O``, after an end
  (``E``/``S``) or after a tag of another type, and ends before ``B``/``S``/``O``, after
  ``E``/``S`` or before a change of type. Ill-formed sequences still yield entities
  (``O I-PER`` is a PER). One rule serves IOB1 (``B`` only between two same-type
  entities), IOB2 and IOBES, so this is the number CoNLL papers report.
- ``mode="strict"`` (IOB2 and IOBES only): ``seqeval``'s ``mode="strict"``. An entity is
  exactly ``B-X (I-X)*`` (IOB2), or ``S-X`` / ``B-X (I-X)* E-X`` (IOBES); tokens in no
  such pattern (``O I-PER``, an IOBES ``B`` never closed by ``E``) belong to no entity.

Scores follow ``seqeval``: a predicted entity is correct when its type, start and end all
equal a true entity's in the same sentence; per type, precision, recall and F1 (0 where a
denominator is 0); micro averages pool the counts; macro averages are the means of the
per-type values over the types seen in either the truth or the predictions.

Example:

>>> true = [["B-PER", "I-PER", "O", "B-LOC"]]
>>> pred = [["B-PER", "I-PER", "O", "B-ORG"]]
>>> s = entity_scores(true, pred)
>>> s["micro"]["precision"], s["per_type"]["PER"]["f1"], s["per_type"]["ORG"]["recall"]
(0.5, 1.0, 0.0)
>>> round(s["macro"]["recall"], 4)          # (PER 1 + LOC 0 + ORG 0) / 3
0.3333
"""

from __future__ import annotations

from seqkit.errors import ConfigError, DataError
from seqkit.validation import check_choice, fail

SCHEMES = {"IOB1": "BI", "IOB2": "BI", "IOBES": "BIES"}
MODES = (None, "strict")


def _split(tag: str, scheme: str, where: str) -> tuple[str, str]:
    if tag == "O":
        return "O", ""
    prefix, sep, kind = tag.partition("-") if isinstance(tag, str) else ("", "", "")
    if not sep or len(prefix) != 1 or prefix not in SCHEMES[scheme] or not kind:
        allowed = ", ".join(f"{p}-<TYPE>" for p in SCHEMES[scheme])
        fail(where, f"'O' or one of {allowed} ({scheme})", tag, DataError)
    return prefix, kind


def _parse(tags, scheme: str, name: str) -> list[tuple[str, str]]:
    if isinstance(tags, str) or not hasattr(tags, "__iter__"):
        fail(name, "a sequence of tag strings", tags, DataError)
    return [_split(tag, scheme, f"{name}[{i}]") for i, tag in enumerate(tags)]


def _lenient(parsed) -> list[tuple[str, int, int]]:
    """conlleval's chunking (seqeval's default ``get_entities``)."""
    entities, start = [], 0
    prev, prev_kind = "O", ""
    for i, (tag, kind) in enumerate([*parsed, ("O", "")]):
        ends = (prev in "ES" or (prev in "BI" and tag in "BSO")
                or (prev != "O" and prev_kind != kind))
        if ends:
            entities.append((prev_kind, start, i - 1))
        begins = (tag in "BS" or (prev in "ESO" and tag in "IE")
                  or (tag != "O" and prev_kind != kind))
        if begins:
            start = i
        prev, prev_kind = tag, kind
    return entities


def _strict(parsed, scheme: str) -> list[tuple[str, int, int]]:
    """``B-X (I-X)*`` (IOB2); ``S-X`` or ``B-X (I-X)* E-X`` (IOBES); nothing else."""
    entities, i, n = [], 0, len(parsed)
    while i < n:
        tag, kind = parsed[i]
        if tag == "S" and scheme == "IOBES":
            entities.append((kind, i, i))
        if tag != "B":
            i += 1
            continue
        j = i + 1
        while j < n and parsed[j] == ("I", kind):
            j += 1
        if scheme == "IOB2":
            entities.append((kind, i, j - 1))
        elif j < n and parsed[j] == ("E", kind):
            entities.append((kind, i, j))
            j += 1
        i = j
    return entities


def extract_entities(tags, scheme: str = "IOB2", mode: str | None = None):
    """The entities of one sentence's tags.

    Args:
        tags: the tag strings of one sentence.
        scheme: ``"IOB1"``, ``"IOB2"`` or ``"IOBES"`` (the prefixes allowed).
        mode: ``None`` (conlleval, lenient) or ``"strict"`` (IOB2, IOBES); module
            docstring.

    Returns:
        A list of ``(type, start, end)`` tuples, ``end`` inclusive, in order.

    Raises:
        ConfigError: an unknown scheme or mode, or strict mode with IOB1.
        DataError: a tag that is not ``"O"`` or ``"<P>-<TYPE>"`` with a prefix of the
            scheme (the message names its index).

    Example:

    >>> extract_entities(["B-PER", "I-PER", "O", "I-LOC"])
    [('PER', 0, 1), ('LOC', 3, 3)]
    >>> extract_entities(["B-PER", "I-PER", "O", "I-LOC"], mode="strict")
    [('PER', 0, 1)]
    >>> extract_entities(["I-PER", "B-PER", "O"], scheme="IOB1")
    [('PER', 0, 0), ('PER', 1, 1)]
    >>> extract_entities(["S-LOC", "B-PER", "E-PER"], scheme="IOBES", mode="strict")
    [('LOC', 0, 0), ('PER', 1, 2)]
    """
    scheme, mode = _check_mode(scheme, mode)
    parsed = _parse(tags, scheme, "tags")
    return _lenient(parsed) if mode is None else _strict(parsed, scheme)


def _check_mode(scheme, mode):
    scheme = check_choice("scheme", scheme, tuple(SCHEMES))
    if mode not in MODES:
        fail("mode", "None or 'strict'", mode)
    if mode == "strict" and scheme == "IOB1":
        raise ConfigError("mode='strict' needs scheme 'IOB2' or 'IOBES', got 'IOB1' "
                          "(IOB1 is scored with the conlleval rules, mode=None)")
    return scheme, mode


def _prf(correct: int, predicted: int, true: int) -> dict:
    p = correct / predicted if predicted else 0.0
    r = correct / true if true else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": true}


def _paired(true_tags, pred_tags):
    if len(true_tags) != len(pred_tags):
        fail("pred_tags", f"{len(true_tags)} sentences (as true_tags)",
             f"{len(pred_tags)} sentences", DataError)
    for i, (t, p) in enumerate(zip(true_tags, pred_tags)):
        if len(t) != len(p):
            fail(f"pred_tags[{i}]", f"{len(t)} tags (as true_tags[{i}])", f"{len(p)} tags",
                 DataError)


def entity_scores(true_tags, pred_tags, scheme: str = "IOB2", mode: str | None = None):
    """Entity-level precision, recall and F1, per type and micro/macro averaged.

    Args:
        true_tags: a list of sentences, each a list of tag strings.
        pred_tags: the predicted tags, same lengths.
        scheme: ``"IOB1"``, ``"IOB2"`` or ``"IOBES"``.
        mode: ``None`` (conlleval, seqeval's default) or ``"strict"`` (seqeval's strict).

    Returns:
        ``{"per_type": {type: scores}, "micro": scores, "macro": scores}`` where scores
        is ``{"precision", "recall", "f1", "support"}`` (support: true entities).

    Raises:
        ConfigError: as :func:`extract_entities`.
        DataError: different sentence counts or lengths, or a bad tag.

    Example:

    >>> s = entity_scores([["B-PER", "O"]], [["I-PER", "O"]], mode="strict")
    >>> s["micro"]["recall"], entity_scores([["B-PER", "O"]], [["I-PER", "O"]])["micro"]["f1"]
    (0.0, 1.0)
    """
    scheme, mode = _check_mode(scheme, mode)
    _paired(true_tags, pred_tags)
    true, pred = set(), set()
    for i, (t, p) in enumerate(zip(true_tags, pred_tags)):
        true |= {(i, *e) for e in extract_entities(t, scheme, mode)}
        pred |= {(i, *e) for e in extract_entities(p, scheme, mode)}
    correct = true & pred
    per_type = {}
    for kind in sorted({e[1] for e in true | pred}):
        count = [sum(e[1] == kind for e in s) for s in (correct, pred, true)]
        per_type[kind] = _prf(*count)
    micro = _prf(len(correct), len(pred), len(true))
    n = len(per_type)
    macro = {key: sum(s[key] for s in per_type.values()) / n if n else 0.0
             for key in ("precision", "recall", "f1")}
    macro["support"] = len(true)
    return {"per_type": per_type, "micro": micro, "macro": macro}


def token_accuracy(true_tags, pred_tags) -> float:
    """The fraction of tokens whose predicted tag equals the true one.

    Args:
        true_tags: a list of sentences, each a list of tags.
        pred_tags: the predicted tags, same lengths.

    Returns:
        A float in [0, 1] (0.0 when there are no tokens).

    Raises:
        DataError: different sentence counts or lengths.

    Example:

    >>> token_accuracy([["B-PER", "O"], ["O"]], [["B-PER", "B-PER"], ["O"]])
    0.6666666666666666
    """
    _paired(true_tags, pred_tags)
    pairs = [(t, p) for ts, ps in zip(true_tags, pred_tags) for t, p in zip(ts, ps)]
    return sum(t == p for t, p in pairs) / len(pairs) if pairs else 0.0
