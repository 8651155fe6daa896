"""The study's configuration: :class:`CompareConfig`, what ``seqkit compare`` takes.

Built and turned into flags by the recipes' generic machinery
(:func:`seqkit.recipes.config.build_config`, :func:`~seqkit.recipes.config.add_config_arguments`);
the fields without a help line here take the shared one
(:func:`seqkit.recipes.config.help_for`). ``None`` fields take the preset's value
(:data:`seqkit.study.presets.PRESETS`).

Example:

>>> from seqkit.recipes.config import build_config
>>> config = build_config(CompareConfig, {"preset": "full", "seeds": 3}).resolved()
>>> config.seeds, config.sizes, config.cells
(3, [64, 256], ['lstm', 'gru'])
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from seqkit.fit.options import FitOptions, option
from seqkit.study.presets import check_study_options, resolve


@dataclass
class CompareConfig:
    """The LSTM-vs-GRU study (:func:`seqkit.study.run_compare`): fixed epochs, no early
    stopping, several seeds and sizes. ``None`` fields take the preset's value
    (:data:`seqkit.study.presets.PRESETS`, :meth:`resolved`).

    Checked when built (:func:`seqkit.study.presets.check_study_options`, and the fit
    options every run gets), before anything runs.

    Example:

    >>> CompareConfig().resolved().tasks, CompareConfig(preset="full").resolved().seeds
    (['forecast'], 5)
    >>> CompareConfig(cells=["lstm"])
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: cells must be a list of at least two cells, got ['lstm']
    """

    preset: str = option("quick", "quick (make demo: minutes) or full (the whole study); "
                          "fills every option left unset")
    tasks: list[str] | None = option(
        None, "comma-separated tasks: forecast (co2), sequences (digits), ucr (a UCR/UEA "
        "set), text (sentiment sentences); default: the preset's")
    cells: list[str] = option(None, "cells to compare, the first is the reference "
                               "(seqkit.layers.VARIANTS names)", factory=lambda: ["lstm", "gru"])
    sizes: list[int] | None = option(
        None, "units of the reference cell (comma-separated); default: the preset's")
    equal_params: bool = option(
        False, "give the other cells the units that match the reference's parameters")
    seeds: int | None = option(None, "seeds per (task, cell, size); >= 3 for verdicts")
    epochs: int | None = option(None, "epochs, the same for every cell (no early stopping)")
    batch_size: int | str = option(
        "auto", "examples per step, or auto (seqkit.fit.train: 32, or a tenth of a small "
        "training set, at least 4; the same for every cell of a task)")
    learning_rate: float = 3e-3
    text_data: str | None = option(
        None, "text data; default ../shared/data/sentiment_sentences when present")
    text_max_examples: int | None = option(None, "keep at most this many texts")
    forecast_data: str = option("co2", "series for the forecast task")
    sequence_data: str = option("digits", "data set for the sequence task")
    ucr_data: str = option("ucr:ArrowHead", "the UCR/UEA set of the ucr task (ucr:<Name>)")
    memory_batch: int = option(64, "batch of the activation-memory probe")
    memory_length: int = option(200, "time steps of the activation-memory probe")
    layer_bench: bool | None = option(
        None, "also time the cells in Keras, seqkit and PyTorch (layer level)")
    strategy: str = "auto"
    out_dir: str = option("runs/compare", "where compare.md/.json/.png are written")
    saved_models_dir: str = "saved_models/compare"
    latency_repeats: int = option(
        5, "repeats per (batch, length) point of the serving latency grid")
    tune: int | None = option(None, "KerasTuner trials per cell for its learning rate and "
                               "units, before the seeds (pip install 'seqkit[tune]')")
    resume: bool = option(False, "reuse what an interrupted study with the same options "
                           "left in out_dir (records/, groups/)")
    verbose: int = 0

    def __post_init__(self):
        check_study_options(self)
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        values["epochs"] = self.epochs or 1
        FitOptions.pick(values, strategy=None).checked()  # the options every fit gets

    def resolved(self) -> CompareConfig:
        """A copy with every ``None`` field filled from the preset.

        Returns:
            The resolved copy (:func:`seqkit.study.presets.resolve`).

        Example:

        >>> CompareConfig(preset="full", sizes=[32]).resolved().sizes
        [32]
        """
        return resolve(self)
