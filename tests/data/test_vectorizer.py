"""make_vectorizer: train-only vocabulary, data-chosen length, post padding/truncation."""

import math
import re
import string

import numpy as np
import pytest

from seqkit.data import load_text, make_vectorizer
from seqkit.errors import ConfigError, DataError

_PUNCT = re.compile("[" + re.escape(string.punctuation) + "]")


def _token_counts(texts):
    """Independent reference: lowercase, strip ASCII punctuation, split on whitespace."""
    return np.array([len(_PUNCT.sub("", t.lower()).split()) for t in texts])


def _expected_length(texts, percentile=95):
    return int(min(max(math.ceil(np.percentile(_token_counts(texts), percentile)), 8), 512))


def test_vocabulary_from_train_only():
    train = ["the cat sat", "the dog ran", "a cat ran"]
    test_only = "zebra"
    vec = make_vectorizer(train, sequence_length=5)
    vocab = vec.get_vocabulary()
    assert test_only not in vocab
    assert {"the", "cat", "sat", "dog", "ran", "a"} <= set(vocab)
    ids = vec(np.array(["zebra cat"], dtype=object)).numpy()[0]
    assert ids[0] == 1  # OOV id
    assert ids[1] == vocab.index("cat")


def test_chosen_length_is_percentile_of_token_counts():
    rng = np.random.default_rng(0)
    words = ["Alpha,", "beta!", "gamma", "delta.", "e-psilon", "'zeta'"]
    texts = [" ".join(rng.choice(words, size=int(n))) for n in rng.integers(1, 60, size=400)]
    vec = make_vectorizer(texts)
    want = _expected_length(texts)
    assert 8 < want < 60
    assert vec.seqkit_sequence_length == want
    assert vec.get_config()["output_sequence_length"] == want
    assert vec.seqkit_length_source == "p95"
    vec50 = make_vectorizer(texts, length_percentile=50)
    assert vec50.seqkit_sequence_length == _expected_length(texts, 50)


def test_chosen_length_on_shared_sentences(sentiment_dir):
    splits = load_text(sentiment_dir)
    vec = make_vectorizer(splits.train[0])
    assert vec.seqkit_sequence_length == _expected_length(splits.train[0].tolist())


def test_length_is_clipped_to_8_and_512():
    assert make_vectorizer(["a b", "c"]).seqkit_sequence_length == 8
    long = [" ".join(["w"] * 700)] * 3
    assert make_vectorizer(long).seqkit_sequence_length == 512


def test_padding_and_truncation_are_post():
    vec = make_vectorizer(["one two three four five six seven eight nine ten"],
                          sequence_length=8)
    vocab = vec.get_vocabulary()
    short = vec(np.array(["two three"], dtype=object)).numpy()[0]
    assert short.tolist() == [vocab.index("two"), vocab.index("three"), 0, 0, 0, 0, 0, 0]
    long = vec(np.array(["one two three four five six seven eight nine ten"],
                        dtype=object)).numpy()[0]
    first8 = "one two three four five six seven eight".split()
    assert long.tolist() == [vocab.index(w) for w in first8]  # keeps the first tokens


def test_ngrams_length_counts_ngrams():
    texts = [" ".join(["w"] * 20)] * 5
    # bigrams: 20 unigrams + 19 bigrams per text
    assert make_vectorizer(texts, ngrams=2).seqkit_sequence_length == 39


def test_vectorizer_errors():
    with pytest.raises(DataError, match="at least one training text"):
        make_vectorizer([])
    with pytest.raises(ConfigError,
                       match=r"sequence_length must be None or an integer >= 1, got 0"):
        make_vectorizer(["a"], sequence_length=0)
    with pytest.raises(ConfigError,
                       match=r"length_percentile must be a number in \(0, 100\], got 0"):
        make_vectorizer(["a"], length_percentile=0)


def test_punctuation_only_text_warns():
    with pytest.warns(UserWarning, match=r"1 training text\(s\) have no token.*\[2\]"):
        make_vectorizer(["a b", "c d", "!!! ...", "e"])


def test_terms_with_line_breaks_are_dropped_so_a_saved_model_loads(tmp_path):
    import keras

    texts = ["it is\x85seeing red", "form\x0cfeed here", "is\x85 seeing red"]
    vec = make_vectorizer(texts, sequence_length=4)
    vocabulary = [str(t) for t in vec.get_vocabulary()]
    assert all(t.splitlines() == [t] for t in vocabulary[1:])  # "is\x85" too
    assert {"seeing", "red", "it"} <= set(vocabulary)
    inp = keras.Input((), dtype="string")
    model = keras.Model(inp, vec(inp))
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    x = np.array(texts, dtype=object)
    np.testing.assert_array_equal(loaded(x).numpy(), model(x).numpy())
