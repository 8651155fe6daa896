"""The Kneser–Ney baseline (issue 24): a bigram model worked out by hand, normalisation
over every history, bits per character by hand, and on real text."""

from __future__ import annotations

import math
from itertools import product
from pathlib import Path

import pytest

from seqkit.errors import DataError
from seqkit.language.ngram import UNK, KneserNey

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_a_bigram_model_worked_out_by_hand():
    # "abab", order 2: padded S a b a b. Bigrams (S,a):1 (a,b):2 (b,a):1, so D2 =
    # n1 / (n1 + 2 n2) = 2 / 4. Continuation counts of the unigrams: a follows S and b (2),
    # b follows a (1); D1 = 1 / (1 + 2) = 1/3; V = 3 (a, b, <unk>).
    # P1(a) = (2 - 1/3)/3 + (1/3)(2/3)(1/3) = 17/27, P1(b) = 8/27, P1(<unk>) = 2/27.
    # P2(b | a) = (2 - 1/2)/2 + (1/2)(1/2) P1(b) = 89/108; P2(a | a) = 17/108;
    # P2(a | b) = (1 - 1/2)/1 + (1/2)(1/1) P1(a) = 22/27, as P2(a | start).
    lm = KneserNey(order=2).fit("abab")
    assert lm.prob("a", "") == pytest.approx(22 / 27)
    assert lm.prob("b", "a") == pytest.approx(89 / 108)
    assert lm.prob("a", "a") == pytest.approx(17 / 108)
    assert lm.prob(UNK, "a") == pytest.approx(2 / 108)
    assert lm.prob("z", "a") == pytest.approx(2 / 108)  # an unseen character is <unk>
    assert lm.prob("a", "b") == pytest.approx(22 / 27)
    assert lm.prob("a", "zz") == pytest.approx(17 / 27)  # an unseen history: P1
    want = -(math.log2(22 / 27) + math.log2(89 / 108)) / 2
    assert lm.bits_per_token("ab") == pytest.approx(want)


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_every_conditional_distribution_sums_to_one(order):
    text = "the cat sat on the mat; the dog sat on the log."
    lm = KneserNey(order=order).fit(text)
    histories = {text[max(0, i - order + 1):i] for i in range(len(text) + 1)}
    histories |= {"".join(h) for h in product("tq", repeat=max(order - 1, 0))}
    for history in histories:
        total = sum(lm.prob(c, history) for c in lm.vocabulary)
        assert total == pytest.approx(1.0, abs=1e-12), history


def test_bits_per_character_is_the_mean_negative_log2_probability():
    lm = KneserNey(order=3).fit("she sells sea shells by the sea shore")
    held = "sea shells"
    want = -sum(math.log2(lm.prob(c, held[max(0, i - 2):i])) for i, c in enumerate(held))
    assert lm.bits_per_token(held) == pytest.approx(want / len(held))


@pytest.mark.skipif(not (SHARED / "sentiment_sentences").exists(),
                    reason="../shared/data is not beside the checkout")
def test_longer_contexts_model_real_text_better():
    lines = []
    for path in sorted((SHARED / "sentiment_sentences").rglob("*.txt")):
        lines += [line.rsplit("\t", 1)[0] for line in path.read_text(
            encoding="utf-8", errors="replace").splitlines() if "\t" in line]
    assert len(lines) > 1000
    train, held = "\n".join(lines[:-300]), "\n".join(lines[-300:])
    bits = {n: KneserNey(order=n).fit(train).bits_per_token(held) for n in (1, 3, 5)}
    assert bits[5] < bits[3] < bits[1] < math.log2(128)
    assert 1.5 < bits[5] < 3.5  # English characters: a few bits each


def test_bad_input_is_named():
    with pytest.raises(DataError, match="non-empty"):
        KneserNey(order=2).fit("")
    with pytest.raises(DataError, match="not fitted"):
        KneserNey(order=2).prob("a", "b")
    with pytest.raises(ValueError, match="order must be an integer >= 1"):
        KneserNey(order=0)
