"""Anomaly detection: scoring each point of a series by how badly a recurrent model
predicts or reconstructs it, turning those scores into flags with a threshold (a quantile or
the best F1 on validation, :mod:`seqkit.anomaly.thresholds`, or telemanom's nonparametric
dynamic threshold), and evaluating the flags against labelled anomaly ranges with
point-wise, point-adjusted, range-based (Tatbul et al. 2018) and UCR-archive scores
beside the threshold-free ROC-AUC and PR-AUC (:mod:`seqkit.anomaly.metrics`).
"""
