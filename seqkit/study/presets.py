"""The study's presets and the checks of its configuration
(:class:`seqkit.recipes.config.CompareConfig` calls them).

``quick`` is what ``make demo`` runs: one task, one size, 3 seeds, 3 epochs — the seed
table and the verdicts in a few minutes on 2 cores. ``full`` is the whole study: every
task, 64 and 256 units, 5 seeds, 10 epochs, and the layer-level section.

Example:

>>> from seqkit.study.presets import PRESETS, TASKS
>>> PRESETS["full"]["sizes"], TASKS
([64, 256], ('forecast', 'sequences', 'text', 'ucr'))
"""

from __future__ import annotations

import dataclasses

from seqkit.validation import check_bool, check_choice, check_int, check_optional_int, fail

TASKS = ("forecast", "sequences", "text", "ucr")
PRESETS = {
    "quick": {"tasks": ["forecast"], "sizes": [64], "seeds": 3, "epochs": 3,
              "layer_bench": False},
    "full": {"tasks": ["forecast", "sequences", "ucr", "text"], "sizes": [64, 256],
             "seeds": 5, "epochs": 10, "layer_bench": True},
}


def check_study_options(config) -> None:
    """Check a study configuration's own fields (the fit options are checked apart).

    Args:
        config: a :class:`seqkit.recipes.config.CompareConfig`.

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

    >>> from seqkit.recipes.config import CompareConfig
    >>> resolve(CompareConfig(preset="full", seeds=3)).seeds
    3
    """
    preset = PRESETS[config.preset]
    return dataclasses.replace(config, **{k: v for k, v in preset.items()
                                          if getattr(config, k) is None})
