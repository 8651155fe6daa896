"""fit_language_model (issue 24): bits per token against the served model read prefix by
prefix, the Kneser-Ney baseline on the same tokens, seeded generation, sampling by hand,
inputs, and errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import seqkit
from seqkit.errors import ConfigError, DataError
from seqkit.language.ngram import KneserNey
from seqkit.language.sampling import next_distribution
from seqkit.language.task import tokenize

TEXT = "".join("the cat sat on the mat. the dog sat on the log. "[(i * 7) % 48:] + "\n"
               for i in range(40))


@pytest.fixture(scope="module")
def lm():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seqkit.fit_language_model(TEXT, window=20, units=16, epochs=3, seed=0,
                                         verbose=0, test_fraction=0.05)


def test_bits_per_char_is_the_served_models_log_loss_prefix_by_prefix(lm):
    n = len(TEXT)
    test = TEXT[n - int(round(0.05 * n)):]
    probs = lm.predict([test[:i] for i in range(1, len(test))])  # P(next | each prefix)
    index = {c: k for k, c in enumerate(lm.class_names)}
    bits = -np.mean([math.log2(probs[i - 1, index[test[i]]]) for i in range(1, len(test))])
    assert lm.metrics["bits_per_token"] == pytest.approx(bits, rel=1e-4)
    assert lm.metrics["n_tokens"] == len(test) - 1
    assert lm.metrics["perplexity"] == pytest.approx(2 ** bits, rel=1e-4)
    assert bits < math.log2(len(lm.class_names))  # it learnt something


def test_the_baseline_is_kneser_ney_of_the_text_before_the_test(lm):
    n = len(TEXT)
    cut = n - int(round(0.05 * n))
    ngram = KneserNey(order=5).fit(TEXT[:cut])
    test = TEXT[cut:]
    want = -np.mean([math.log2(ngram.prob(test[i], test[max(0, i - 4):i]))
                     for i in range(1, len(test))])
    assert lm.metrics["baselines"]["kneser_ney"]["bits_per_token"] == pytest.approx(want)
    assert lm.metrics["beats"]["kneser_ney"] == (lm.metrics["bits_per_token"] <= want)


def test_generation_is_seeded_and_greedy_is_the_argmax_chain(lm):
    a = lm.generate("the ", 30, seed=3)
    assert a == lm.generate("the ", 30, seed=3) and a.startswith("the ") and len(a) == 34
    assert set(a) <= set(lm.class_names[1:])
    greedy, text = lm.generate("the c", 10, temperature=0), "the c"
    for _ in range(10):
        probs = lm.predict([text])[0]
        probs[0] = 0.0
        text += lm.class_names[int(np.argmax(probs))]
    assert greedy == text
    with pytest.raises(ConfigError, match="top_p must be in"):
        lm.generate("the", 3, top_p=1.5)
    with pytest.raises(DataError, match="at least one token"):
        lm.generate("", 3)


def test_sampling_distributions_by_hand():
    p = [0.5, 0.3, 0.2]
    t2 = np.sqrt(p) / np.sqrt(p).sum()  # temperature 2: p^(1/2), renormalised
    np.testing.assert_allclose(next_distribution(p, temperature=2.0), t2)
    np.testing.assert_allclose(next_distribution(p, top_p=0.75), [0.625, 0.375, 0.0])
    np.testing.assert_allclose(next_distribution(p, top_p=0.5), [1.0, 0.0, 0.0])
    np.testing.assert_allclose(next_distribution([0.2, 0.4, 0.4], top_k=1), [0, 1, 0])
    with pytest.raises(DataError):
        next_distribution([0.0, 0.0])


def test_inputs_are_ids_post_padded_and_checked(lm):
    ids = lm.prepare_inputs(["the", "a"])
    index = {c: k + 1 for k, c in enumerate(lm.class_names)}
    assert ids.tolist() == [[index["t"], index["h"], index["e"]], [index["a"], 0, 0]]
    assert lm.prepare_inputs(["é"]).tolist() == [[1]]  # an unknown character
    with pytest.raises(DataError, match="token ids must be"):
        lm.prepare_inputs(np.array([[999]]))


def test_word_level_tokens_and_vocabulary():
    assert tokenize("The cat, sat.", "word") == ["the", "cat", ",", "sat", "."]
    text = " ".join(["the cat sat on the mat ."] * 60 + ["rare words here"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lm = seqkit.fit_language_model(text, level="word", window=6, units=4, epochs=1,
                                       max_tokens=5, verbose=0)
    assert lm.class_names[0] == "<unk>" and len(lm.class_names) == 6
    assert lm.metrics["level"] == "word" and lm.metrics["baselines"]["kneser_ney"]["order"] == 3


def test_bad_input_is_named():
    with pytest.raises(DataError, match="too few for windows"):
        seqkit.fit_language_model("abc" * 10, window=50, epochs=1, verbose=0)
    with pytest.raises(ConfigError, match="level must be one of"):
        seqkit.fit_language_model(TEXT, level="byte", epochs=1, verbose=0)
    with pytest.raises(DataError, match="non-blank"):
        seqkit.fit_language_model("   ", epochs=1, verbose=0)
