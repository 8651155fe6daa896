"""The LSTM-vs-GRU study (``seqkit compare``): its configuration, its tasks and its driver.

The study runs the training recipes (:mod:`seqkit.recipes`) in child processes and measures
them; nothing in the recipes imports the study. One concern per module: the driver
(:mod:`~seqkit.study.driver`), the tasks and presets (:mod:`~seqkit.study.presets`), the
statistics, verdicts, sizes, measures, rendering, checkpoints, tuning and the layer-level
benchmark (:mod:`~seqkit.study.layerbench`). Public names are imported lazily, so a run's
child process (``python -m seqkit.study.driver``) loads only what it uses.

Example:

>>> from seqkit.study import CompareConfig, STUDY_TASKS
>>> config = CompareConfig(preset="full").resolved()
>>> [(task, STUDY_TASKS[task].metric) for task in config.tasks]
[('forecast', 'mase'), ('sequences', 'accuracy'), ('ucr', 'accuracy'), ('text', 'accuracy')]
"""

from seqkit._lazy import lazy_module_attributes

_PUBLIC = {
    "CompareConfig": "seqkit.study.config",
    "run_compare": "seqkit.study.driver",
    "STUDY_TASKS": "seqkit.study.presets",
    "StudyTask": "seqkit.study.presets",
}

__all__ = sorted(_PUBLIC)

__getattr__, __dir__ = lazy_module_attributes(__name__, _PUBLIC, globals())
