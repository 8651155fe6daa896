"""Shared test settings: quiet TensorFlow, CPU only, deterministic seeds."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("SEQKIT_TENSORBOARD", "0")  # no default logs per fit (tests opt in)

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def shared_dir():
    """``../shared`` beside the checkout (CI has it); tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip(f"shared material not found at {SHARED}")
    return SHARED


SENTIMENT_DIR = Path(os.environ.get("SEQKIT_SENTIMENT_DIR",
                                    SHARED / "data" / "sentiment_sentences"))


@pytest.fixture(scope="session")
def sentiment_dir():
    """The shared sentiment sentences (skipped with the reason when absent)."""
    if not (SENTIMENT_DIR / "imdb_labelled.txt").is_file():
        pytest.skip(f"shared sentiment data not present at {SENTIMENT_DIR} "
                    "(set SEQKIT_SENTIMENT_DIR to its folder)")
    return SENTIMENT_DIR
