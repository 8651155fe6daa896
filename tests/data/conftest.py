"""Shared fixtures for the seqkit.data tests."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

_REPO = Path(__file__).resolve().parents[2]
_SENTIMENT_CANDIDATES = [
    _REPO.parent / "shared" / "data" / "sentiment_sentences",
    _REPO / "shared" / "data" / "sentiment_sentences",
    Path("/work/shared/data/sentiment_sentences"),
]


@pytest.fixture(scope="session")
def sentiment_dir() -> Path:
    """The shared UCI Sentiment Labelled Sentences folder (skips when absent)."""
    env = os.environ.get("SEQKIT_SENTIMENT_DIR")
    candidates = ([Path(env)] if env else []) + _SENTIMENT_CANDIDATES
    for path in candidates:
        if (path / "imdb_labelled.txt").is_file():
            return path
    pytest.skip("shared sentiment_sentences data not found (looked in ../shared/data/...)")
