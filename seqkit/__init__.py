"""seqkit: recurrent sequence models (LSTM, GRU and their gate variants) with explicit gates.

Public API (imported lazily so ``import seqkit`` stays cheap):

- layers: ``ExplicitLSTM``, ``ExplicitGRU``, ``ExplicitLSTMCell``, ``ExplicitGRUCell``,
  ``make_rnn``, ``trace_gates``, ``plot_gate_trace``, ``count_rnn``
- training: ``fit_text_classifier``, ``fit_forecaster``, ``fit_sequence_classifier``,
  ``fit_sequence_regressor``, ``fit_anomaly_detector``,
  ``fit_language_model``,
  ``FitResult``, ``FitOptions``
- serving: ``export``, ``report``

Example:

>>> import seqkit
>>> seqkit.make_rnn("cifg", 8).name.startswith("explicit_lstm")
True
"""

from seqkit._lazy import lazy_module_attributes

__version__ = "0.1.0"

_PUBLIC = {
    "ExplicitLSTM": "seqkit.layers",
    "ExplicitGRU": "seqkit.layers",
    "ExplicitLSTMCell": "seqkit.layers",
    "ExplicitGRUCell": "seqkit.layers",
    "make_rnn": "seqkit.layers",
    "trace_gates": "seqkit.layers",
    "plot_gate_trace": "seqkit.layers",
    "count_rnn": "seqkit.layers",
    "fit_text_classifier": "seqkit.classification",
    "fit_forecaster": "seqkit.forecasting",
    "fit_sequence_classifier": "seqkit.classification",
    "fit_sequence_regressor": "seqkit.regression",
    "fit_anomaly_detector": "seqkit.anomaly",
    "fit_language_model": "seqkit.language",
    "FitResult": "seqkit.fit",
    "FitOptions": "seqkit.fit",
    "export": "seqkit.serving",
    "report": "seqkit.reporting",
}

__all__ = sorted(_PUBLIC)


__getattr__, __dir__ = lazy_module_attributes(__name__, _PUBLIC, globals())
