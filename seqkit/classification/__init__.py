"""Classification, the task: texts or sequences in, class probabilities out.

- :mod:`seqkit.classification.text`: :func:`fit_text_classifier` (raw strings → a
  string-in model), registered as ``"text_classification"``.
- :mod:`seqkit.classification.sequences`: :func:`fit_sequence_classifier` (padded
  ``[N, T, F]`` sequences, lists of ``[T_i, F]``, aeon's ``[N, channels, T]``),
  registered as ``"sequence_classification"``.
- :mod:`seqkit.classification.task`: what the two share (class checks, class weights,
  datasets); :mod:`seqkit.classification.metrics`: the test metrics (accuracy,
  macro-F1, per-class recall); :mod:`seqkit.classification.baselines`: the field's
  baselines fitted beside every classifier (TF-IDF + LR, 1-NN DTW, MiniRocket);
  :mod:`seqkit.classification.models`: the two model builders.
- :mod:`seqkit.classification.attribution`: why a text model predicts what it does,
  :func:`integrated_gradients` (per-token scores; ``FitResult.explain``).

Names load on first use, so importing the package loads no TensorFlow.

Example:

>>> import numpy as np
>>> from seqkit.classification import classification_metrics
>>> classification_metrics(np.array([0, 1, 1]), np.eye(2)[[0, 1, 0]])["accuracy"]
0.6666666666666666
"""

from seqkit._lazy import lazy_module_attributes

_LAZY = {
    "classification_metrics": "seqkit.classification.metrics",
    "integrated_gradients": "seqkit.classification.attribution",
    "majority_baseline": "seqkit.classification.metrics",
    "fit_text_classifier": "seqkit.classification.text",
    "fit_sequence_classifier": "seqkit.classification.sequences",
    "TextClassification": "seqkit.classification.text",
    "SequenceClassification": "seqkit.classification.sequences",
}

__all__ = ["SequenceClassification", "TextClassification", "classification_metrics",
           "fit_sequence_classifier", "fit_text_classifier", "integrated_gradients",
           "majority_baseline"]

__getattr__, __dir__ = lazy_module_attributes(__name__, _LAZY, globals())
