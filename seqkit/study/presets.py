"""The study's tasks, its presets and the checks of its configuration
(:class:`seqkit.study.config.CompareConfig` calls them).

:data:`STUDY_TASKS` is the one table of the study's tasks: the recipe that trains each one
(the only place the study names a recipe), its data option, its quality metric and how it
is limited. The driver reads it and never compares task names.

``quick`` is what ``make demo`` runs: one task, one size, 3 seeds, 3 epochs — the seed
table and the verdicts in a few minutes on 2 cores. ``full`` is the whole study: every
task, 64 and 256 units, 5 seeds, 10 epochs, and the layer-level section.

Example:

>>> from seqkit.study.presets import PRESETS, STUDY_TASKS, TASKS
>>> PRESETS["full"]["sizes"], TASKS
([64, 256], ('forecast', 'sequences', 'text', 'ucr'))
>>> STUDY_TASKS["ucr"].recipe, STUDY_TASKS["ucr"].metric, STUDY_TASKS["ucr"].direction
('sequence_classification', 'accuracy', 'higher')
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

from seqkit.validation import check_bool, check_choice, check_int, check_optional_int, fail

SHARED_SENTIMENT = Path(__file__).resolve().parents[3] / "shared/data/sentiment_sentences"


@dataclasses.dataclass(frozen=True)
class StudyTask:
    """One task of the study, as the driver runs it.

    Args:
        recipe: the training recipe each run's process runs (a
            registered task name, :mod:`seqkit.tasks`).
        data_option: the :class:`~seqkit.study.config.CompareConfig` field naming its data.
        metric: its quality metric's key in the fit's metrics.
        direction: ``"lower"`` or ``"higher"``: which way the metric is better.
        fallback_data: the data taken when ``data_option`` is unset, if that folder exists.
        missing: why the task is skipped when it has no data.
        limit: ``(CompareConfig field, recipe option)``: a cap on its data, passed on when
            the field is set.
        fixed_options: recipe options of every run of the task.

    Example:

    >>> from types import SimpleNamespace as NS
    >>> text = STUDY_TASKS["text"]
    >>> text.data(NS(text_data="x.tsv")), text.options(NS(text_max_examples=500))
    ('x.tsv', {'baselines': [], 'wide': False, 'max_examples': 500})
    >>> STUDY_TASKS["forecast"].options(NS()), STUDY_TASKS["forecast"].metric
    ({'baselines': [], 'combine': 'none'}, 'mase')
    """

    recipe: str
    data_option: str
    metric: str = "accuracy"
    direction: str = "higher"
    fallback_data: Path | None = None
    missing: str = "no data given"
    limit: tuple[str, str] | None = None
    fixed_options: dict = dataclasses.field(default_factory=dict)

    def data(self, config) -> str | None:
        """This task's data in ``config`` (None: none, the task is skipped).

        Args:
            config: a :class:`~seqkit.study.config.CompareConfig`.

        Returns:
            A data name or path, or None.
        """
        data = getattr(config, self.data_option)
        if data is None and self.fallback_data is not None and self.fallback_data.is_dir():
            data = str(self.fallback_data)
        return data

    def options(self, config) -> dict:
        """The recipe options this task adds to every run: its fixed ones, its limit.

        Args:
            config: a :class:`~seqkit.study.config.CompareConfig`.

        Returns:
            ``{recipe option: value}``.
        """
        options = copy.deepcopy(self.fixed_options)  # no list shared between runs
        if self.limit is not None and getattr(config, self.limit[0]):
            options[self.limit[1]] = getattr(config, self.limit[0])
        return options


#: study task → how it runs; the recipe names live here only
STUDY_TASKS = {
    # the study compares the recurrent cells: the forecaster's RNN alone (no seasonal naive,
    # drift or smoothing mixed into what is scored), no baselines (MASE needs none; ETS,
    # Theta, 1-NN DTW, MiniRocket, TF-IDF+LR cost fits nothing reads here), no linear text
    # branch under the RNN, no convolutional branch beside it (and the patch front end
    # keeps the streaming step it measures)
    "forecast": StudyTask(
        "forecasting", "forecast_data", metric="mase", direction="lower",
        fixed_options={"baselines": [], "combine": "none"}),
    "sequences": StudyTask("sequence_classification", "sequence_data",
                           fixed_options={"baselines": [], "frontend": "patches"}),
    "text": StudyTask(
        "text_classification", "text_data", fallback_data=SHARED_SENTIMENT,
        fixed_options={"baselines": [], "wide": False},
        missing="no local text data: pass --text-data PATH (the shared sentiment sentences "
                "are not beside this checkout)",
        limit=("text_max_examples", "max_examples")),
    "ucr": StudyTask("sequence_classification", "ucr_data",
                     fixed_options={"baselines": [], "frontend": "patches"}),
}
TASKS = tuple(STUDY_TASKS)
PRESETS = {
    "quick": {"tasks": ["forecast"], "sizes": [64], "seeds": 3, "epochs": 3,
              "layer_bench": False},
    "full": {"tasks": ["forecast", "sequences", "ucr", "text"], "sizes": [64, 256],
             "seeds": 5, "epochs": 10, "layer_bench": True},
}


def check_study_options(config) -> None:
    """Check a study configuration's own fields (the fit options are checked apart).

    Args:
        config: a :class:`seqkit.study.config.CompareConfig`.

    Raises:
        seqkit.errors.ConfigError: naming the first bad value.

    Example:

    >>> from types import SimpleNamespace as NS
    >>> check_study_options(NS(preset="quick", tasks=["speech"]))
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: tasks must be some of ('forecast', ..., 'ucr'), got ['speech']
    """
    check_choice("preset", config.preset, tuple(PRESETS))
    tasks = config.tasks
    if tasks is not None and (not isinstance(tasks, (list, tuple)) or not tasks
                              or not set(tasks) <= set(TASKS)):
        fail("tasks", f"some of {TASKS}", tasks)
    if not isinstance(config.cells, (list, tuple)) or len(config.cells) < 2:
        fail("cells", "a list of at least two cells", config.cells)
    if config.sizes is not None:
        if not isinstance(config.sizes, (list, tuple)) or not config.sizes:
            fail("sizes", "a non-empty list of integers >= 1", config.sizes)
        for units in config.sizes:
            check_int("sizes", units)
    check_optional_int("seeds", config.seeds)
    check_optional_int("epochs", config.epochs)
    check_bool("equal_params", config.equal_params)
    check_bool("resume", config.resume)
    check_optional_int("tune", config.tune)
    if config.tune and config.equal_params:
        fail("equal_params", "False when tune is set (the tuner picks each cell's units "
             "within the reference cell's parameters)", config.equal_params)
    if config.layer_bench is not None:
        check_bool("layer_bench", config.layer_bench)
    for name in ("memory_batch", "memory_length", "latency_repeats"):
        check_int(name, getattr(config, name))


def resolve(config):
    """A copy of ``config`` with every ``None`` preset field taken from its preset.

    Args:
        config: a dataclass with ``preset`` and the fields of :data:`PRESETS`.

    Returns:
        The copy.

    Example:

    >>> from seqkit.study.config import CompareConfig
    >>> resolve(CompareConfig(preset="full", seeds=3)).seeds
    3
    """
    preset = PRESETS[config.preset]
    return dataclasses.replace(config, **{k: v for k, v in preset.items()
                                          if getattr(config, k) is None})
