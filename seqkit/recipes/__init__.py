"""Recipes: configuration + one end-to-end run (train → evaluate → export → report).

The scripts in ``recipes/`` and the ``seqkit train`` command are thin front ends over
:func:`run_recipe`. The LSTM-vs-GRU study (``seqkit compare``) lives in :mod:`seqkit.study`,
which runs these recipes; nothing here imports it.
"""

from seqkit.recipes.config import (
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
    "ForecastConfig", "SequenceConfig", "TextConfig", "TrainConfig", "add_config_arguments",
    "build_config", "config_class", "config_from_namespace", "run_recipe",
]


def run_recipe(task, config, **kwargs):
    from seqkit.recipes.run import run_recipe as _run

    return _run(task, config, **kwargs)
