"""Sequence regression (time series extrinsic regression): one number per sequence.

- :func:`fit_sequence_regressor` (:mod:`seqkit.regression.task`): the fit, registered as
  the task ``"sequence_regression"``;
- :mod:`seqkit.regression.model`: the sequence classifier's features with a regression
  head, the target standardised inside the model;
- :mod:`seqkit.regression.metrics`: RMSE, MAE, R² and the training mean's;
- :mod:`seqkit.regression.baselines`: aeon's 1-NN DTW, ROCKET and MiniRocket regressors
  on the same splits.

Dependencies run one way: this package reads the sequence classifier's features and
inputs (:mod:`seqkit.classification`) and the forecaster's quantile head
(:mod:`seqkit.forecasting.quantiles`); neither imports it.
"""

from seqkit.regression.task import SequenceRegression, fit_sequence_regressor

__all__ = ["SequenceRegression", "fit_sequence_regressor"]
