"""Explicit-gate LSTM/GRU cells and layers (filled in by the layers module)."""
