"""Single-argument checks of seqkit.data read '<name> must be <what>, got <value!r>'."""

import numpy as np
import pytest

from seqkit.data import (
    load_sequence_dataset,
    load_text,
    make_vectorizer,
    origin_split,
    pad_sequences_post,
    rolling_origins,
    text_dataset,
    windows_at,
)
from seqkit.errors import ConfigError

TEXTS = ["good film", "bad plot", "great fun", "awful"] * 5
LABELS = [1, 0, 1, 0] * 5


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: load_text(TEXTS, labels=LABELS, val_fraction=1.5),
         "val_fraction must be a number in [0, 1), got 1.5"),
        (lambda: load_text(TEXTS, labels=LABELS, test_fraction=-0.1),
         "test_fraction must be a number in [0, 1), got -0.1"),
        (lambda: load_text(TEXTS, labels=LABELS, empty_policy="keep"),
         "empty_policy must be one of ('error', 'drop'), got 'keep'"),
        (lambda: load_text(TEXTS, labels=LABELS, max_examples=1.5),
         "max_examples must be None or an integer >= 2, got 1.5"),
        (lambda: make_vectorizer(TEXTS, max_tokens=2),
         "max_tokens must be an integer >= 3, got 2"),
        (lambda: make_vectorizer(TEXTS, length_percentile=101),
         "length_percentile must be a number in (0, 100], got 101"),
        (lambda: text_dataset(TEXTS, LABELS, batch_size=0),
         "batch_size must be an integer >= 1, got 0"),
        (lambda: origin_split(100, window=0), "window must be an integer >= 1, got 0"),
        (lambda: origin_split(100, window=5, horizon=2.0),
         "horizon must be an integer >= 1, got 2.0"),
        (lambda: origin_split(100, window=5, val_size=1.0),
         "val_size must be a number in [0, 1), got 1.0"),
        (lambda: rolling_origins(10, start=2, stride=0),
         "stride must be an integer >= 1, got 0"),
        (lambda: windows_at(np.arange(10.0), [3], window=2, horizon=0),
         "horizon must be None or an integer >= 1, got 0"),
        (lambda: pad_sequences_post([np.ones(3)], maxlen=0),
         "maxlen must be None or an integer >= 1, got 0"),
        (lambda: load_sequence_dataset("digits", val_fraction=0.0),
         "val_fraction must be a number in (0, 1), got 0.0"),
    ],
)
def test_single_argument_messages(call, message):
    with pytest.raises(ConfigError) as info:
        call()
    assert str(info.value) == message


def test_fraction_sum_names_both():
    with pytest.raises(ConfigError, match=r"val_size \+ test_size must be < 1 as fractions, "
                                          r"got 0.5 \+ 0.5"):
        origin_split(100, window=5, val_size=0.5, test_size=0.5)
