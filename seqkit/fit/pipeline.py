"""The one fit pipeline, and the hooks each task fills in.

Every fit function runs the same steps (:func:`run_fit`):

1. check the shared :class:`~seqkit.fit.options.FitOptions` and the task's own arguments
   (:meth:`FitTask.check`), before any TensorFlow work;
2. resolve the strategy (``"multiworker"`` must be created first), seed everything;
3. load, check and split the data (:meth:`FitTask.load`), then resolve the training
   budget (:func:`seqkit.fit.train.plan_training`: ``"auto"`` epochs, batch, patience);
4. build the served model, and the view of it that is trained, under the strategy's scope
   (:meth:`FitTask.build_model`, :meth:`FitTask.training_model`);
5. make the training and validation datasets (:meth:`FitTask.datasets`);
6. compile and train with backups, early stopping, timing and TensorBoard logs
   (:func:`seqkit.fit.train.compile_and_fit`, :mod:`seqkit.fit.tensorboard`);
7. adjust from the validation split (:meth:`FitTask.after_training`), then evaluate on
   the test split (:meth:`FitTask.evaluate`);
8. assemble the :class:`~seqkit.fit.result.FitResult` with its configuration
   (:meth:`FitTask.config`, :meth:`FitTask.data_info`).

A task (``seqkit.classification.text.TextClassification``,
``seqkit.forecasting.task.Forecasting``, ...: the classes :mod:`seqkit.tasks` registers)
supplies only what differs, as Darts' models supply ``_create_model`` and
``_build_train_dataset`` to one base ``fit``; its classmethods also answer for the fitted
:class:`~seqkit.fit.result.FitResult` (how raw inputs are prepared, its summary lines, its
export outputs), as aeon's estimators declare their capabilities.
"""

from __future__ import annotations

import dataclasses
import time
from typing import ClassVar

import keras

from seqkit.errors import ConfigError, DataError
from seqkit.fileio import jsonable
from seqkit.fit.options import FitOptions, RNNSpec
from seqkit.fit.result import FitResult
from seqkit.fit.tensorboard import fit_log_dir
from seqkit.fit.train import (
    AUTO_MAX_SECONDS,
    compile_and_fit,
    plan_training,
    resolve_strategy,
    strategy_config,
    strategy_scope,
)


class FitTask:
    """What one kind of fit adds to the pipeline; subclasses are dataclasses of the task's
    own arguments (data, window, vocabulary, ...).

    Class attributes: ``name`` (``FitResult.task``), ``loss`` and ``metrics`` (as
    ``model.compile`` takes them).
    """

    name: ClassVar[str]
    #: one line for ``seqkit train --help``
    title: ClassVar[str] = ""
    loss: ClassVar[str]
    metrics: ClassVar[tuple[str, ...]]
    class_names: list | None = None
    #: what early stopping and the schedule watch ("loss" when there is no usable
    #: validation split but they should still run)
    monitor: str = "val_loss"
    #: what ``evaluate`` timed, added to ``FitResult.timing`` (set per instance)
    timing_extra: ClassVar[dict] = {}
    #: the time bound of ``epochs="auto"`` without ``max_seconds``
    auto_max_seconds: ClassVar[float] = AUTO_MAX_SECONDS

    @classmethod
    def pick(cls, values: dict):
        """The task built from the fields it has among ``values`` (a fit's ``locals()``).

        Args:
            values: a mapping with at least the task's required fields.

        Returns:
            An instance of the task (not yet checked).
        """
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})

    def check(self) -> None:
        """Validate the task's own arguments (raise ``ConfigError``/``DataError``)."""

    def load(self, seed: int) -> None:
        """Read, check and split the data; keep what the later hooks need."""
        raise NotImplementedError

    def build_model(self, rnn: RNNSpec) -> keras.Model:
        """The served model: raw inputs in, user units out (called in the strategy scope)."""
        raise NotImplementedError

    def training_model(self, model: keras.Model) -> keras.Model:
        """The model that is compiled and trained (default: ``model`` itself)."""
        return model

    def datasets(self, batch_size: int, seed: int) -> tuple:
        """``(train_ds, val_ds or None)``: batched ``tf.data`` datasets for training."""
        raise NotImplementedError

    @property
    def train_examples(self) -> int:
        """How many training examples one epoch sees (for examples per second)."""
        raise NotImplementedError

    def after_training(self, model: keras.Model, batch_size: int) -> None:
        """Adjust the trained served model from the validation split (default: nothing;
        the forecaster calibrates its quantile intervals here)."""

    def evaluate(self, model: keras.Model, batch_size: int) -> dict:
        """Test-split metrics of the trained served model (empty when there is no test)."""
        raise NotImplementedError

    def config(self) -> dict:
        """The task's own arguments, JSON-able, for ``FitResult.config`` (default: its
        options, :meth:`option_config`; tasks add what they derived).

        Returns:
            ``{name: value}``.
        """
        return self.option_config()

    def option_config(self) -> dict:
        """Every option of the task as it stands after :meth:`check` (its fields but the
        data, which :meth:`config` describes).

        Returns:
            ``{name: value}``; tuples as lists.
        """
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)
                if not f.metadata.get("recipe_reason")}

    def data_info(self) -> dict:
        """What was learnt about the data: split sizes, lengths, class counts, ..."""
        raise NotImplementedError

    # -------------------------------------------- what a fitted result of the task does
    # FitResult (generic) asks these of ``tasks.task_class(result.task)``; a task
    # overrides what it supports, the defaults say plainly that it does not.

    #: the export's output naming (one of ``seqkit.serving.signature.OUTPUT_KINDS``)
    outputs: ClassVar[str] = "generic"
    #: the shared options (:class:`FitOptions`) whose default differs for this task
    option_defaults: ClassVar[dict] = {}
    #: the recipe's (``seqkit train <task>``) defaults where they differ from the fit's
    recipe_defaults: ClassVar[dict] = {}
    #: options only the recipe has: ``{name: (type, default, help)}`` (its data, ...)
    recipe_options: ClassVar[dict] = {}
    #: the task's public fit function (``fit_forecaster``, ...; set beside it, as a
    #: staticmethod): what the recipes call, its first parameter the data
    fit_function: ClassVar = None

    @classmethod
    def recipe_data(cls, config):
        """What a recipe passes to :attr:`fit_function` as its data (default
        ``config.data``, a name or a path).

        Args:
            config: the recipe's configuration.

        Returns:
            The data argument.
        """
        return config.data

    @classmethod
    def check_recipe(cls, config) -> None:
        """Check the recipe's own options before any training (default: nothing beyond
        the task's :meth:`check`).

        Args:
            config: the recipe's configuration.
        """

    @classmethod
    def recipe_outputs(cls, config, result: FitResult, run_dir, *, echo=print) -> dict:
        """What a recipe writes after training, beside the model (default: nothing).

        Args:
            config: the recipe's configuration.
            result: the trained result.
            run_dir: the run folder.
            echo: where lines are printed.

        Returns:
            ``{name: path}`` of what was written.
        """
        return {}

    @classmethod
    def test_case(cls) -> dict:
        """The task's smallest real use, which the contract test runs for every registered
        task (aeon's ``_get_test_params``): tiny fit → save → load → export → a fresh
        TensorFlow-only process → ``serving_step`` where declared → recipe round-trip.

        Returns:
            ``{"fit": the task's fit function, "kwargs": its tiny data and options,
            "inputs": raw inputs for ``predict``, "streams": whether the export carries
            ``serving_step``, "recipe": the task's recipe options for a round-trip}``.
        """
        raise NotImplementedError(f"task {cls.name!r} declares no test case")

    @classmethod
    def prepare_inputs(cls, result: FitResult, x, **inputs):
        """Raw inputs ``x`` as the result's model takes them (see
        :meth:`seqkit.fit.FitResult.prepare_inputs`).

        Args:
            result: the fitted result (its model, config and data_info).
            x: raw inputs.
            **inputs: the task's own keywords (``layout``, covariates, ...).

        Returns:
            What ``result.model`` takes.
        """
        raise ConfigError(f"task {cls.name!r} does not prepare raw inputs")

    @classmethod
    def summary_lines(cls, result: FitResult) -> list[str]:
        """The summary's lines for the result's test metrics (default: none).

        Args:
            result: the fitted result.

        Returns:
            Lines of text.
        """
        return []

    @classmethod
    def trace_extra(cls, result: FitResult, prepared) -> dict:
        """What a gate trace of prepared inputs carries besides the gates (default:
        nothing; a text model gives each example's tokens).

        Args:
            result: the fitted result.
            prepared: what :meth:`prepare_inputs` returned.

        Returns:
            ``{key: value}`` for ``GateTrace.extra``.
        """
        return {}

    @classmethod
    def tensorboard_images(cls) -> tuple:
        """Figures of one example the TensorBoard logs show beside the gate heatmap at the
        end of training (default none; a text classifier's per-token attributions).

        Returns:
            Figure makers ``draw(model, inputs) -> (tag, figure, description) | None``
            (:class:`seqkit.fit.tensorboard.FigureImage`).
        """
        return ()

    @classmethod
    def explain(cls, result: FitResult, x, *, target=None, steps: int = 50,
                batch_size: int = 256):
        """Per-token attributions of a prediction (text classifiers only).

        Args:
            result: the fitted result.
            x: raw inputs.
            target: the class to explain (None: the predicted one).
            steps: the integration path's intervals.
            batch_size: path points per model call.

        Returns:
            The task's attributions.
        """
        raise ConfigError(f"explain needs a text classification result (per-token "
                          f"attributions), task={cls.name!r}")

    @classmethod
    def generate(cls, result: FitResult, prompt, n: int = 200, **options):
        """A sampled continuation of ``prompt`` (language models only).

        Args:
            result: the fitted result.
            prompt: the text to continue.
            n: tokens to generate.
            **options: the task's sampling options.

        Returns:
            The generated text.
        """
        raise ConfigError(f"generate needs a language model, task={cls.name!r}")

    @classmethod
    def predict_series(cls, result: FitResult, series=None, *, future_covariates=None):
        """A forecast from the end of a fitted series (forecasters only).

        Args:
            result: the fitted result.
            series: the series id.
            future_covariates: the horizon's covariates.

        Returns:
            What :meth:`seqkit.fit.FitResult.predict` returns.
        """
        raise DataError(f"predict_series needs a forecasting result, task={cls.name!r}")

    @classmethod
    def backtest(cls, result: FitResult, series, **kwargs):
        """Rolling-origin forecasts of ``series`` scored beside baselines (forecasters).

        Args:
            result: the fitted result.
            series: the series.
            **kwargs: the backtest's options.

        Returns:
            The task's backtest.
        """
        raise ConfigError(f"backtest needs a forecasting result, task={cls.name!r}")

    @classmethod
    def future_covariates_for(cls, result: FitResult, timestamps, values=None):
        """The ``future_covariates`` array of a horizon (forecasters with covariates only).

        Args:
            result: the fitted result.
            timestamps: the horizon's ``DatetimeIndex``.
            values: the user's regressor values over the horizon.

        Returns:
            The array :meth:`seqkit.fit.FitResult.predict` takes.
        """
        raise ConfigError(f"future_covariates needs a forecasting result, task={cls.name!r}")

    @classmethod
    def score(cls, result: FitResult, x, y, *, batch_size: int = 256, **inputs) -> dict:
        """Metrics of the result's model on new labelled data (classifiers only).

        Args:
            result: the fitted result.
            x: raw inputs.
            y: their labels.
            batch_size: examples per prediction batch.
            **inputs: :meth:`prepare_inputs`' keywords.

        Returns:
            The task's metrics.
        """
        raise ConfigError(f"evaluate needs a classification result, task={cls.name!r}")


def run_fit(task: FitTask, options: FitOptions) -> FitResult:
    """Train and evaluate ``task`` with ``options``: the steps of the module docstring.

    Args:
        task: a :class:`FitTask` holding the task's data and arguments.
        options: the shared options; checked here.

    Returns:
        The :class:`~seqkit.fit.result.FitResult` of the trained served model.
    """
    start = time.perf_counter()
    options = options.checked()
    task.check()
    strategy = resolve_strategy(options.strategy)
    keras.utils.set_random_seed(options.seed)
    task.load(options.seed)
    plan = plan_training(epochs=options.epochs, batch_size=options.batch_size,
                         patience=options.patience, max_seconds=options.max_seconds,
                         train_examples=task.train_examples,
                         auto_max_seconds=task.auto_max_seconds)
    with strategy_scope(strategy):
        model = task.build_model(options.rnn)
        trained = task.training_model(model)
    train_ds, val_ds = task.datasets(plan.batch_size, options.seed)
    log_dir = fit_log_dir(options.tensorboard, options.callbacks,
                          name=_run_name(task, options))
    options = dataclasses.replace(options, tensorboard=log_dir or False)  # in the config
    history, timing = compile_and_fit(
        trained, train_ds, val_ds, epochs=plan.epochs, learning_rate=options.learning_rate,
        loss=task.loss, metrics=list(task.metrics), patience=plan.patience,
        callbacks=options.callbacks, backup_dir=options.backup_dir, verbose=options.verbose,
        strategy=strategy, train_examples=task.train_examples,
        lr_schedule=options.lr_schedule, max_seconds=plan.max_seconds,
        steps_per_epoch=plan.steps_per_epoch, monitor=task.monitor, tensorboard=log_dir,
        images=task.tensorboard_images())
    timing["plan"] = plan.to_json()
    if trained is not model:  # evaluate() in user units with the same optimizer state
        with strategy_scope(strategy):
            model.compile(optimizer=trained.optimizer, loss=task.loss,
                          metrics=list(task.metrics))
    task.after_training(model, plan.batch_size)
    timing["fit_seconds"] = time.perf_counter() - start  # data, build and training
    metrics = task.evaluate(model, plan.batch_size)
    timing.update(task.timing_extra)  # e.g. the baselines' seconds
    config = {"task": task.name, **task.config(),
              **options.config(strategy_config(strategy))}
    return FitResult(model=model, task=task.name, history=history, metrics=jsonable(metrics),
                     config=jsonable(config), class_names=task.class_names,
                     timing=jsonable(timing), data_info=jsonable(task.data_info()))


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def _run_name(task: FitTask, options: FitOptions) -> str:
    """``<task>-<cell>`` (the cell's name when it was given by name): the default
    TensorBoard run's folder under ``seqkit_logs``."""
    return f"{task.name}-{options.cell}" if isinstance(options.cell, str) else task.name
