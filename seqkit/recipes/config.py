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
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from seqkit.data.timeseries import CALENDAR_FEATURES, list_builtin_collections
from seqkit.errors import ConfigError
from seqkit.fit.forecast import Forecasting
from seqkit.fit.options import FitOptions
from seqkit.forecasting.baselines import BASELINES
from seqkit.validation import check_bool, check_choice, check_int, fail

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
    "tensorboard": "write TensorBoard logs (epoch scalars, a gate-trace heatmap) into "
                   "runs/<name>/tensorboard",
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
    tensorboard: bool = True  # TensorBoard logs in runs/<name>/tensorboard
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


def _option(default, help_text: str, *, factory=None):
    """A configuration field with its command-line help line."""
    if factory is not None:
        return field(default_factory=factory, metadata={"help": help_text})
    return field(default=default, metadata={"help": help_text})


@dataclass
class ForecastConfig(TrainConfig):
    """The forecast recipe: :func:`seqkit.fit_forecaster`'s own arguments, then an optional
    backtest (:func:`seqkit.forecasting.backtest.backtest`) over the test part.

    Checked when built, before any training: the fit options, the forecaster's own
    arguments (:meth:`seqkit.fit.forecast.Forecasting.check`), the split sizes and the
    backtest settings.

    Example:

    >>> config = ForecastConfig(quantiles=[0.1, 0.9], test_size=52, backtest=True)
    >>> config.val_size, config.backtest_stride, config.backtest_retrain
    (0.15, 1, False)
    >>> ForecastConfig(horizon=4, test_size=2)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: test_size must be 0, an integer >= horizon=4 or a fraction \
in [0, 1), got 2
    """

    data: str = field(default="co2", metadata={
        "help": "a built-in series (co2, elnino, sunspots, uschange), a built-in collection "
                "(m1_yearly: one global model) or a CSV path (a long one with --id-column)"})
    columns: list[str] | None = None
    time_column: str | None = None
    window: int = 52
    horizon: int = 4
    stride: int = 1
    nan_policy: str = "interpolate"
    period: int | None = None  # seasonal period for the naive baseline; None: the series'
    target_columns: list[str] | None = _option(
        None, "columns to forecast; the other columns are past covariates (inputs only); "
        "default every column that is not a future covariate")
    future_covariates: list[str] | None = _option(
        None, "columns known in advance over the horizon (user regressors): a second input")
    calendar: list[str] | str | None = _option(
        None, "auto or names (hour, day_of_week, day_of_month, day_of_year, week_of_year, "
        "month): sine/cosine encodings of the horizon's dates as future covariates")
    id_column: str | None = _option("id", "a long CSV's series id column (many series)")
    static_columns: list[str] | None = _option(
        None, "per-series numeric constants of a long CSV (static covariates)")
    val_size: int | float = _option(
        0.15, "validation steps at each series' end: an int (steps) or a fraction; 0: none")
    test_size: int | float = _option(
        0.15, "test steps at each series' end: an int (steps) or a fraction; 0: none")
    quantiles: list[float] | None = _option(
        None, "quantile levels, e.g. 0.1 0.5 0.9: quantile heads trained with the pinball "
        "loss (0.5 added if absent); None: a point forecast")
    scaling: str = _option("auto", "global|window|auto (auto: window for many series)")
    baselines: list[str] = _option(
        None, "baselines scored on the same test origins (seqkit.forecasting.BASELINES)",
        factory=lambda: list(BASELINES))
    baseline_refit: bool = _option(False, "re-estimate ETS and Theta at every origin (slow)")
    backtest: bool = _option(
        False, "after training, forecast from rolling origins over the test part into "
        "runs/<name>/backtest.json (and backtest.png)")
    backtest_stride: int = _option(1, "steps between backtest origins")
    backtest_retrain: bool | int = _option(
        False, "false: the trained model at every origin; true: refit at every origin; "
        "k: refit every k origins (on the data before the origin only)")
    units: int = 32
    # the fit's own defaults: a budget in optimizer steps (seqkit.fit.budget), early
    # stopping with a patience that scales with it (a fixed 10 epochs of 64 left CO2's
    # model behind last value and drift; recipes/README.md)
    epochs: int | str = "auto"
    batch_size: int | str = "auto"
    patience: int | str | None = "auto"

    def __post_init__(self):
        super().__post_init__()
        self.forecast_task()
        self._check_backtest()

    def forecast_task(self):
        """The checked forecasting task of this recipe (its data not loaded yet).

        Returns:
            A :class:`seqkit.fit.forecast.Forecasting` whose arguments passed its checks.

        Raises:
            seqkit.errors.ConfigError: naming the first bad value.
        """
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in ("columns", "target_columns", "future_covariates", "static_columns",
                     "quantiles", "baselines"):
            if values[name] is not None and not isinstance(values[name], (list, tuple)):
                fail(name, "a list" + ("" if name == "baselines" else " or None"),
                     values[name])
        if self.calendar not in (None, "auto"):
            if not isinstance(self.calendar, (list, tuple)):
                fail("calendar", f"None, 'auto' or a list of {CALENDAR_FEATURES}",
                     self.calendar)
            for name in self.calendar:
                check_choice("calendar", name, CALENDAR_FEATURES)
        check_choice("nan_policy", self.nan_policy, ("error", "interpolate", "drop"))
        task = Forecasting.pick({**values, "series": self.data})
        task.check()
        for name in ("val_size", "test_size"):
            _check_size(name, getattr(self, name), task.horizon)
        fractions = [s for s in (self.val_size, self.test_size) if isinstance(s, float)]
        if sum(fractions) >= 1.0:
            fail("val_size + test_size", "< 1 as fractions", sum(fractions))
        return task

    def _check_backtest(self) -> None:
        check_bool("backtest", self.backtest)
        check_int("backtest_stride", self.backtest_stride)
        retrain = self.backtest_retrain
        if not isinstance(retrain, bool) and (not isinstance(retrain, int) or retrain < 1):
            fail("backtest_retrain", "True, False or an integer >= 1 (refit every k "
                 "origins)", retrain)
        if not self.backtest:
            return
        if self.test_size == 0:
            fail("test_size", "> 0 with backtest (the backtest runs over the test part)",
                 self.test_size)
        if self.data in list_builtin_collections():
            fail("data", "one series with backtest (backtest takes one series)", self.data)


def _check_size(name: str, value, horizon: int):
    """A val/test size as :func:`seqkit.data.timeseries.origin_split` takes it."""
    what = f"0, an integer >= horizon={horizon} or a fraction in [0, 1)"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(name, what, value)
    if isinstance(value, int):
        if value < 0 or 0 < value < horizon:
            fail(name, what, value)
    elif not 0.0 <= value < 1.0:  # False for NaN
        fail(name, what, value)
    return value


@dataclass
class SequenceConfig(TrainConfig):
    data: str = field(default="digits", metadata={
        "help": "digits, ucr:<Name> (a UCR/UEA problem aeon ships, e.g. ucr:ArrowHead; its "
                "official test split) or a .ts file/folder (<Name>_TRAIN.ts [+ _TEST.ts])"})
    # fit_sequence_classifier's own defaults (64 units, Adam 3e-3: docs/classification.md)
    units: int = 64
    learning_rate: float = 3e-3
    # Small UCR sets (36 series) get 10 steps from a fixed 10 epochs of 32: the budget
    # in optimizer steps (seqkit.fit.budget) is the default here.
    epochs: int | str = "auto"
    batch_size: int | str = "auto"
    patience: int | str | None = "auto"


CONFIGS = {"text": TextConfig, "forecast": ForecastConfig, "sequences": SequenceConfig}


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
        config_cls: a configuration dataclass (:data:`CONFIGS`, the study's
            ``seqkit.study.CompareConfig``).

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
