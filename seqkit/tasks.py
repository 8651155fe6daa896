"""The task registry: one name per task, one line per task.

A task is a package (``seqkit.forecasting``, ``seqkit.classification``, ...) whose task
class (a :class:`seqkit.fit.pipeline.FitTask`) declares what differs: how raw inputs are
prepared, its summary lines, its export outputs, its capabilities. Everything generic —
:meth:`seqkit.fit.FitResult.load`, export naming, the recipes and the CLI, the study —
finds a task through this table, by the name a :class:`~seqkit.fit.FitResult` stores in
``task``; nothing else compares task names. Adding a task is one package plus one line
here.

The classes are named as ``"module:Class"`` and imported on first use, so the generic
packages never import a task package (dependencies run one way: tasks → fit, serving).

Example:

>>> from seqkit import tasks
>>> tasks.names()
['anomaly_detection', 'forecasting', 'language_modelling', 'sequence_classification', \
'sequence_regression', 'text_classification']
>>> tasks.task_class("forecasting").__name__
'Forecasting'
>>> tasks.task_class("forecast")
Traceback (most recent call last):
...
seqkit.errors.ConfigError: unknown task 'forecast'; expected one of ['anomaly_detection', \
'forecasting', 'language_modelling', 'sequence_classification', 'sequence_regression', \
'text_classification']
"""

from __future__ import annotations

import importlib

from seqkit.errors import ConfigError

#: task name → ``"module:Class"`` of its task class (a FitTask).
REGISTRY = {
    "anomaly_detection": "seqkit.anomaly.task:AnomalyDetection",
    "forecasting": "seqkit.forecasting.task:Forecasting",
    "language_modelling": "seqkit.language.task:LanguageModelling",
    "sequence_classification": "seqkit.classification.sequences:SequenceClassification",
    "sequence_regression": "seqkit.regression.task:SequenceRegression",
    "text_classification": "seqkit.classification.text:TextClassification",
}


def names() -> list[str]:
    """The registered task names, sorted.

    Returns:
        The names, as :attr:`seqkit.fit.FitResult.task` holds them.

    Example:

    >>> "text_classification" in names()
    True
    """
    return sorted(REGISTRY)


def is_task(name) -> bool:
    """Whether ``name`` is a registered task's name.

    Args:
        name: anything.

    Returns:
        True for a registered name.

    Example:

    >>> is_task("forecasting"), is_task("generic")
    (True, False)
    """
    return isinstance(name, str) and name in REGISTRY


def task_class(name: str) -> type:
    """The task class registered as ``name`` (its package is imported now).

    Args:
        name: a registered task name.

    Returns:
        The :class:`seqkit.fit.pipeline.FitTask` subclass.

    Raises:
        ConfigError: ``name`` is not registered (the message lists the names).

    Example:

    >>> task_class("sequence_classification").name
    'sequence_classification'
    """
    if not is_task(name):
        raise ConfigError(f"unknown task {name!r}; expected one of {names()}")
    module, _, cls = REGISTRY[name].partition(":")
    return getattr(importlib.import_module(module), cls)
