"""Entity-level scores (issue 24) against seqeval's own outputs: its default
(conlleval-compatible) mode for IOB1, IOB2 and IOBES, and its strict mode for IOB2 and
IOBES, on hand-made ill-formed sequences and on random tag sequences."""

from __future__ import annotations

import random
import warnings

import pytest

from seqkit.errors import ConfigError, DataError
from seqkit.tagging.metrics import entity_scores, extract_entities, token_accuracy

seqeval_metrics = pytest.importorskip("seqeval.metrics")
seqeval_scheme = pytest.importorskip("seqeval.scheme")
from seqeval.metrics.sequence_labeling import get_entities  # noqa: E402

PREFIXES = {"IOB1": "BI", "IOB2": "BI", "IOBES": "BIES"}
HAND = [
    ["O", "I-PER", "I-PER", "O"],                 # I- after O
    ["B-PER", "I-LOC", "I-LOC", "B-LOC"],         # type change inside a chunk
    ["I-PER", "B-PER", "I-PER", "O", "B-ORG"],    # IOB1: B between same-type entities
    ["B-MISC", "E-MISC", "E-MISC", "S-LOC", "I-LOC"],
    ["B-PER", "I-PER", "O", "S-PER", "B-LOC", "I-LOC", "E-LOC", "E-ORG"],
    ["B-PER", "I-PER"],
    ["O", "O"],
    [],
]


def _random(n, scheme, seed, length=(0, 12)):
    rng = random.Random(seed)
    tags = ["O"] + [f"{p}-{t}" for p in PREFIXES[scheme] for t in ("PER", "LOC", "ORG")]
    return [[rng.choice(tags) for _ in range(rng.randint(*length))] for _ in range(n)]


def _in_scheme(sentences, scheme):
    return [s for s in sentences if all(t == "O" or t[0] in PREFIXES[scheme] for t in s)]


def _seqeval_report(true, pred, scheme, mode):
    kwargs = {} if mode is None else {"mode": "strict",
                                      "scheme": getattr(seqeval_scheme, scheme)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seqeval_metrics.classification_report(true, pred, output_dict=True,
                                                     zero_division=0, **kwargs)


def _check_against_seqeval(true, pred, scheme, mode):
    ours = entity_scores(true, pred, scheme=scheme, mode=mode)
    theirs = _seqeval_report(true, pred, scheme, mode)
    types = sorted(k for k in theirs if not k.endswith(" avg"))
    assert sorted(ours["per_type"]) == types
    keys = {"precision": "precision", "recall": "recall", "f1": "f1-score",
            "support": "support"}
    for kind in types:
        for key, their_key in keys.items():
            assert ours["per_type"][kind][key] == pytest.approx(theirs[kind][their_key])
    for avg in ("micro", "macro"):
        for key, their_key in keys.items():
            assert ours[avg][key] == pytest.approx(theirs[f"{avg} avg"][their_key]), avg


@pytest.mark.parametrize("scheme", ["IOB1", "IOB2", "IOBES"])
def test_default_mode_entities_equal_seqeval_get_entities(scheme):
    for sentence in _in_scheme(HAND, scheme) + _random(200, scheme, seed=1):
        want = sorted(get_entities(sentence)) if sentence else []
        assert sorted(extract_entities(sentence, scheme)) == want, sentence


@pytest.mark.parametrize("scheme,mode", [("IOB1", None), ("IOB2", None), ("IOBES", None),
                                         ("IOB2", "strict"), ("IOBES", "strict")])
def test_scores_equal_seqeval_on_hand_made_and_random_tags(scheme, mode):
    hand = _in_scheme(HAND, scheme)
    shuffled = [list(reversed(s)) for s in hand]
    _check_against_seqeval(hand, shuffled, scheme, mode)
    for seed in range(5):
        true = _random(40, scheme, seed=10 + seed, length=(1, 10))
        pred = _noisy(true, scheme, seed)
        _check_against_seqeval(true, pred, scheme, mode)


def _noisy(true, scheme, seed):
    """A prediction close to the truth: each tag replaced by a random one 30% of the time."""
    rng = random.Random(seed)
    tags = ["O"] + [f"{p}-{t}" for p in PREFIXES[scheme] for t in ("PER", "LOC", "ORG")]
    return [[rng.choice(tags) if rng.random() < 0.3 else t for t in s] for s in true]


def test_strict_drops_ill_formed_chunks_by_hand():
    # hand-read from the definitions: I- after O is no entity in strict IOB2,
    # an IOBES B-I never closed by E- is none either.
    assert extract_entities(["O", "I-PER", "B-LOC"], mode="strict") == [("LOC", 2, 2)]
    assert extract_entities(["O", "I-PER", "B-LOC"]) == [("PER", 1, 1), ("LOC", 2, 2)]
    assert extract_entities(["B-PER", "I-PER", "O", "S-LOC"], "IOBES", "strict") == \
        [("LOC", 3, 3)]


def test_token_accuracy_equals_seqeval():
    true = _random(30, "IOB2", seed=3, length=(1, 8))
    pred = _noisy(true, "IOB2", 4)
    assert token_accuracy(true, pred) == pytest.approx(
        seqeval_metrics.accuracy_score(true, pred))


def test_bad_inputs_are_named():
    with pytest.raises(DataError, match=r"tags\[1\] must be 'O' or one of B-<TYPE>, "
                       r"I-<TYPE> \(IOB2\), got 'S-PER'"):
        extract_entities(["O", "S-PER"])
    with pytest.raises(DataError, match=r"tags\[0\] must be .*got 'PER'"):
        extract_entities(["PER"], "IOBES")
    with pytest.raises(ConfigError, match="scheme must be one of"):
        extract_entities(["O"], "BILOU")
    with pytest.raises(ConfigError, match="mode='strict' needs scheme 'IOB2' or 'IOBES'"):
        entity_scores([["O"]], [["O"]], scheme="IOB1", mode="strict")
    with pytest.raises(DataError, match=r"pred_tags\[0\] must be 2 tags \(as true_tags"):
        entity_scores([["O", "O"]], [["O"]])
    with pytest.raises(DataError, match="pred_tags must be 1 sentences"):
        token_accuracy([["O"]], [])
