"""Shared fixtures for the seqkit.data tests."""

import os
import socket
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


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", None}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Every seqkit.data test runs offline: Python-level DNS lookups and TCP/UDP connections
    to anything but loopback raise ``OSError`` (as they would on a machine without network)."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host not in _LOCAL_HOSTS and not str(host).startswith("127."):
            raise OSError(f"network disabled in tests (lookup of {host!r})")
        return real_getaddrinfo(host, *args, **kwargs)

    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0] if isinstance(address, tuple) else address
            if host not in _LOCAL_HOSTS and not str(host).startswith("127."):
                raise OSError(f"network disabled in tests (connect to {address!r})")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
