"""Recipe configurations: dataclasses with defaults, a JSON config file, and flags on top.

Each registered task's recipe configuration is generated (:func:`config_class`) from the
one place its options are written: the shared fit options' fields
(:class:`seqkit.fit.FitOptions`) and the task class's fields, with their defaults, types
and help lines, then the task's recipe overrides (``recipe_defaults``) and the recipe's
own options (``recipe_options``). A fit parameter no option reaches is named, with its
reason, by :func:`unreachable_fit_parameters` (a test keeps that to data and objects).

Precedence: dataclass defaults < ``--config FILE`` (JSON) < flags given on the command line.
Every field becomes a flag (``--batch-size 64``; booleans as ``--export/--no-export``) with
its help line (:data:`HELP` for the recipe's own). The fit options and the task's own
arguments are checked when the configuration is built, before any training.

Example:

>>> from seqkit.recipes.config import ForecastConfig, build_config
>>> config = build_config(ForecastConfig, {"units": 16})
>>> config.units, config.window
(16, 52)
>>> build_config(ForecastConfig, {"epochs": 0})
Traceback (most recent call last):
...
seqkit.errors.ConfigError: epochs must be 'auto' or an integer >= 1, got 0
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import inspect
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from seqkit import tasks
from seqkit.errors import ConfigError
from seqkit.fit.options import FitOptions
from seqkit.validation import fail

HELP = {
    "name": "run name (folder under runs_dir); default <task>-<cell>",
    "batch_size": "examples per optimizer step and replica (the global batch scales)",
    "mixed_precision": "float16 on GPU, bfloat16 on TPU/CPU",
    "runs_dir": "where runs/<name>/ (config, metrics, model, backup) is written",
    "saved_models_dir": "where the TF Serving export <name>/<version>/ is written",
    "export": "export the trained model for TF Serving",
    "report": "measure the export (latency, memory) into a report beside it",
    "tflite": "also measure a LiteRT/TFLite conversion in the report",
    "tensorboard": "write TensorBoard logs (epoch scalars, a gate-trace heatmap) into "
                   "runs/<name>/tensorboard",
    "fresh": "discard an interrupted run's backup instead of resuming it",
}


def help_for(name: str) -> str:
    """The help line of option ``name``: the fit options' own, else :data:`HELP`.

    Args:
        name: a configuration field.

    Returns:
        The help text.

    Raises:
        KeyError: a field without help (a test keeps every flag documented).

    Example:

    >>> help_for("learning_rate")
    "Adam's learning rate"
    """
    if name in HELP:
        return HELP[name]
    fields_ = {f.name: f for f in dataclasses.fields(FitOptions)}
    return fields_[name].metadata["help"]


#: the recipes' defaults where they differ from the fit functions' (every task)
RECIPE_DEFAULTS = {"verbose": 2, "strategy": "auto", "tensorboard": True}


@dataclass
class TrainConfig:
    """What every training recipe takes besides its task's options.

    A task's recipe configuration (:func:`config_class`) adds the shared fit options
    (:class:`seqkit.fit.FitOptions`) and the task's own (its task class's fields), both
    with the fit function's defaults, the task's recipe defaults where they differ
    (``recipe_defaults``), and the options only its recipe has (``recipe_options``: its
    data, a backtest, ...). Every one becomes a flag of ``seqkit train <task>``.
    """

    name: str | None = None  # run name; default "<task>-<cell>"
    mixed_precision: bool = False
    runs_dir: str = "runs"
    saved_models_dir: str = "saved_models"
    export: bool = True
    report: bool = True
    tflite: bool = False  # also measure a LiteRT conversion in the report
    fresh: bool = False  # discard an interrupted run's backup instead of resuming

    #: the registered task this configuration trains (set by :func:`config_class`)
    task: ClassVar[str | None] = None

    def __post_init__(self):
        self._check_lists()
        self.fit_options()  # bad fit options fail here, before any training
        if self.task is not None:
            self.task_args().check()
            tasks.task_class(self.task).check_recipe(self)

    def _check_lists(self) -> None:
        """A list option holds a list (a JSON file or Python gives any value; a flag's
        words are split already): ``"Consumption"`` is not ``["Consumption"]``."""
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            kinds, value = _union(hints[f.name]), getattr(self, f.name)
            if _list_item(hints[f.name]) is None or isinstance(value, (list, tuple)):
                continue
            if (value is None and type(None) in kinds) or (str in kinds and
                                                          isinstance(value, str)):
                continue
            fail(f.name, "a list" + (" or None" if type(None) in kinds else ""), value)

    def fit_options(self, **runtime) -> FitOptions:
        """The checked :class:`seqkit.fit.FitOptions` of this recipe.

        Args:
            **runtime: what only exists at run time (``strategy`` object, ``callbacks``,
                ``backup_dir``, the global ``batch_size``); ``strategy`` defaults to None.

        Returns:
            Checked fit options.
        """
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return FitOptions.pick(values, **{"strategy": None, **runtime}).checked()

    def task_args(self):
        """The task's own arguments of this recipe as its task class holds them (its data
        not loaded): what :meth:`seqkit.fit.pipeline.FitTask.check` checks.

        Returns:
            An instance of the registered task class.
        """
        cls = tasks.task_class(self.task)
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data_field = dataclasses.fields(cls)[0].name
        return cls.pick({**values, data_field: self.data})

    def fit_kwargs(self) -> dict:
        """The task's own keyword arguments of its fit function (not the data, not the
        shared fit options).

        Returns:
            ``{name: value}``.
        """
        names = set(_task_fields(tasks.task_class(self.task)))
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name in names}


def _task_fields(owner) -> dict:
    """The options of a task class (or FitOptions) a recipe offers: ``{name: Field}``."""
    return {f.name: f for f in dataclasses.fields(owner)
            if not f.metadata.get("recipe_reason")}


def _recipe_field(name: str, tp, default, help_text: str) -> tuple:
    if isinstance(default, (list, tuple)):
        value = list(default)
        spec = field(default_factory=lambda: list(value), metadata={"help": help_text})
    else:
        spec = field(default=default, metadata={"help": help_text})
    return (name, tp, spec)


def recipe_fields(task: str) -> list[tuple]:
    """The fields of ``task``'s recipe configuration beyond :class:`TrainConfig`'s, as
    ``dataclasses.make_dataclass`` takes them.

    Args:
        task: a registered task name.

    Returns:
        ``[(name, type, field)]``: the shared fit options, the task's own, the recipe's
        own, each with its default and help line.

    Example:

    >>> fields = {name: spec for name, _, spec in recipe_fields("forecasting")}
    >>> fields["units"].default, fields["window"].default, fields["residual"].default
    (32, 52, True)
    """
    cls = tasks.task_class(task)
    overrides = {**RECIPE_DEFAULTS, **cls.option_defaults, **cls.recipe_defaults}
    out = []
    for owner in (FitOptions, cls):
        hints = typing.get_type_hints(owner)
        for name, f in _task_fields(owner).items():
            tp = f.metadata.get("cli") or hints[name]
            default = overrides.get(name, f.default)
            help_text = HELP.get(name) or f.metadata.get("help", "")
            out.append(_recipe_field(name, tp, default, help_text))
    for name, (tp, default, help_text) in cls.recipe_options.items():
        out.append(_recipe_field(name, tp, cls.recipe_defaults.get(name, default), help_text))
    return out


@functools.cache
def config_class(task: str) -> type:
    """The recipe configuration of a registered task, generated from its fields.

    Args:
        task: a registered task name (:func:`seqkit.tasks.names`).

    Returns:
        A dataclass (a :class:`TrainConfig`) named ``<TaskClass>Config``.

    Example:

    >>> config = config_class("sequence_classification")(units=8)
    >>> type(config).__name__, config.units, config.learning_rate, config.data
    ('SequenceClassificationConfig', 8, 0.003, 'digits')
    """
    cls = tasks.task_class(task)
    made = dataclasses.make_dataclass(f"{cls.__name__}Config", recipe_fields(task),
                                      bases=(TrainConfig,), namespace={"task": task})
    made.__module__ = __name__
    made.__doc__ = (f"The ``seqkit train {task}`` recipe: {cls.__name__}'s options and the "
                    f"shared fit options (generated by seqkit.recipes.config.config_class).")
    return made


def recipe_names() -> list[str]:
    """The tasks with a recipe: every registered task.

    Returns:
        The names ``seqkit train`` takes.

    Example:

    >>> recipe_names()[:2]
    ['anomaly_detection', 'forecasting']
    """
    return tasks.names()


ForecastConfig = config_class("forecasting")
TextConfig = config_class("text_classification")
SequenceConfig = config_class("sequence_classification")


def unreachable_fit_parameters(task: str) -> dict:
    """The fit function's parameters that no recipe option reaches, with the reason each
    one's field gives (a test keeps this to data and Python objects).

    Args:
        task: a registered task name.

    Returns:
        ``{parameter: reason}``; a parameter without a field says so.

    Example:

    >>> unreachable_fit_parameters("forecasting")  # the shared options come as **options
    {'series': "the data: the recipe's data option"}
    """
    cls = tasks.task_class(task)
    fields_ = {f.name: f for owner in (FitOptions, cls) for f in dataclasses.fields(owner)}
    names = {f.name for f in dataclasses.fields(config_class(task))}
    out = {}
    for param, spec in inspect.signature(cls.fit_function).parameters.items():
        if spec.kind is spec.VAR_KEYWORD:  # **options: every FitOptions field
            continue
        if param not in names:
            f = fields_.get(param)
            reason = f.metadata.get("recipe_reason") if f is not None else None
            out[param] = reason or "no field of the task or FitOptions holds it"
    return out


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


_WORDS = {"true": True, "yes": True, "false": False, "no": False}


def _union(tp) -> tuple:
    """``int | None`` -> ``(int, NoneType)``; a plain type -> ``(tp,)``."""
    return typing.get_args(tp) if typing.get_origin(tp) in (typing.Union, types.UnionType) \
        else (tp,)


def _list_item(tp):
    """The item type of a list field (``list[float] | None`` -> float), else None."""
    lists = [a for a in _union(tp) if typing.get_origin(a) is list]
    return typing.get_args(lists[0])[0] if lists else None


def _parse_scalar(kinds: tuple, text: str, flag: str):
    """``text`` as the first of ``kinds`` it reads as: a ``str`` field takes any text, a
    field that also takes ``str`` (``int | str``) takes only ``"auto"`` that way, a
    ``bool | int`` field true/false/yes/no or an integer, an ``int | float`` field an
    integer (steps) before a float (a fraction)."""
    if type(None) in kinds and text.lower() in ("none", "null", ""):
        return None
    kinds = tuple(k for k in kinds if k is not type(None))
    if kinds == (str,) or (str in kinds and text == "auto"):
        return text
    if bool in kinds and text.lower() in _WORDS:
        return _WORDS[text.lower()]
    for kind in (int, float):
        if kind in kinds:
            try:
                return kind(text)
            except ValueError:
                pass
    names = " or ".join(k.__name__ for k in kinds if k is not str)
    raise argparse.ArgumentTypeError(f"{flag} expects {names}, got {text!r}")


def _parse_value(tp, text: str, flag: str):
    """One command-line word as field type ``tp``; a list field's word is a
    comma-separated list (``"0.1,0.9"`` -> ``[0.1, 0.9]``)."""
    item = _list_item(tp)
    if item is None:
        return _parse_scalar(_union(tp), text, flag)
    kinds = _union(tp)
    if (type(None) in kinds and text.lower() in ("none", "null")) or (
            str in kinds and text == "auto"):
        return _parse_scalar(kinds, text, flag)
    return [_parse_scalar((item,), v, flag) for v in text.split(",") if v]


class _ListFlag(argparse.Action):
    """A list flag: words separated by spaces or commas (``--quantiles 0.1 0.5 0.9``,
    ``--columns a,b``), or one word ``none``/``auto`` where the field takes it."""

    def __call__(self, parser, namespace, values, option_string=None):
        if len(values) == 1 and not isinstance(values[0], list):
            setattr(namespace, self.dest, values[0])
            return
        if any(not isinstance(v, list) for v in values):
            raise argparse.ArgumentError(self, "none/auto must be the only word")
        setattr(namespace, self.dest, [x for v in values for x in v])


def add_config_arguments(parser: argparse.ArgumentParser, config_cls) -> None:
    """One flag per field of ``config_cls``, default SUPPRESS so we can tell what was given.

    Booleans are ``--flag/--no-flag``; list fields take several words (``--quantiles 0.1
    0.5 0.9``) or commas; ``int | float`` fields read an integer as steps and anything
    else as a float; ``none`` sets an optional field to None.

    Args:
        parser: the (sub)parser to add the flags to.
        config_cls: a configuration dataclass (:func:`config_class`, the study's
            ``CompareConfig``).

    Example:

    >>> parser = argparse.ArgumentParser()
    >>> add_config_arguments(parser, ForecastConfig)
    >>> args = parser.parse_args(["--quantiles", "0.1", "0.9", "--test-size", "24",
    ...                           "--val-size", "0.1", "--backtest-retrain", "true"])
    >>> args.quantiles, args.test_size, args.val_size, args.backtest_retrain
    ([0.1, 0.9], 24, 0.1, True)
    """
    hints = typing.get_type_hints(config_cls)
    parser.add_argument("--config", metavar="FILE", help="JSON file with any of these options")
    for f in dataclasses.fields(config_cls):
        tp = hints[f.name]
        words = f.metadata.get("help") or help_for(f.name)
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        flag = _flag(f.name)
        if tp is bool:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction,
                                default=argparse.SUPPRESS,
                                help=f"{words} (default: {default})")
            continue
        shown = ",".join(map(str, default)) if isinstance(default, list) else default
        list_kw = {"nargs": "+", "action": _ListFlag} if _list_item(tp) is not None else {}
        parser.add_argument(flag, dest=f.name, default=argparse.SUPPRESS,
                            type=lambda s, tp=tp, flag=flag: _parse_value(tp, s, flag),
                            metavar=f.name.upper(), help=f"{words} (default: {shown})",
                            **list_kw)


def build_config(config_cls, given: dict | None = None, config_file=None):
    """Defaults < JSON file < ``given`` (flags). Unknown keys are an error naming them."""
    values = {}
    names = {f.name for f in dataclasses.fields(config_cls)}
    if config_file:
        path = Path(config_file)
        try:
            values.update(json.loads(path.read_text()))
        except FileNotFoundError:
            raise ConfigError(f"config file {str(path)!r} does not exist") from None
        except json.JSONDecodeError as err:
            raise ConfigError(f"config file {str(path)!r} is not valid JSON: {err}") from None
    values.update(given or {})
    unknown = sorted(set(values) - names)
    if unknown:
        raise ConfigError(
            f"unknown option(s) {unknown} for {config_cls.__name__}; known: {sorted(names)}")
    return config_cls(**values)


def config_from_namespace(config_cls, namespace: argparse.Namespace):
    given = {k: v for k, v in vars(namespace).items()
             if k in {f.name for f in dataclasses.fields(config_cls)}}
    return build_config(config_cls, given, getattr(namespace, "config", None))


def to_dict(config) -> dict:
    return dataclasses.asdict(config)
