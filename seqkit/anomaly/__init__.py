"""Anomaly detection: scoring each point of a series by how badly a recurrent model
predicts or reconstructs it, turning those scores into flags with a threshold (a quantile or
the best F1 on validation, :mod:`seqkit.anomaly.thresholds`, or telemanom's nonparametric
dynamic threshold), and evaluating the flags against labelled anomaly ranges with
point-wise, point-adjusted, range-based (Tatbul et al. 2018) and UCR-archive scores
beside the threshold-free ROC-AUC and PR-AUC (:mod:`seqkit.anomaly.metrics`).

- :func:`fit_anomaly_detector` (:mod:`seqkit.anomaly.task`), registered as the task
  ``"anomaly_detection"``; :func:`score_series` scores a whole series with a fitted one;
- :mod:`seqkit.anomaly.model`: the forecast and reconstruction scorers;
- :mod:`seqkit.anomaly.evaluation`: thresholds by rule, the metrics beside the baselines;
- :mod:`seqkit.anomaly.baselines`, :mod:`seqkit.anomaly.data`: aeon's detectors, the
  seasonal-naive residual; the labelled series aeon ships.
"""

from seqkit.anomaly.task import AnomalyDetection, fit_anomaly_detector, score_series

__all__ = ["AnomalyDetection", "fit_anomaly_detector", "score_series"]
