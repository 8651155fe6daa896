"""The options every fit function shares, validated once.

:class:`FitOptions` holds the recurrent stack (``cell``, ``units``, ``layers``,
``bidirectional``, ``dropout``, ``recurrent_dropout``) and the training loop (``epochs``,
``batch_size``, ``learning_rate``, ``seed``, ``patience``, ``strategy``, ``callbacks``,
``backup_dir``, ``tensorboard``, ``verbose``). The fit functions build one from their
keyword arguments; the recipe configurations (``seqkit.recipes.config``) build one from
theirs, so a bad option fails the same way, with the same message, before any training
starts.

Example:

>>> from seqkit.fit.options import FitOptions
>>> options = FitOptions(cell="gru", units=16, epochs=3).checked()
>>> options.rnn
RNNSpec(cell='gru', units=16, layers=1, bidirectional=False, dropout=0.0, recurrent_dropout=0.0)
>>> FitOptions(batch_size=0).checked()
Traceback (most recent call last):
...
seqkit.errors.ConfigError: batch_size must be 'auto' or an integer >= 1, got 0

JSON-able descriptions of fit arguments, for ``FitResult.config``.

Example:

>>> import numpy as np
>>> from seqkit.fit.options import describe_cell, describe_source
>>> describe_cell("GRU")
'gru'
>>> describe_source(np.zeros((10, 4)))
{'type': 'ndarray', 'shape': [10, 4]}

The recurrent part of every fit's model: ``layers`` stacked RNNs built with ``make_rnn``.

Example:

>>> import keras
>>> x = keras.Input((5, 3))
>>> tuple(RNNSpec("gru", units=4, layers=2).apply(x).shape)
(None, 4)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import keras

from seqkit.errors import ConfigError
from seqkit.fileio import jsonable
from seqkit.fit.tensorboard import check_tensorboard
from seqkit.layers import VARIANTS, make_rnn
from seqkit.validation import (
    check_bool,
    check_choice,
    check_fraction,
    check_int,
    check_number,
    check_optional_int,
    fail,
)

LR_SCHEDULES = ("plateau", None)


def _auto_or(check, name: str, value, **kwargs):
    """``"auto"``, or ``value`` through ``check``; the message names both."""
    if value == "auto":
        return value
    try:
        return check(name, value, **kwargs)
    except ValueError:
        pass
    minimum = kwargs.get("minimum", 1)
    choices = "'auto', None or" if check is check_optional_int else "'auto' or"
    fail(name, f"{choices} an integer >= {minimum}", value)


def option(default=dataclasses.MISSING, help_text: str = "", *, cli=None,
           recipe_reason: str | None = None, factory=None):
    """A dataclass field for an option of the fit functions: its default and the help line
    the command line shows — the one place a task's option is written (the recipes and the
    ``seqkit train`` flags are generated from these fields).

    Args:
        default: the default (omit for a required field; a list or tuple default becomes
            a tuple, so the field stays immutable).
        help_text: the help line.
        cli: the type the command line parses, when the annotation is wider (``object``).
        recipe_reason: why a recipe does not offer it (data arrays, Python objects);
            None: it does.
        factory: makes the default instead (a mutable one, e.g. a list), as
            ``dataclasses.field(default_factory=...)``.

    Returns:
        A ``dataclasses.field``.

    Example:

    >>> import dataclasses
    >>> @dataclasses.dataclass
    ... class Demo:
    ...     window: int = option(24, "input steps per window")
    >>> dataclasses.fields(Demo)[0].metadata["help"]
    'input steps per window'
    """
    metadata = {"help": help_text, "cli": cli, "recipe_reason": recipe_reason}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    if isinstance(default, list):
        default = tuple(default)
    return field(default=default, metadata=metadata)



@dataclass(frozen=True)
class FitOptions:
    """What every fit function takes besides its data and its task's own arguments (its
    ``**options``); each field's ``metadata["help"]`` is the line the command line shows.
    A task may change a default (``FitTask.option_defaults``: the forecaster's 32 units,
    the sequence classifier's learning rate 3e-3).

    Attributes:
        cell: a name from ``seqkit.layers.VARIANTS`` ("lstm", "gru", "cifg", ...), a layer
            class or a layer instance (template); ``units`` per layer, ``layers`` deep,
            optionally ``bidirectional``; ``dropout`` / ``recurrent_dropout`` on every RNN.
        epochs, batch_size, learning_rate: Adam's budget. ``epochs="auto"`` (default)
            trains at least 3000 optimizer steps (5 to 500 epochs, at most 1800 s);
            ``batch_size="auto"`` is 32, or a tenth of a small training set (at least 4);
            see :mod:`seqkit.fit.train`. ``FitResult.timing`` has the plan, the steps
            run and why training stopped.
        patience: early stopping on ``val_loss`` restores the best weights; ``"auto"``
            (default) waits a tenth of the epochs (3 to 50), None turns it off.
        lr_schedule: ``"plateau"`` (default) halves the learning rate when ``val_loss``
            stalls for half the patience (down to a 64th; only with a patience of 6 or
            more); None keeps it constant.
        max_seconds: stop after the first epoch that ends past this many seconds.
        seed: seeds Keras/NumPy/TF (``keras.utils.set_random_seed``), the split and the
            shuffling order: the same seed gives the same metrics.
        strategy: None, a ``tf.distribute.Strategy`` (the model is built and compiled in its
            scope; ``batch_size`` is the global batch) or a name for
            ``seqkit.distribute.get_strategy``.
        callbacks: extra Keras callbacks.
        backup_dir: a folder for :class:`seqkit.fit.train.AtomicBackupAndRestore`:
            re-running the same call after an interruption resumes at the start of the
            interrupted epoch (the folder is deleted when training ends).
        tensorboard: TensorBoard logs (:mod:`seqkit.fit.tensorboard`: epoch scalars,
            a gate-trace heatmap at the end): a folder; True (default):
            ``seqkit_logs/<task>-<cell>/version_<N>`` (off everywhere with
            ``SEQKIT_TENSORBOARD=0``); False: none.
        verbose: Keras' progress output (1: progress bar, 0: silent).
    """

    cell: object = option("lstm", "a seqkit.layers.VARIANTS name, a layer class or instance",
                          cli=str)
    units: int = option(64, "units per RNN layer")
    layers: int = option(1, "stacked RNN layers")
    bidirectional: bool = option(False, "wrap every RNN layer in keras.layers.Bidirectional")
    dropout: float = option(0.0, "input dropout of every RNN layer, in [0, 1)")
    recurrent_dropout: float = option(0.0, "recurrent dropout of every RNN layer, in [0, 1)")
    epochs: int | str = option(
        "auto", "the most epochs to train; auto: at least 3000 optimizer steps")
    batch_size: int | str = option(
        "auto", "examples per optimizer step (global); auto: 32, a tenth of small sets")
    learning_rate: float = option(1e-3, "Adam's learning rate")
    seed: int = option(0, "seeds weights, splits and shuffling: same seed, same metrics")
    patience: int | str | None = option(
        "auto", "epochs without a better val_loss before stopping; auto: a tenth of the "
        "epochs (3 to 50); None: never")
    lr_schedule: str | None = option(
        "plateau", "plateau: halve the learning rate when val_loss stalls; None: constant")
    max_seconds: float | None = option(
        None, "stop after the epoch that ends past this many seconds (auto epochs: 1800)")
    strategy: object = option(
        None, "auto|cpu|gpu|mirrored|tpu|multiworker (auto: TPU, GPUs, else CPU); in Python "
        "also a tf.distribute.Strategy", cli=str)
    callbacks: object = option(None, "extra Keras callbacks", recipe_reason=(
        "Keras callback objects; a recipe adds its own (the progress file)"))
    backup_dir: object = option(
        None, "folder for a resumable backup after every epoch",
        recipe_reason="a recipe keeps its backup in its run folder (runs/<name>/backup)")
    tensorboard: bool | str = option(
        True, "TensorBoard logs (epoch scalars, a gate-trace heatmap at the end): a folder; "
        "True: seqkit_logs/<task>-<cell>/version_<N> (recipes: runs/<name>/tensorboard); "
        "False: none; SEQKIT_TENSORBOARD=0 turns the default off", cli=bool)
    verbose: object = option(1, "Keras' progress output: 1 progress bar, 2 a line, 0 none",
                             cli=int)

    @classmethod
    def pick(cls, values: dict, **overrides) -> FitOptions:
        """The options among ``values`` (e.g. a fit function's ``locals()``).

        Args:
            values: a mapping that holds at least the option names it sets; other keys
                are ignored.
            **overrides: options that win over ``values``.

        Returns:
            A :class:`FitOptions` (not yet checked).

        Example:

        >>> FitOptions.pick({"units": 8, "window": 24}).units
        8
        """
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{**{k: v for k, v in values.items() if k in names}, **overrides})

    @classmethod
    def for_task(cls, task_cls, options: dict) -> FitOptions:
        """The options a fit function got as ``**options``, over the task's defaults.

        Args:
            task_cls: the task's class (its ``option_defaults``, its fields for the message).
            options: the keyword arguments that are not the task's own.

        Returns:
            A :class:`FitOptions` (not yet checked).

        Raises:
            ConfigError: a name that is neither a shared option nor the task's own.

        Example:

        >>> class Task:
        ...     name, option_defaults = "demo", {"units": 32}
        >>> FitOptions.for_task(Task, {"cell": "gru"}).units
        32
        >>> FitOptions.for_task(Task, {"unit": 8})
        Traceback (most recent call last):
        ...
        seqkit.errors.ConfigError: unknown option(s) ['unit'] for task 'demo'; the shared \
fit options are ['backup_dir', 'batch_size', 'bidirectional', 'callbacks', 'cell', \
'dropout', 'epochs', 'layers', 'learning_rate', 'lr_schedule', 'max_seconds', 'patience', \
'recurrent_dropout', 'seed', 'strategy', 'tensorboard', 'units', 'verbose'] (and the \
task's own arguments)
        """
        names = sorted(f.name for f in dataclasses.fields(cls))
        unknown = sorted(set(options) - set(names))
        if unknown:
            raise ConfigError(f"unknown option(s) {unknown} for task {task_cls.name!r}; the "
                              f"shared fit options are {names} (and the task's own "
                              f"arguments)")
        return cls(**{**task_cls.option_defaults, **options})

    def kwargs(self) -> dict:
        """The options as keyword arguments of a fit function (callbacks not copied).

        Returns:
            ``{name: value}`` for every option.

        Example:

        >>> FitOptions(units=8).kwargs()["units"]
        8
        """
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @property
    def rnn(self) -> RNNSpec:
        """The recurrent stack these options describe."""
        return RNNSpec(self.cell, self.units, self.layers, self.bidirectional, self.dropout,
                       self.recurrent_dropout)

    def checked(self) -> FitOptions:
        """These options with every value checked and normalised.

        The strategy is only checked for its type here; names are resolved by the fit
        pipeline (``strategy="multiworker"`` must be created before other TensorFlow work).

        Returns:
            A new :class:`FitOptions` with ints and floats normalised.

        Raises:
            seqkit.errors.ConfigError: naming the first bad option and its value.

        Example:

        >>> FitOptions(learning_rate="fast").checked()
        Traceback (most recent call last):
        ...
        seqkit.errors.ConfigError: learning_rate must be a positive finite number, got 'fast'
        """
        self.rnn.checked()
        return dataclasses.replace(
            self,
            units=int(self.units), layers=int(self.layers),
            bidirectional=bool(self.bidirectional), dropout=float(self.dropout),
            recurrent_dropout=float(self.recurrent_dropout),
            epochs=_auto_or(check_int, "epochs", self.epochs),
            batch_size=_auto_or(check_int, "batch_size", self.batch_size),
            learning_rate=check_number("learning_rate", self.learning_rate, positive=True),
            patience=_auto_or(check_optional_int, "patience", self.patience, minimum=0),
            seed=check_int("seed", self.seed, minimum=0),
            lr_schedule=check_choice("lr_schedule", self.lr_schedule, LR_SCHEDULES),
            max_seconds=(None if self.max_seconds is None else
                         check_number("max_seconds", self.max_seconds, positive=True)),
            tensorboard=check_tensorboard(self.tensorboard),
        )

    def config(self, strategy_description) -> dict:
        """The options as ``FitResult.config`` records them.

        Args:
            strategy_description: the resolved strategy's description (or None).

        Returns:
            A JSON-able dict: the recurrent stack, the loop's options, ``optimizer``.

        Example:

        >>> FitOptions(cell="gru").config(None)["cell"]
        'gru'
        >>> FitOptions(tensorboard="logs/run1").config(None)["tensorboard"]
        'logs/run1'
        """
        return {**self.rnn.config(), "epochs": self.epochs, "batch_size": self.batch_size,
                "learning_rate": self.learning_rate, "seed": self.seed,
                "patience": self.patience, "lr_schedule": self.lr_schedule,
                "max_seconds": self.max_seconds, "strategy": strategy_description,
                "callbacks": callback_names(self.callbacks), "backup_dir": self.backup_dir,
                "tensorboard": self.tensorboard, "verbose": self.verbose, "optimizer": "adam"}


def describe_cell(cell) -> str | dict:
    """A JSON-able description of ``cell``; raises :class:`ConfigError` if it is unusable.

    Names and layer classes are checked without building a layer: a layer (with a seed
    generator) is TensorFlow work, and ``strategy="multiworker"`` must create its strategy
    before any (the fit functions check their options first).

    Args:
        cell: a :data:`seqkit.layers.VARIANTS` name (any case, ``-`` or ``_``), a Keras
            layer class, or a layer instance used as a template.

    Returns:
        The normalised name, ``"module.Class"`` for a class, or ``{"class", "config"}``
        for an instance.

    Raises:
        seqkit.errors.ConfigError: an unknown name or something that is not a layer.

    Example:

    >>> describe_cell("layernorm-lstm")
    'layernorm_lstm'
    >>> describe_cell("transformer")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: ...'transformer'...
    """
    if isinstance(cell, str):
        key = cell.strip().lower().replace("-", "_")
        if key not in VARIANTS:
            make_rnn(cell, 1)  # raises the ConfigError listing the allowed names
        return key
    if isinstance(cell, type) and issubclass(cell, keras.layers.Layer):
        return f"{cell.__module__}.{cell.__qualname__}"
    make_rnn(cell, 1)  # validates: anything but a layer instance is refused
    cls = type(cell)
    return {"class": f"{cls.__module__}.{cls.__qualname__}",
            "config": jsonable(cell.get_config())}


def describe_source(source) -> str | dict:
    """A short JSON-able description of a data argument (names and paths kept verbatim).

    Args:
        source: a dataset name, a path, an array or any sized collection.

    Returns:
        ``str(source)`` for names and paths, else ``{"type", "shape"}`` or ``{"type", "len"}``.

    Example:

    >>> describe_source(["good", "bad", "ugly"])
    {'type': 'list', 'len': 3}
    """
    if isinstance(source, str) or hasattr(source, "__fspath__"):
        return str(source)
    shape = getattr(source, "shape", None)
    if shape is not None:
        return {"type": type(source).__name__, "shape": [int(s) for s in shape]}
    try:
        return {"type": type(source).__name__, "len": len(source)}
    except TypeError:
        return {"type": type(source).__name__}


def callback_names(callbacks) -> list[str]:
    """The class names of ``callbacks`` (the callbacks themselves are not JSON-able).

    Args:
        callbacks: Keras callbacks, or None.

    Returns:
        One class name per callback.

    Example:

    >>> callback_names([keras.callbacks.TerminateOnNaN()])
    ['TerminateOnNaN']
    """
    return [type(cb).__name__ for cb in (callbacks or [])]


@dataclass(frozen=True)
class RNNSpec:
    """The recurrent part of every model: ``layers`` stacked RNNs built with ``make_rnn``."""

    cell: object = "lstm"
    units: int = 64
    layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0
    recurrent_dropout: float = 0.0

    def checked(self) -> RNNSpec:
        describe_cell(self.cell)
        check_int("units", self.units)
        check_int("layers", self.layers)
        check_fraction("dropout", self.dropout)
        check_fraction("recurrent_dropout", self.recurrent_dropout)
        check_bool("bidirectional", self.bidirectional)
        return self

    def config(self) -> dict:
        return {"cell": describe_cell(self.cell), "units": int(self.units),
                "layers": int(self.layers), "bidirectional": bool(self.bidirectional),
                "dropout": float(self.dropout),
                "recurrent_dropout": float(self.recurrent_dropout)}

    def apply(self, x, return_sequences: bool = False):
        """Run ``x`` ``[B, T, d]`` through the stack; returns the last layer's final output
        (every step's with ``return_sequences``)."""
        for i in range(self.layers):
            last = i == self.layers - 1
            kwargs = {"return_sequences": return_sequences or not last}
            if self.dropout:
                kwargs["dropout"] = float(self.dropout)
            if self.recurrent_dropout:
                kwargs["recurrent_dropout"] = float(self.recurrent_dropout)
            layer = make_rnn(self.cell, int(self.units), name=f"rnn_{i}", **kwargs)
            if self.bidirectional:
                layer = keras.layers.Bidirectional(layer, name=f"bidirectional_{i}")
            x = layer(x)
        return x
