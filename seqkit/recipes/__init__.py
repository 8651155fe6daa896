"""Recipes: configuration + one end-to-end run (train → evaluate → export → report).

The scripts in ``recipes/`` and the ``seqkit train`` / ``seqkit compare`` commands are thin
front ends over :func:`run_recipe` and :func:`run_compare`.
"""

from seqkit.recipes.config import (
    CompareConfig,
    ForecastConfig,
    SequenceConfig,
    TextConfig,
    TrainConfig,
    add_config_arguments,
    build_config,
    config_class,
    config_from_namespace,
)

__all__ = [
    "CompareConfig", "ForecastConfig", "SequenceConfig", "TextConfig",
    "TrainConfig", "add_config_arguments", "build_config", "config_class",
    "config_from_namespace",
    "run_compare", "run_recipe",
]


def run_recipe(task, config, **kwargs):
    from seqkit.recipes.run import run_recipe as _run

    return _run(task, config, **kwargs)


def run_compare(config, **kwargs):
    from seqkit.recipes.compare import run_compare as _run

    return _run(config, **kwargs)
