"""Golden cases: the one list of layer configurations that every serialization, XLA and
export test loops over (after Sonnet's ``src/conformance/``).

Each case builds a small functional model around one RNN configuration with fixed
weights, so a test can compare outputs across save/load, ``jit_compile`` or SavedModel
export. Add a case here and every such test covers it; a new name in
:data:`seqkit.layers.VARIANTS` without a case here fails
``tests/conformance/test_coverage.py`` (see :func:`uncovered_variants`). Saves of some
cases made by earlier versions are kept in ``tests/conformance/stored/`` and must keep
loading (``tests/conformance/make_stored.py`` writes them).

Example:

>>> from seqkit.conformance import GOLDEN_CASES
>>> [case.name for case in GOLDEN_CASES][:3]
['lstm', 'gru', 'gru_reset_before']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np

from seqkit.layers.factory import VARIANTS, make_rnn


@dataclass(frozen=True)
class GoldenCase:
    """One golden configuration: a model ``Input -> [Masking] -> RNN [-> RNN] -> Dense(2)``.

    Args:
        name: the case's unique name (a test id).
        cell: a :data:`seqkit.layers.VARIANTS` name, given to :func:`seqkit.make_rnn`.
        layer_kwargs: more arguments of the RNN layer(s).
        bidirectional: wrap each RNN layer in ``keras.layers.Bidirectional``.
        stacked: two RNN layers (the first with ``return_sequences=True``).
        masked: a ``Masking(0.0)`` layer in front, and padded :meth:`inputs`.
        batch: examples in :meth:`inputs`.
        time: time steps in :meth:`inputs`.
        features: features per step.
        units: units of each RNN layer (not equal to ``features``, so a kernel and a
            recurrent kernel never have the same shape).

    Example:

    >>> case = GoldenCase("tiny_gru", "gru", batch=2, time=3, units=3)
    >>> model = case.build_model()
    >>> tuple(model(case.inputs()).shape)
    (2, 2)
    """

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
        one fully padded row.

        Args:
            seed: the NumPy seed.

        Returns:
            A float32 array, the same for the same seed.

        Example:

        >>> x = GoldenCase("m", "lstm", masked=True).inputs()
        >>> x.shape, bool((x[-1] == 0).all()), bool((x[0, -2:] == 0).all())
        ((3, 6, 4), True, True)
        """
        x = np.random.default_rng(seed).normal(size=(self.batch, self.time, self.features))
        x = x.astype("float32")
        if self.masked:
            x[0, self.time - 2:] = 0.0
            x[-1, :] = 0.0
        return x

    def build_model(self, seed: int = 0) -> keras.Model:
        """A functional model with deterministic, non-trivial weights.

        Args:
            seed: seeds the layers' initializers (``keras.utils.set_random_seed``) and the
                noise added to every weight.

        Returns:
            A built ``keras.Model`` named after the case, with input ``"sequence"``.

        Example:

        >>> model = GoldenCase("bi", "cifg", bidirectional=True, units=3).build_model()
        >>> [layer.__class__.__name__ for layer in model.layers]
        ['InputLayer', 'Bidirectional', 'Dense']
        """
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


#: Every golden case; each name in :data:`seqkit.layers.VARIANTS` has at least one.
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


def uncovered_variants(variants=None, cases=GOLDEN_CASES) -> list[str]:
    """The variant names that no golden case builds.

    Args:
        variants: names to check (default :data:`seqkit.layers.VARIANTS`).
        cases: the golden cases (default :data:`GOLDEN_CASES`).

    Returns:
        The uncovered names, in ``variants`` order (empty when every one has a case).

    Example:

    >>> uncovered_variants()
    []
    >>> uncovered_variants(["lstm", "new_variant"])
    ['new_variant']
    """
    covered = {case.cell for case in cases}
    return [name for name in (VARIANTS if variants is None else variants)
            if name not in covered]
