"""``seqkit compare --tune N``: KerasTuner searches each cell's learning rate and units
(within the reference cell's parameter budget) with the same N trials per cell, before the
study's seeds run with the settings it found.

A fixed learning rate can favour one cell: the GRU and the LSTM may want different ones,
and "the GRU is as accurate" is only a fair claim when each has had the same chance to be
tuned. The search space, per (task, size) group and cell:

- ``learning_rate``: log-uniform in ``[1e-4, 1e-2]``;
- ``units``: :func:`units_choices` — a quarter, half, three quarters and all of the most
  units whose recurrent layer stays within the reference cell's parameters at the study's
  size, and the study's size itself (so a tuned GRU may get more units than the LSTM,
  never more parameters).

Each trial is one fit (seed 0, the study's epochs, no early stopping) scored by the final
epoch's ``val_loss`` on the validation split — never the test split the study reports
quality on — since the study keeps the final weights too. The search is KerasTuner's
``RandomSearch`` run as a black-box optimizer (:class:`keras_tuner.RandomSearch` with
``run_trial`` overridden, KerasTuner's "tune any function" pattern); its trials are kept
in ``out_dir/tune/`` and, with ``--resume``, reloaded instead of run again.

Example:

>>> units_choices("lstm", 64, "gru", input_dim=1)
[18, 37, 55, 64, 73]
>>> units_choices("lstm", 64, "lstm", input_dim=1)
[16, 32, 48, 64]
"""

from __future__ import annotations

import math
from collections.abc import Callable

from seqkit.errors import ConfigError
from seqkit.study.sizes import equal_params_units, rnn_params

LEARNING_RATES = (1e-4, 1e-2)
UNIT_FRACTIONS = (0.25, 0.5, 0.75, 1.0)


def max_units_within(reference: str, size: int, cell: str, *, input_dim: int) -> int:
    """The most units of ``cell`` whose layer has no more parameters than ``reference``'s
    at ``size`` units.

    Args:
        reference: the reference cell.
        size: its units.
        cell: the cell to size.
        input_dim: features per step.

    Returns:
        The units (at least 1).

    Example:

    >>> from seqkit.study.sizes import rnn_params
    >>> u = max_units_within("lstm", 256, "gru", input_dim=1)
    >>> rnn_params("gru", u, input_dim=1) <= rnn_params("lstm", 256, input_dim=1), u
    (True, 295)
    """
    budget = rnn_params(reference, size, input_dim=input_dim)
    units = equal_params_units(reference, size, cell, input_dim=input_dim)
    while units > 1 and rnn_params(cell, units, input_dim=input_dim) > budget:
        units -= 1
    return units


def units_choices(reference: str, size: int, cell: str, *, input_dim: int) -> list[int]:
    """The units the tuner may pick for ``cell``: :data:`UNIT_FRACTIONS` of
    :func:`max_units_within`, and ``size`` itself when it is within the budget (the
    untuned setting: the study gives every cell the reference's units).

    Args:
        reference, size, cell, input_dim: as :func:`max_units_within`.

    Returns:
        Sorted distinct units.

    Example: see the module docstring.
    """
    top = max_units_within(reference, size, cell, input_dim=input_dim)
    choices = {max(1, math.floor(top * f + 0.5)) for f in UNIT_FRACTIONS}
    return sorted(choices | ({size} if size <= top else set()))


def _keras_tuner():
    try:
        import keras_tuner
    except ImportError as err:
        raise ConfigError("tune needs KerasTuner: pip install 'seqkit[tune]' (keras-tuner), "
                          "or leave --tune unset") from err
    return keras_tuner


def tune_cell(objective: Callable[[float, int], float], *, units: list[int], trials: int,
              directory, project: str, seed: int = 0, resume: bool = False,
              default_learning_rate: float | None = None,
              default_units: int | None = None) -> dict:
    """Search one cell's learning rate and units with KerasTuner's ``RandomSearch``.

    Args:
        objective: ``objective(learning_rate, units)`` → the value to minimise (a
            validation loss), or a dict of it under ``"val_loss"`` and other figures of the
            trial to keep (they are reloaded with the trial on ``resume``).
        units: the units the search may pick.
        trials: the number of trials.
        directory: KerasTuner's folder for the trials.
        project: the search's name inside it.
        seed: the search's random seed (the same for every cell).
        resume: reload the trials already in ``directory/project`` instead of starting over.
        default_learning_rate: the first trial's learning rate (KerasTuner's random search
            tries the defaults first): the untuned setting, so the best trial is never
            worse on validation than not tuning. Default: the lowest of the range.
        default_units: the first trial's units (one of ``units``; default the first).

    Returns:
        ``{"learning_rate", "units", "objective", ..., "trials": [{"learning_rate",
        "units", "objective", ...}, ...], "search": "keras_tuner.RandomSearch"}`` (``...``:
        the other figures ``objective`` returned).

    Example (a quadratic stands in for a fit; its minimum is lr 1e-3, 32 units):

    >>> import math, tempfile
    >>> f = lambda lr, u: (math.log10(lr) + 3) ** 2 + (u - 32) ** 2 / 100
    >>> best = tune_cell(f, units=[16, 32, 64], trials=12, directory=tempfile.mkdtemp(),
    ...                  project="demo")
    >>> best["units"], len(best["trials"]), best["objective"] < 0.5
    (32, 12, True)
    >>> first = tune_cell(f, units=[16, 32, 64], trials=1, directory=tempfile.mkdtemp(),
    ...                   project="demo", default_learning_rate=3e-3, default_units=64)
    >>> first["learning_rate"], first["units"]
    (0.003, 64)
    """
    kt = _keras_tuner()

    class _Search(kt.RandomSearch):
        def run_trial(self, trial, *args, **kwargs):
            hp = trial.hyperparameters
            lr = hp.Float("learning_rate", *LEARNING_RATES, sampling="log",
                          default=default_learning_rate)
            value = objective(lr, hp.Choice("units", units, default=default_units))
            return {k: float(v) for k, v in value.items()} if isinstance(value, dict) \
                else float(value)

    search = _Search(objective=kt.Objective("val_loss", "min"), max_trials=trials, seed=seed,
                     directory=str(directory), project_name=project, overwrite=not resume,
                     max_consecutive_failed_trials=1)
    search.search_space_summary = lambda *a, **k: None  # no space print per cell
    search.search(verbose=0)
    done = [t for t in search.oracle.trials.values() if t.score is not None]
    rows = [{"learning_rate": t.hyperparameters.get("learning_rate"),
             "units": t.hyperparameters.get("units"), "objective": float(t.score),
             **{name: float(t.metrics.get_last_value(name))
                for name in t.metrics.metrics if name != "val_loss"}} for t in done]
    best = min(rows, key=lambda r: r["objective"])
    return {**best, "trials": rows, "search": "keras_tuner.RandomSearch"}
