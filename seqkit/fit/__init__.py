"""High-level training: one call from raw data to a trained, evaluated model.

- :func:`fit_text_classifier` (raw strings → class probabilities)
- :func:`fit_forecaster` (raw windows → forecasts in original units)
- :func:`fit_sequence_classifier` (padded ``[N, T, F]`` sequences → class probabilities)
- :class:`FitResult`: model, history, test metrics, config, timing, save/load/export
- :class:`FitOptions`: the options every fit function shares, validated once

How it is put together (one concern per module):

- :mod:`seqkit.fit.pipeline`: the one pipeline (:func:`~seqkit.fit.pipeline.run_fit`)
  and the hooks a task fills in (:class:`~seqkit.fit.pipeline.FitTask`);
- :mod:`seqkit.fit.text`, :mod:`seqkit.fit.forecast`, :mod:`seqkit.fit.sequences`: each
  task's hooks and its public function; :mod:`seqkit.fit.classification`: what the two
  classifiers share;
- :mod:`seqkit.fit.options`, :mod:`seqkit.fit.models` (the model builders),
  :mod:`seqkit.fit.train` (compile and train), :mod:`seqkit.fit.distributed` (the same
  under multi-worker strategies), :mod:`seqkit.fit.timing`, :mod:`seqkit.fit.metrics`,
  :mod:`seqkit.fit.describe`, :mod:`seqkit.fit.result`.
"""

from seqkit.fit.forecast import fit_forecaster
from seqkit.fit.options import FitOptions
from seqkit.fit.result import FitResult
from seqkit.fit.sequences import fit_sequence_classifier
from seqkit.fit.text import fit_text_classifier

__all__ = ["FitOptions", "FitResult", "fit_forecaster", "fit_sequence_classifier",
           "fit_text_classifier"]
