"""Fixtures for the fit tests: the shared sentiment data (skipped with the reason when absent)."""

import os
from pathlib import Path

import pytest

SENTIMENT_DIR = Path(os.environ.get(
    "SEQKIT_SENTIMENT_DIR",
    Path(__file__).resolve().parents[3] / "shared" / "data" / "sentiment_sentences"))


@pytest.fixture(scope="session")
def sentiment_dir():
    if not (SENTIMENT_DIR / "imdb_labelled.txt").is_file():
        pytest.skip(f"shared sentiment data not present at {SENTIMENT_DIR} "
                    "(set SEQKIT_SENTIMENT_DIR to its folder)")
    return SENTIMENT_DIR
