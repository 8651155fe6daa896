"""High-level training: one call from raw data to a trained, evaluated model.

- :func:`fit_text_classifier` (raw strings → class probabilities)
- :func:`fit_forecaster` (raw windows → forecasts in original units)
- :func:`fit_sequence_classifier` (padded ``[N, T, F]`` sequences → class probabilities)
- :class:`FitResult`: model, history, test metrics, config, timing, save/load/export
- :mod:`seqkit.fit.train`: the shared builders, training loop and metric functions
"""

from seqkit.fit.forecast import fit_forecaster
from seqkit.fit.result import FitResult
from seqkit.fit.sequences import fit_sequence_classifier
from seqkit.fit.text import fit_text_classifier

__all__ = ["FitResult", "fit_forecaster", "fit_sequence_classifier", "fit_text_classifier"]
