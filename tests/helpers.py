"""Helpers shared by the fit tests (data with known answers, statistical margins)."""

import math

import numpy as np


def chance_margin(n: int, sigmas: float = 2.5) -> float:
    """``sigmas`` standard errors of a coin-flip accuracy on ``n`` test examples."""
    return sigmas * math.sqrt(0.25 / n)


def keyword_texts(n: int, seed: int = 0):
    """Texts of 4-9 filler words; label "yes" iff the word "banana" appears (half of them).

    A known answer: a model that spots one token is 100% right; bag-of-words priors
    alone cannot beat 50%."""
    rng = np.random.default_rng(seed)
    filler = [f"w{i}" for i in range(40)]
    texts, labels = [], []
    for i in range(n):
        words = list(rng.choice(filler, size=rng.integers(4, 10)))
        positive = i % 2 == 0
        if positive:
            words[rng.integers(0, len(words))] = "banana"
        texts.append(" ".join(words))
        labels.append("yes" if positive else "no")
    return texts, labels


def sentiment_sentences(folder, source: str, n: int):
    """The first ``n`` of one source's labelled sentences (``<source>_labelled.txt`` of the
    shared sentiment set: ``text<TAB>0|1`` per line) as an object array and int labels."""
    texts, labels = [], []
    with open(folder / f"{source}_labelled.txt", encoding="utf-8") as f:
        for line in f:
            text, _, label = line.rstrip("\n").rpartition("\t")
            texts.append(text)
            labels.append(int(label))
    return np.array(texts[:n], object), np.array(labels[:n])
