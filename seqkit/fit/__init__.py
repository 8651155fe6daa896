"""What every task shares: one fit pipeline, its options and its result.

The tasks are packages of their own (:mod:`seqkit.forecasting`,
:mod:`seqkit.classification`), registered by name in :mod:`seqkit.tasks`; nothing here
imports them or names one.

- :mod:`seqkit.fit.pipeline`: the one pipeline (:func:`~seqkit.fit.pipeline.run_fit`)
  and the hooks a task fills in (:class:`~seqkit.fit.pipeline.FitTask`);
- :class:`FitResult` (:mod:`seqkit.fit.result`): model, history, test metrics, config,
  timing, save/load/export; what differs by task it asks the task's class;
- :class:`FitOptions` (:mod:`seqkit.fit.options`): the options every fit shares, checked
  once, the recurrent stack they describe (``RNNSpec``) and their JSON descriptions;
  :mod:`seqkit.fit.train` (the step budget: epochs, batch and patience; compile and
  train: Keras ``fit`` or, under multi-worker strategies, the custom loop; atomic
  backups; epoch timing);
  :mod:`seqkit.fit.tensorboard` (logs and the gate-trace heatmap).
"""

from seqkit.fit.options import FitOptions
from seqkit.fit.pipeline import FitTask, run_fit
from seqkit.fit.result import FitResult

__all__ = ["FitOptions", "FitResult", "FitTask", "run_fit"]
