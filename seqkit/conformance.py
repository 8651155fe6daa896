"""Golden cases: the one list of layer configurations that every serialization, XLA and
export test loops over (after Sonnet's ``src/conformance/``).

Each case builds a small functional model around one RNN configuration with fixed
weights, so a test can compare outputs across save/load, ``jit_compile`` or SavedModel
export. Add a case here and every such test covers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np

from seqkit.layers.factory import make_rnn


@dataclass(frozen=True)
class GoldenCase:
    name: str
    cell: str
    layer_kwargs: dict = field(default_factory=dict)
    bidirectional: bool = False
    stacked: bool = False
    masked: bool = False
    batch: int = 3
    time: int = 6
    features: int = 4
    units: int = 5

    def inputs(self, seed: int = 0) -> np.ndarray:
        """Inputs ``[batch, time, features]``; masked cases have post-padding (zeros) and
        one fully padded row."""
        x = np.random.default_rng(seed).normal(size=(self.batch, self.time, self.features))
        x = x.astype("float32")
        if self.masked:
            x[0, self.time - 2:] = 0.0
            x[-1, :] = 0.0
        return x

    def build_model(self, seed: int = 0) -> keras.Model:
        """A functional model with deterministic, non-trivial weights."""
        keras.utils.set_random_seed(seed)
        inp = keras.Input((None, self.features), name="sequence")
        x = keras.layers.Masking(0.0)(inp) if self.masked else inp
        def rnn(**extra):
            layer = make_rnn(self.cell, self.units, **{**self.layer_kwargs, **extra})
            return keras.layers.Bidirectional(layer) if self.bidirectional else layer
        if self.stacked:
            x = rnn(return_sequences=True)(x)
        x = rnn()(x)
        model = keras.Model(inp, keras.layers.Dense(2, name="head")(x), name=self.name)
        rng = np.random.default_rng(seed + 1)
        model.set_weights([w + rng.normal(scale=0.1, size=w.shape).astype(w.dtype)
                           for w in model.get_weights()])
        return model


GOLDEN_CASES: tuple[GoldenCase, ...] = (
    GoldenCase("lstm", "lstm"),
    GoldenCase("gru", "gru"),
    GoldenCase("gru_reset_before", "gru_reset_before"),
    GoldenCase("lstm_sequences_masked", "lstm", {"return_sequences": False}, masked=True),
    GoldenCase("gru_masked", "gru", masked=True),
    GoldenCase("lstm_bidirectional", "lstm", bidirectional=True),
    GoldenCase("gru_stacked", "gru", stacked=True),
    GoldenCase("lstm_go_backwards", "lstm", {"go_backwards": True}),
    GoldenCase("peephole", "peephole"),
    GoldenCase("cifg", "cifg"),
    GoldenCase("nig", "nig"),
    GoldenCase("nfg", "nfg"),
    GoldenCase("nog", "nog"),
    GoldenCase("niaf", "niaf"),
    GoldenCase("noaf", "noaf"),
    GoldenCase("forget_bias", "forget_bias"),
    GoldenCase("layernorm_lstm", "layernorm_lstm"),
    GoldenCase("layernorm_gru", "layernorm_gru"),
    GoldenCase("layernorm_gru_reset_before", "layernorm_gru", {"reset_after": False}),
)


def golden_case(name: str) -> GoldenCase:
    for case in GOLDEN_CASES:
        if case.name == name:
            return case
    raise KeyError(f"no golden case {name!r}; have {[c.name for c in GOLDEN_CASES]}")
