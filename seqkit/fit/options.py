"""The options every fit function shares, validated once.

:class:`FitOptions` holds the recurrent stack (``cell``, ``units``, ``layers``,
``bidirectional``, ``dropout``, ``recurrent_dropout``) and the training loop (``epochs``,
``batch_size``, ``learning_rate``, ``seed``, ``patience``, ``strategy``, ``callbacks``,
``backup_dir``, ``verbose``). The fit functions build one from their keyword arguments;
the recipe configurations (``seqkit.recipes.config``) build one from theirs, so a bad
option fails the same way, with the same message, before any training starts.

Example:

>>> from seqkit.fit.options import FitOptions
>>> options = FitOptions(cell="gru", units=16, epochs=3).checked()
>>> options.rnn
RNNSpec(cell='gru', units=16, layers=1, bidirectional=False, dropout=0.0, recurrent_dropout=0.0)
>>> FitOptions(batch_size=0).checked()
Traceback (most recent call last):
...
seqkit.errors.ConfigError: batch_size must be an integer >= 1, got 0
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from seqkit.fit.describe import callback_names
from seqkit.fit.models import RNNSpec
from seqkit.validation import check_int, check_number, check_optional_int

DEFAULT_PATIENCE = 3


def _option(default, help_text: str):
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class FitOptions:
    """What every fit function takes besides its data and its task's own arguments.

    Attributes are the fit functions' keyword arguments of the same names; each field's
    ``metadata["help"]`` is the line the command line shows for it.
    """

    cell: object = _option("lstm", "a seqkit.layers.VARIANTS name, a layer class or instance")
    units: int = _option(64, "units per RNN layer")
    layers: int = _option(1, "stacked RNN layers")
    bidirectional: bool = _option(False, "wrap every RNN layer in keras.layers.Bidirectional")
    dropout: float = _option(0.0, "input dropout of every RNN layer, in [0, 1)")
    recurrent_dropout: float = _option(0.0, "recurrent dropout of every RNN layer, in [0, 1)")
    epochs: int = _option(10, "the most epochs to train (early stopping may stop sooner)")
    batch_size: int = _option(32, "examples per optimizer step (global, over all replicas)")
    learning_rate: float = _option(1e-3, "Adam's learning rate")
    seed: int = _option(0, "seeds weights, splits and shuffling: same seed, same metrics")
    patience: int | None = _option(
        DEFAULT_PATIENCE, "epochs without a better val_loss before stopping; None: never")
    strategy: object = _option(None, "None, a tf.distribute.Strategy or a strategy name")
    callbacks: object = _option(None, "extra Keras callbacks")
    backup_dir: object = _option(None, "folder for a resumable backup after every epoch")
    verbose: object = _option(1, "Keras' progress output: 1 progress bar, 2 a line, 0 none")

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
            epochs=check_int("epochs", self.epochs),
            batch_size=check_int("batch_size", self.batch_size),
            learning_rate=check_number("learning_rate", self.learning_rate, positive=True),
            patience=check_optional_int("patience", self.patience, minimum=0),
            seed=check_int("seed", self.seed, minimum=0),
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
        """
        return {**self.rnn.config(), "epochs": self.epochs, "batch_size": self.batch_size,
                "learning_rate": self.learning_rate, "seed": self.seed,
                "patience": self.patience, "strategy": strategy_description,
                "callbacks": callback_names(self.callbacks), "backup_dir": self.backup_dir,
                "verbose": self.verbose, "optimizer": "adam"}
