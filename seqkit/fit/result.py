"""FitResult: what the fit functions return (trained model, metrics, config, timing, ...)."""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from seqkit import tasks
from seqkit.errors import ConfigError, DataError
from seqkit.fileio import jsonable, write_json_atomic

MODEL_FILE = "model.keras"
RESULT_FILE = "fit_result.json"
_FORMAT = 1


@dataclass
class FitResult:
    """A trained model and everything known about how it was trained.

    Attributes:
        model: the trained functional Keras model, preprocessing included: it takes raw
            inputs (strings / raw windows / padded sequences) and returns user units
            (class probabilities ``probabilities`` or ``forecast [B, horizon, targets]``).
        task: the registered task's name (:mod:`seqkit.tasks`), e.g. ``"forecasting"``.
        history: Keras history as ``{metric: [value per epoch]}``.
        metrics: metrics on the held-out test split (see :mod:`seqkit.classification.task`).
        config: every argument after defaults (JSON-able).
        class_names: class names in output order (classification), else None: the labels
            the model was trained on, of their own type (``str``, ``int`` or ``bool``;
            ``"1"`` and ``1`` are different names). ``save``/``load`` keep the types
            (JSON has strings, integers and booleans).
        timing: ``epoch_seconds``, ``median_epoch_seconds``, ``examples_per_second``, ...
        data_info: split sizes, chosen sequence length, scaler statistics, ...

    ``save(path)`` writes a directory ``path/`` holding ``model.keras`` and
    ``fit_result.json``; ``FitResult.load(path)`` reads it back.

    Example (the fit functions build it; here by hand around an untrained model):

    >>> import keras, numpy as np, tempfile, seqkit
    >>> inp = keras.Input((None, 2), name="sequence")
    >>> out = keras.layers.Dense(2, activation="softmax")(seqkit.ExplicitGRU(3)(inp))
    >>> result = FitResult(keras.Model(inp, out), "sequence_classification",
    ...                    class_names=["down", "up"], data_info={"n_features": 2})
    >>> result.predict([np.ones((4, 2)), np.ones((6, 2))]).shape  # padded for the model
    (2, 2)
    >>> result.predict_labels(np.zeros((1, 5, 2)))[0] in ("down", "up")
    True
    >>> again = FitResult.load(result.save(tempfile.mkdtemp()))
    >>> again.class_names
    ['down', 'up']
    >>> result.class_names = [-1, 1]  # integer classes come back as integers
    >>> loaded = FitResult.load(result.save(tempfile.mkdtemp()))
    >>> loaded.class_names, loaded.predict_labels(np.zeros((1, 5, 2)))[0] in (-1, 1)
    ([-1, 1], True)
    """

    model: keras.Model
    task: str
    history: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    class_names: list | None = None
    timing: dict = field(default_factory=dict)
    data_info: dict = field(default_factory=dict)

    @property
    def task_type(self) -> type:
        """The task's class, from the registry (:func:`seqkit.tasks.task_class`): what
        differs by task (raw inputs, summary lines, export outputs) is asked of it."""
        return tasks.task_class(self.task)

    def _ask(self, hook: str, *args, **inputs):
        """``task_type.<hook>(self, *args, **inputs)`` with the keywords that were given;
        one the task does not take is a ConfigError naming it."""
        given = {k: v for k, v in inputs.items() if v is not None}
        method = getattr(self.task_type, hook)
        params = inspect.signature(method).parameters
        if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            extra = sorted(set(given) - set(params))
            if extra:
                raise ConfigError(f"{extra} do not apply to a {self.task!r} result; it takes "
                                  f"{sorted(k for k in params if k not in ('result', 'x'))}")
        return method(self, *args, **given)

    # ------------------------------------------------------------------ prediction

    def prepare_inputs(self, x, *, layout=None, future_covariates=None,
                       static_covariates=None, series=None):
        """``x`` converted to what ``self.model`` takes.

        Args:
            x: raw inputs of the task: texts (a string, a list, a NumPy unicode array),
                forecast windows (``[N, window, F]``, one ``[window, F]`` or a univariate
                ``[window]``), sequences (``[N, T, F]`` or a list of ``[T_i, F]``; in
                aeon's ``[N, channels, T]`` / ``[channels, T_i]`` with ``layout="NCT"``).
            layout: sequences only: ``"NTF"`` or ``"NCT"`` (see
                :func:`seqkit.data.apply_layout`); None: the layout the model was fit with
                (``config["layout"]``, ``"NTF"`` for results saved before it existed).
            future_covariates, static_covariates, series: forecasters with covariates
                only (see :func:`seqkit.forecasting.inputs.forecast_inputs`).

        Returns:
            An object array of strings, float32 ``[N, T, F]`` (lists post-padded with
            zeros, one window as a batch of one), or a forecaster's ``{input name: array}``
            when it takes covariates.

        Raises:
            seqkit.errors.DataError: a shape that does not fit the model, NaN or inf.
        """
        given = {"layout": layout, "future_covariates": future_covariates,
                 "static_covariates": static_covariates, "series": series}
        return self._ask("prepare_inputs", x, **given)

    def predict(self, x, *, batch_size: int = 256, verbose=0, layout=None,
                future_covariates=None, static_covariates=None, series=None):
        """``model.predict`` on raw inputs (see :meth:`prepare_inputs`).

        Args:
            x: raw inputs.
            batch_size: examples per prediction batch.
            verbose: Keras' progress output.
            layout: the sequences' layout (see :meth:`prepare_inputs`).
            future_covariates, static_covariates, series: a forecaster's covariates
                (see :meth:`prepare_inputs`).

        Returns:
            Class probabilities ``[N, K]`` or forecasts ``[N, horizon, targets]`` in
            original units; a quantile forecaster returns, like its SavedModel,
            ``{"forecast": [N, horizon, targets], "quantiles": [N, horizon, Q, targets]}``
            (levels in ``config["quantiles"]``).
        """
        inputs = self.prepare_inputs(x, layout=layout, future_covariates=future_covariates,
                                     static_covariates=static_covariates, series=series)
        return self.model.predict(inputs, batch_size=batch_size, verbose=verbose)

    def generate(self, prompt: str, n: int = 200, **options) -> str:
        """A language model's sampled continuation of ``prompt``
        (:func:`seqkit.language.task.generate`: ``temperature``, ``top_k``, ``top_p``,
        ``seed``).

        Args:
            prompt: the text to continue.
            n: tokens to generate.
            **options: the sampling options.

        Returns:
            ``prompt`` and the generated tokens.
        """
        return self.task_type.generate(self, prompt, n, **options)

    def predict_series(self, series=None, *, future_covariates=None):
        """A forecaster's forecast from the end of a series it was fitted on (its last
        ``window`` values, test part included), by id for many series.

        Args:
            series: the series id (``data_info["series_ids"]``); None for one series.
            future_covariates: the horizon's covariates, when the model takes them.

        Returns:
            What :meth:`predict` returns, for a batch of one.

        Raises:
            DataError: an unknown id, or a result that kept no last windows (too large).
        """
        return self.task_type.predict_series(self, series,
                                             future_covariates=future_covariates)

    def backtest(self, series, **kwargs):
        """Forecast ``series`` from rolling origins and score them beside the baselines
        (Darts' ``historical_forecasts`` + ``backtest``; forecasters only).

        Args:
            series: the series to backtest on, typically the full series the result was
                fitted on a prefix of.
            **kwargs: ``start``, ``stride``, ``end``, ``retrain``, ``baselines``, ...
                (:func:`seqkit.forecasting.backtest.backtest`).

        Returns:
            A :class:`seqkit.forecasting.Backtest`.
        """
        return self.task_type.backtest(self, series, **kwargs)

    def future_covariates_for(self, timestamps, values=None) -> np.ndarray:
        """A forecaster's ``future_covariates [horizon, C]`` for one forecast: the user's
        regressor values over the horizon, then the calendar encodings of ``timestamps``.

        Args:
            timestamps: the horizon's ``DatetimeIndex``
                (``seqkit.data.timeseries.future_index(last_index, horizon)``).
            values: ``[horizon, n]`` values of ``config["future_covariates"]``.

        Returns:
            The array :meth:`predict` takes as ``future_covariates``.
        """
        return self.task_type.future_covariates_for(self, timestamps, values)

    def predict_labels(self, x, *, batch_size: int = 256, layout=None) -> list:
        """Predicted class names (classification tasks only).

        Args:
            x: raw inputs.
            batch_size: examples per prediction batch.
            layout: the sequences' layout (see :meth:`prepare_inputs`).

        Returns:
            One class name per input, from :attr:`class_names` (of their type: the
            integer ``3``, not ``"3"``, for a model trained on integer labels).
        """
        if self.class_names is None:
            raise ConfigError(f"predict_labels needs a classification result, task={self.task!r}")
        probs = self.predict(x, batch_size=batch_size, layout=layout)
        return [self.class_names[i] for i in probs.argmax(axis=1)]

    def evaluate(self, x, y, *, batch_size: int = 256, layout=None) -> dict:
        """Classification metrics of the model on new labelled data.

        Args:
            x: raw inputs.
            y: their labels, of the kind the model was trained on (strings for string
                classes, integers for integer classes, ...; see
                :func:`seqkit.data.to_label_array`); a label not in :attr:`class_names`, or
                of another type, is a :class:`DataError` that names it.
            batch_size: examples per prediction batch.
            layout: the sequences' layout (see :meth:`prepare_inputs`).

        Returns:
            :func:`seqkit.classification.task.classification_metrics` of the predictions.
        """
        return self.task_type.score(self, x, y, batch_size=batch_size,
                                    **({"layout": layout} if layout else {}))

    def trace_gates(self, x, *, layer=None, **inputs):
        """Per-time-step gate activations of the model's RNN layer on raw inputs:
        :func:`seqkit.layers.trace.trace_gates` on what :meth:`prepare_inputs` makes of
        ``x``, so the model's own preprocessing (text vectorizer, scaling) runs.

        Args:
            x: raw inputs, as :meth:`predict` takes them (texts, windows, sequences).
            layer: the RNN layer by name or object (default the first).
            **inputs: :meth:`prepare_inputs`' keywords (``layout``, a forecaster's
                ``future_covariates``, ``static_covariates``, ``series``).

        Returns:
            A :class:`seqkit.layers.GateTrace`; a text model's holds each example's tokens
            in ``extra["tokens"]`` (the time axis of :meth:`plot_gate_trace`).

        Example:

        >>> import keras, seqkit
        >>> vectorizer = keras.layers.TextVectorization(output_sequence_length=4)
        >>> vectorizer.adapt(["good film", "bad film"])
        >>> text = keras.Input((), dtype="string", name="text")
        >>> x = keras.layers.Embedding(5, 3, mask_zero=True)(vectorizer(text))
        >>> out = keras.layers.Dense(2, activation="softmax")(seqkit.make_rnn("gru", 4)(x))
        >>> result = FitResult(keras.Model(text, out), "text_classification")
        >>> trace = result.trace_gates(["good film", "bad bad film"])
        >>> trace["h"].shape, trace.extra["tokens"]
        ((2, 4, 4), [['good', 'film'], ['bad', 'bad', 'film']])
        """
        from seqkit.layers.trace import trace_gates

        prepared = self.prepare_inputs(x, **inputs)
        trace = trace_gates(self.model, prepared, layer=layer)
        trace.extra.update(self.task_type.trace_extra(self, prepared))
        return trace

    def plot_gate_trace(self, x, path, *, example: int = 0, gates=None, layer=None,
                        max_units: int = 64, **inputs) -> Path:
        """A heatmap PNG of the gates on one raw input (:meth:`trace_gates`, then
        :func:`seqkit.layers.trace.plot_gate_trace`); a text's tokens label the time axis.

        Args:
            x: raw inputs (one text or window is a batch of one).
            path: the PNG file to write (folders created).
            example: which of ``x`` to draw.
            gates: the gate names to draw (default all).
            layer: the RNN layer (default the first).
            max_units: draw at most this many units per gate.
            **inputs: :meth:`prepare_inputs`' keywords.

        Returns:
            ``Path(path)``.

        Example:

        >>> import keras, numpy as np, os, tempfile, seqkit
        >>> inp = keras.Input((None, 2), name="sequence")
        >>> out = keras.layers.Dense(2, activation="softmax")(seqkit.ExplicitLSTM(3)(inp))
        >>> result = FitResult(keras.Model(inp, out), "sequence_classification",
        ...                    data_info={"n_features": 2})
        >>> png = result.plot_gate_trace([np.ones((5, 2))], os.path.join(tempfile.mkdtemp(),
        ...                                                              "gates.png"))
        >>> png.read_bytes()[:4]
        b'\\x89PNG'
        """
        from seqkit.layers.trace import plot_gate_trace

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        plot_gate_trace(self.trace_gates(x, layer=layer, **inputs), path, example=example,
                        gates=gates, max_units=max_units)
        return path

    def explain(self, x, *, target=None, steps: int = 50, batch_size: int = 256) -> list:
        """Why a prediction: each token's attribution to a class probability, by
        integrated gradients on the embeddings
        (:func:`seqkit.classification.attribution.integrated_gradients`; text
        classifiers only, other tasks refuse).

        Args:
            x: raw texts (one string is a batch of one).
            target: the class name to explain (of :attr:`class_names`' type), or one per
                text; None: each text's predicted class.
            steps: the path's intervals (more: a smaller completeness gap, slower).
            batch_size: path points (text × step) per model call.

        Returns:
            One :class:`seqkit.classification.attribution.Attribution` per text:
            ``tokens``, ``scores``, ``top(k)``, ``probability``, ``gap``.

        Raises:
            seqkit.errors.ConfigError: not a text classifier, or a bad ``target`` or
                ``steps`` (the message names it).

        Example:

        >>> import keras, seqkit
        >>> vectorizer = keras.layers.TextVectorization(output_sequence_length=4)
        >>> vectorizer.adapt(["good film", "bad film"])
        >>> text = keras.Input((), dtype="string", name="text")
        >>> x = keras.layers.Embedding(5, 3, mask_zero=True, name="embedding")(vectorizer(text))
        >>> out = keras.layers.Dense(2, activation="softmax")(seqkit.make_rnn("gru", 4)(x))
        >>> result = FitResult(keras.Model(text, out), "text_classification",
        ...                    class_names=["neg", "pos"])
        >>> [why] = result.explain("a good film", target="pos", steps=10)
        >>> why.label, why.tokens, why.scores.shape
        ('pos', ['[UNK]', 'good', 'film'], (3,))
        """
        return self.task_type.explain(self, x, target=target, steps=steps,
                                      batch_size=batch_size)

    # ------------------------------------------------------------------ persistence

    def to_json(self) -> dict:
        """Everything but the model, as written to ``fit_result.json``."""
        import seqkit

        return {"format": _FORMAT, "seqkit_version": seqkit.__version__, "task": self.task,
                "history": self.history, "metrics": self.metrics, "config": self.config,
                "class_names": jsonable(self.class_names), "timing": self.timing,
                "data_info": self.data_info}

    def save(self, path) -> Path:
        """Write ``path/model.keras`` and ``path/fit_result.json``.

        Args:
            path: a directory, created if needed; files of those names are replaced
                (the JSON atomically).

        Returns:
            ``Path(path)``.
        """
        path = Path(path)
        if path.suffix == ".keras":
            raise ConfigError(
                f"save(path) takes a directory (it writes {MODEL_FILE} and {RESULT_FILE} "
                f"inside), got {str(path)!r}")
        path.mkdir(parents=True, exist_ok=True)
        self.model.save(path / MODEL_FILE)
        write_json_atomic(path / RESULT_FILE, self.to_json())
        return path

    @classmethod
    def load(cls, path) -> FitResult:
        """Read a directory written by :meth:`save`.

        Args:
            path: the directory.

        Returns:
            The :class:`FitResult`, its model loaded with seqkit's layers registered.

        Raises:
            seqkit.errors.DataError: ``path`` lacks one of the two files, or its
                ``fit_result.json`` is not valid JSON or names no task.
            seqkit.errors.ConfigError: the task it names is not registered.
        """
        import seqkit.layers  # noqa: F401  (registers the serializable RNN layers)

        path = Path(path)
        if not (path / RESULT_FILE).is_file() or not (path / MODEL_FILE).is_file():
            raise DataError(
                f"{str(path)!r} is not a saved FitResult (needs {MODEL_FILE} and {RESULT_FILE})")
        try:
            info = json.loads((path / RESULT_FILE).read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise DataError(f"{str(path / RESULT_FILE)!r} is not valid JSON ({err}); the "
                            f"folder is not a readable saved FitResult") from err
        if not isinstance(info, dict) or not isinstance(info.get("task"), str):
            raise DataError(f"{str(path / RESULT_FILE)!r} holds no task name (a saved "
                            f"FitResult's fit_result.json has a 'task' string)")
        tasks.task_class(info["task"])  # imports the task: registers its layers
        model = keras.saving.load_model(path / MODEL_FILE)
        return cls(model=model, task=info["task"], history=info.get("history", {}),
                   metrics=info.get("metrics", {}), config=info.get("config", {}),
                   class_names=info.get("class_names"), timing=info.get("timing", {}),
                   data_info=info.get("data_info", {}))

    def export(self, path, version=None):
        """Export for TF Serving: ``seqkit.export(self, path, version=version)``.

        Args:
            path: the model's base folder (``saved_models/<name>``).
            version: the integer version folder; None: the next one.

        Returns:
            The :class:`seqkit.serving.ExportInfo` of the published version.
        """
        import seqkit

        return seqkit.export(self, path, version=version)

    # ------------------------------------------------------------------ reporting

    def plot_history(self, path) -> Path:
        """Learning curves (one panel per metric, train and validation) as a PNG.

        Args:
            path: the PNG file to write (folders created).

        Returns:
            ``Path(path)``.

        Raises:
            seqkit.errors.DataError: the history is empty.
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        names = [k for k in self.history if not k.startswith("val_")]
        if not names:
            raise DataError("plot_history: the history is empty (nothing was trained)")
        fig = Figure(figsize=(4.5 * len(names), 3.5))
        FigureCanvasAgg(fig)
        for i, name in enumerate(names):
            ax = fig.add_subplot(1, len(names), i + 1)
            epochs = range(1, len(self.history[name]) + 1)
            ax.plot(epochs, self.history[name], marker="o", label="train")
            if f"val_{name}" in self.history:
                ax.plot(epochs, self.history[f"val_{name}"], marker="o", label="validation")
            best = self.timing.get("best_epoch")
            if best:
                ax.axvline(best, color="grey", linestyle=":", label="best epoch")
            ax.set_xlabel("epoch")
            ax.set_title(name)
            ax.legend()
        fig.suptitle(f"{self.task} ({_cell_label(self.config)})")
        fig.tight_layout()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", dpi=100)
        return path

    def summary(self) -> str:
        """A few lines: task, model, key test metrics (with the baseline they are measured
        against), split sizes, timing.

        Returns:
            The text, lines separated by newlines.
        """
        c, m, t = self.config, self.metrics, self.timing
        lines = [f"{self.task}: {_cell_label(c)} x{c.get('layers', 1)} units={c.get('units')}"
                 f"{' bidirectional' if c.get('bidirectional') else ''}, "
                 f"{t.get('epochs_run', len(self.history.get('loss', [])))} epoch(s)"
                 + (f", best epoch {t['best_epoch']}" if t.get("best_epoch") else "")]
        if m:
            lines += self.task_type.summary_lines(self)
        sizes = self.data_info.get("split_sizes")
        windows = self.data_info.get("n_windows")
        if sizes:
            lines.append("splits: " + ", ".join(f"{k} {v}" for k, v in sizes.items()))
        elif windows:
            lines.append("windows (origins): " + ", ".join(f"{k} {v}"
                                                          for k, v in windows.items()))
        if t.get("stop_reason"):
            steps = f", {t['steps_run']} optimizer steps" if t.get("steps_run") else ""
            lines.append(f"stopped: {t['stop_reason']}{steps}")
        if t.get("median_epoch_seconds") is not None:
            eps = t.get("examples_per_second")
            lines.append(f"time: {t['median_epoch_seconds']:.2f} s/epoch (median)"
                         + (f", {eps:.0f} examples/s" if eps else ""))
        return "\n".join(lines)

    def __repr__(self):
        return f"FitResult(task={self.task!r}, metrics={_short(self.metrics)})"


def _short(metrics: dict) -> dict:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in metrics.items()
            if not isinstance(v, (list, dict))}


def _cell_label(config: dict) -> str:
    cell = config.get("cell", "?")
    return cell if isinstance(cell, str) else str(cell.get("class", cell))
