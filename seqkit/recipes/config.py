"""Recipe configurations: dataclasses with defaults, a JSON config file, and flags on top.

Precedence: dataclass defaults < ``--config FILE`` (JSON) < flags given on the command line.
Every field becomes a flag (``--batch-size 64``; booleans as ``--export/--no-export``) with
a help line: the fit options' own (``seqkit.fit.FitOptions``) for the fields a recipe
passes to the fit function, :data:`HELP` for the rest. The fit options are validated
when the configuration is built (:meth:`TrainConfig.fit_options`), before any training.

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
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path

from seqkit.errors import ConfigError
from seqkit.fit.options import FitOptions
from seqkit.validation import check_int

HELP = {
    "name": "run name (folder under runs_dir); default <task>-<cell>",
    "strategy": "auto|cpu|gpu|mirrored|tpu|multiworker (auto: TPU, GPUs, else CPU)",
    "batch_size": "examples per optimizer step and replica (the global batch scales)",
    "mixed_precision": "float16 on GPU, bfloat16 on TPU/CPU",
    "runs_dir": "where runs/<name>/ (config, metrics, model, backup) is written",
    "saved_models_dir": "where the TF Serving export <name>/<version>/ is written",
    "export": "export the trained model for TF Serving",
    "report": "measure the export (latency, memory) into a report beside it",
    "tflite": "also measure a LiteRT/TFLite conversion in the report",
    "fresh": "discard an interrupted run's backup instead of resuming it",
    "data": "the data: a built-in name or a local file/folder (see the recipe's help)",
    "data_dir": "tensorflow-datasets data_dir (prepared offline)",
    "max_examples": "keep at most this many examples (stratified)",
    "max_tokens": "vocabulary size (training split only)",
    "sequence_length": "tokens kept per text; None: the 95th percentile of training lengths",
    "embedding_dim": "embedding width",
    "columns": "CSV columns to read (comma-separated); default all numeric ones",
    "time_column": "CSV column holding the time stamps",
    "window": "input steps per window",
    "horizon": "steps forecast per window",
    "stride": "steps between consecutive windows",
    "nan_policy": "error|interpolate|drop for missing values",
    "period": "seasonal period of the naive baseline; None: the series' own",
    "tasks": "comma-separated tasks to compare: forecast,sequences,text",
    "cells": "comma-separated cells to compare (seqkit.layers.VARIANTS names)",
    "seeds": "seeds per (task, cell): mean and spread over them",
    "text_data": "text data; default ../shared/data/sentiment_sentences when present",
    "text_max_examples": "keep at most this many texts",
    "forecast_data": "series for the forecast task",
    "sequence_data": "data set for the sequence task",
    "out_dir": "where compare.md/.json/.png are written",
    "latency_repeats": "repeats per (batch, length) point of the serving latency grid",
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


@dataclass
class TrainConfig:
    """What every training recipe takes."""

    name: str | None = None  # run name; default "<task>-<cell>"
    cell: str = "lstm"  # a seqkit.layers.VARIANTS name
    units: int = 64
    layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0
    epochs: int | str = 5  # or "auto" (seqkit.fit.budget)
    batch_size: int | str = 32  # per replica (the global batch scales), or "auto"
    learning_rate: float = 1e-3
    patience: int | str | None = 3  # early stopping on val_loss; "auto"; None: off
    seed: int = 0
    strategy: str = "auto"  # auto|cpu|gpu|mirrored|tpu|multiworker
    mixed_precision: bool = False
    runs_dir: str = "runs"
    saved_models_dir: str = "saved_models"
    export: bool = True
    report: bool = True
    tflite: bool = False  # also measure a LiteRT conversion in the report
    fresh: bool = False  # discard an interrupted run's backup instead of resuming
    verbose: int = 2

    def __post_init__(self):
        self.fit_options()  # bad fit options fail here, before any training

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


@dataclass
class TextConfig(TrainConfig):
    data: str = field(default="imdb_reviews", metadata={
        "help": "a tensorflow-datasets name or a local TSV/CSV/JSONL file or folder"})
    data_dir: str | None = None  # tensorflow-datasets data_dir
    max_examples: int | None = None
    max_tokens: int = 20000
    sequence_length: int | None = None  # None: the 95th percentile of training lengths
    embedding_dim: int = 64


@dataclass
class ForecastConfig(TrainConfig):
    data: str = field(default="co2", metadata={
        "help": "a built-in real series (co2, elnino, sunspots) or a CSV path"})
    columns: list[str] | None = None
    time_column: str | None = None
    window: int = 52
    horizon: int = 4
    stride: int = 1
    nan_policy: str = "interpolate"
    period: int | None = None  # seasonal period for the naive baseline; None: the series'
    units: int = 32
    epochs: int = 10
    batch_size: int = 64


@dataclass
class SequenceConfig(TrainConfig):
    data: str = field(default="digits", metadata={
        "help": "digits, ucr:<Name> (a UCR/UEA problem aeon ships, e.g. ucr:ArrowHead; its "
                "official test split) or a .ts file/folder (<Name>_TRAIN.ts [+ _TEST.ts])"})
    units: int = 32
    # Small UCR sets (36 series) get 10 steps from a fixed 10 epochs of 32: the budget
    # in optimizer steps (seqkit.fit.budget) is the default here.
    epochs: int | str = "auto"
    batch_size: int | str = "auto"
    patience: int | str | None = "auto"


@dataclass
class CompareConfig:
    """The LSTM-vs-GRU comparison: same budget for every cell, several seeds."""

    tasks: list[str] = field(default_factory=lambda: ["forecast", "sequences", "text"])
    cells: list[str] = field(default_factory=lambda: ["lstm", "gru"])
    seeds: int = 1
    epochs: int = 3
    units: int = 32
    batch_size: int = 32
    learning_rate: float = 3e-3
    text_data: str | None = None  # default: ../shared/data/sentiment_sentences when present
    text_max_examples: int | None = None
    forecast_data: str = "co2"
    sequence_data: str = "digits"
    strategy: str = "auto"
    out_dir: str = "runs/compare"
    saved_models_dir: str = "saved_models/compare"
    latency_repeats: int = 5  # repeats per (batch, length) point of the serving grid
    verbose: int = 0

    def __post_init__(self):
        check_int("seeds", self.seeds)
        check_int("latency_repeats", self.latency_repeats)
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        FitOptions.pick(values, strategy=None).checked()  # the options every fit gets


CONFIGS = {"text": TextConfig, "forecast": ForecastConfig, "sequences": SequenceConfig}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _base_type(tp):
    """``int | None`` -> (int, optional); ``list[str] | None`` -> (list, optional)."""
    args = typing.get_args(tp)
    optional = type(None) in args
    if args and typing.get_origin(tp) is not list:
        tp = next(a for a in args if a is not type(None))
    return tp, optional


def _parse_value(tp, text: str, flag: str):
    takes_auto = str in typing.get_args(tp)  # int | str fields take "auto" (fit budget)
    tp, optional = _base_type(tp)
    if optional and text.lower() in ("none", "null", ""):
        return None
    if takes_auto and text == "auto":
        return text
    origin = typing.get_origin(tp)
    try:
        if origin is list:
            item = typing.get_args(tp)[0]
            return [item(v) for v in text.split(",") if v]
        return tp(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{flag} expects {getattr(tp, '__name__', tp)}, got {text!r}") from None


def add_config_arguments(parser: argparse.ArgumentParser, config_cls) -> None:
    """One flag per field of ``config_cls``, default SUPPRESS so we can tell what was given."""
    hints = typing.get_type_hints(config_cls)
    parser.add_argument("--config", metavar="FILE", help="JSON file with any of these options")
    for f in dataclasses.fields(config_cls):
        tp = hints[f.name]
        words = f.metadata.get("help") or help_for(f.name)
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        if tp is bool:
            parser.add_argument(_flag(f.name), action=argparse.BooleanOptionalAction,
                                default=argparse.SUPPRESS,
                                help=f"{words} (default: {default})")
        else:
            flag = _flag(f.name)
            shown = ",".join(default) if isinstance(default, list) else default
            parser.add_argument(flag, dest=f.name, default=argparse.SUPPRESS,
                                type=lambda s, tp=tp, flag=flag: _parse_value(tp, s, flag),
                                metavar=f.name.upper(),
                                help=f"{words} (default: {shown})")


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
