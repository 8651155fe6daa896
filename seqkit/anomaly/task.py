"""fit_anomaly_detector: a series (or a labelled one aeon ships) in, a recurrent scorer of
its windows out, thresholded on validation, evaluated on the labelled anomalies beside
aeon's detectors and the seasonal-naive residual on the same series."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from seqkit.anomaly.model import SCORE_LAYER, SCORERS, build_scorer, error_view
from seqkit.errors import ConfigError, DataError
from seqkit.fit.options import FitOptions, describe_source, option
from seqkit.fit.pipeline import FitTask, run_fit
from seqkit.fit.result import FitResult
from seqkit.validation import check_choice, check_fraction, check_int, check_number

THRESHOLDS = ("quantile", "dynamic", "best_f1")
#: the window when the training part shows no period (and its bounds when it does)
DEFAULT_WINDOW, MIN_AUTO_WINDOW, MAX_AUTO_WINDOW = 50, 8, 200


@dataclass
class AnomalyDetection(FitTask):
    """The anomaly task's hooks: a series split in time (an anomaly-free training part when
    the source has one, its last ``val_fraction`` for validation, the rest scored), the
    scorer of :mod:`seqkit.anomaly.model` trained on the training windows' error, the
    threshold from validation, the metrics and baselines on the scored part."""

    name = "anomaly_detection"
    title = "anomaly detection on a series (KDD-TSAD 135, which aeon ships, by default)"
    loss = "mae"  # of the error against 0: the mean window error itself
    metrics = ()

    series: object = option(recipe_reason="the data: the recipe's data option")
    labels: object = option(None, recipe_reason="the labels come with the recipe's data")
    train_end: int | None = option(
        None, "points [0, train_end) are anomaly-free training data; None: the source's "
              "own, else the whole series trains (unsupervised) and is scored")
    scorer: str = option("forecast", "forecast (the next point's error, LSTM-AD) or "
                                     "reconstruction (an LSTM autoencoder's)")
    window: int | str = option("auto", "points the RNN reads; auto: the training part's "
                                       "period (8 to 200), else 50")
    val_fraction: float = option(0.2, "the last share of the training part, for early "
                                      "stopping and the threshold")
    threshold: str = option("dynamic", "dynamic (telemanom's, on the scored part), "
                                       "quantile (of validation scores) or best_f1 (needs "
                                       "labelled anomalies in validation)")
    quantile: float = option(0.999, "the validation quantile of threshold='quantile'")
    baselines: str | list[str] | None = option(
        "auto", "aeon detectors run on the same series (STOMP, LeftSTAMPi, MERLIN, "
                "KMeansAD, IsolationForest) beside the seasonal-naive residual; none: off")

    option_defaults = {"learning_rate": 3e-3}
    recipe_options = {"data": (str, "kdd_tsad_135", "kdd_tsad_135 or daphnet_s06r02e0 "
                               "(labelled series aeon ships) or a .npy file of [T] / [T, F]")}

    def check(self) -> None:
        check_choice("scorer", self.scorer, SCORERS)
        check_choice("threshold", self.threshold, THRESHOLDS)
        self.val_fraction = check_fraction("val_fraction", self.val_fraction,
                                           allow_zero=False)
        self.quantile = check_number("quantile", self.quantile)
        if not 0.0 < self.quantile <= 1.0:
            raise ConfigError(f"quantile must be in (0, 1], got {self.quantile!r}")
        if self.window != "auto":
            self.window = check_int("window", self.window, minimum=2)
        if self.train_end is not None:
            self.train_end = check_int("train_end", self.train_end)
        if self.baselines is None or self.baselines == "none":
            self.baselines = ()
        elif self.baselines != "auto":
            self.baselines = (self.baselines,) if isinstance(self.baselines, str) \
                else tuple(self.baselines)

    def load(self, seed: int) -> None:
        self.seed = seed
        self.values, self.label_array, self.source, given_end = _series_and_labels(self)
        n = len(self.values)
        self.train_end = self.train_end if self.train_end is not None else given_end
        self.supervised_end = self.train_end
        fit_end = self.train_end if self.train_end is not None else n
        if fit_end > n:
            raise DataError(f"train_end must be at most the series' length {n}, got {fit_end}")
        self.window = _resolve_window(self.window, self.values[:fit_end])
        self.val_start = fit_end - int(round(self.val_fraction * fit_end))
        self.score_start = self.train_end if self.train_end is not None else 0
        need = self.window + 2
        if self.val_start < need or fit_end - self.val_start < 2:
            raise DataError(f"the training part ({fit_end} points, validation from "
                            f"{self.val_start}) is too short for windows of {self.window} "
                            f"points; give a longer series or a smaller window")
        train = self.values[:fit_end]
        self.mean = train.mean(axis=0)
        self.std = np.where(train.std(axis=0) > 0, train.std(axis=0), 1.0)
        length = self.span
        self.train_windows = model_inputs(_windows(self.values[:self.val_start], length),
                                          self.scorer)
        self.val_windows = model_inputs(
            _windows(self.values[self.val_start - length + 1:fit_end], length), self.scorer)

    @property
    def span(self) -> int:
        """Points in one input window (W + 1 for the forecast scorer)."""
        return self.window + 1 if self.scorer == "forecast" else self.window

    def build_model(self, rnn):
        return build_scorer(self.scorer, self.window, self.values.shape[1], rnn=rnn,
                            mean=self.mean, std=self.std)

    def training_model(self, model):
        return error_view(model)

    def datasets(self, batch_size: int, seed: int) -> tuple:
        import tensorflow as tf

        def make(windows, shuffle):
            ds = tf.data.Dataset.from_tensor_slices(
                (windows, np.zeros(len(windows), "float32")))
            if shuffle:
                ds = ds.shuffle(len(windows), seed=seed, reshuffle_each_iteration=True)
            return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

        return make(self.train_windows, True), make(self.val_windows, False)

    @property
    def train_examples(self) -> int:
        return len(self.train_windows)

    def after_training(self, model, batch_size: int) -> None:
        """Scale the score by the median validation error, then fix the threshold."""
        layer = model.get_layer(SCORE_LAYER)
        errors = error_view(model).predict(self.val_windows, batch_size=max(batch_size, 256),
                                           verbose=0)
        layer.scale = float(max(np.median(errors), 1e-12))
        model.predict_function = None  # traced again with the scale (a Python constant)
        self.scores = point_scores(model, self.values, self.scorer, self.window,
                                   batch_size=max(batch_size, 256))
        from seqkit.anomaly.evaluation import detector_threshold

        layer.threshold = self.threshold_value = detector_threshold(self)

    def evaluate(self, model, batch_size: int) -> dict:
        """The flags' counts and, with labels, :func:`seqkit.anomaly.metrics.anomaly_metrics`
        on the scored part beside every baseline thresholded by the same rule."""
        from seqkit.anomaly.evaluation import evaluate_detector

        return evaluate_detector(self)

    @classmethod
    def test_case(cls) -> dict:
        """A noisy sine of 240 points with a spike at 200 (its first 160 anomaly-free),
        windows of 8, 4 units, one epoch, the forecast scorer: its inputs are pairs and it
        streams.

        Returns:
            The case.

        Example:

        >>> AnomalyDetection.test_case()["inputs"].shape
        (3, 8, 2)
        """
        t = np.arange(240)
        series = np.sin(2 * np.pi * t / 12) + 0.1 * np.random.default_rng(0).normal(size=240)
        series[200] += 3.0
        labels = (np.abs(t - 200) <= 1).astype(int)
        pairs = model_inputs(_windows(series[:, None], 9), "forecast")
        return {"fit": fit_anomaly_detector, "streams": True,
                "kwargs": {"series": series, "labels": labels, "train_end": 160, "window": 8,
                           "units": 4, "epochs": 1, "verbose": 0, "baselines": ()},
                "inputs": pairs[190:193],
                "recipe": {"units": 4, "epochs": 1, "window": 8}}

    # ------------------------------------------------ what a fitted detector does

    outputs = "anomaly"

    @classmethod
    def prepare_inputs(cls, result, x):
        """Windows as the model takes them: float32. The forecast scorer takes windows of
        ``window + 1`` points ``[N, W + 1, F]`` (turned into W pairs) or the pairs
        ``[N, W, 2F]`` themselves; the reconstruction scorer ``[N, W, F]``. ``[N, L]`` is
        one feature.

        Args:
            result: the fitted result.
            x: the windows.

        Returns:
            The float32 array the model takes.

        Raises:
            DataError: another window length or feature count, NaN.
        """
        length, n_features = result.data_info["input_length"], result.data_info["n_features"]
        scorer = result.config["scorer"]
        arr = np.asarray(x, dtype="float32")
        if arr.ndim == 2 and n_features == 1:
            arr = arr[..., None]
        if scorer == "forecast" and arr.ndim == 3 and arr.shape[1:] == (length - 1,
                                                                         2 * n_features):
            return _finite(arr)
        if arr.ndim != 3 or arr.shape[1:] != (length, n_features):
            raise DataError(f"windows must be [N, {length}, {n_features}], got shape "
                            f"{arr.shape}; score a whole series with "
                            "seqkit.anomaly.score_series(result, series)")
        return model_inputs(_finite(arr), scorer)

    @classmethod
    def recipe_outputs(cls, config, result, run_dir, *, echo=print) -> dict:
        """After a recipe's run: ``anomalies.png``, the series, its scores, the threshold
        and the labelled ranges (:func:`seqkit.anomaly.plot.plot_anomalies`).

        Args:
            config: the recipe's configuration.
            result: the fitted detector.
            run_dir: the run folder.
            echo: unused (nothing to print).

        Returns:
            ``{"anomalies_png": path}``.
        """
        from pathlib import Path

        from seqkit.anomaly.plot import plot_anomalies

        values, labels, _, _ = _series_and_labels(cls(series=config.data))
        title = (f"{config.data}: {result.config['scorer']} scores, the scored part from "
                 f"point {result.data_info['score_start']}")
        path = plot_anomalies(Path(run_dir) / "anomalies.png", values,
                              score_series(result, values),
                              threshold=result.config["threshold_value"], labels=labels,
                              title=title)
        return {"anomalies_png": str(path)}

    @classmethod
    def summary_lines(cls, result) -> list[str]:
        """The threshold, the flags, and with labels the scores beside each baseline.

        Args:
            result: the fitted result.

        Returns:
            Lines of text.
        """
        from seqkit.anomaly.evaluation import summary_lines

        return summary_lines(result.metrics)

    def config(self) -> dict:
        return {"source": describe_source(self.series),
                "labels": describe_source(self.labels) if self.labels is not None else None,
                **self.option_config(), "threshold_value": getattr(self, "threshold_value",
                                                                   None)}

    def data_info(self) -> dict:
        return {"source": self.source, "length": int(len(self.values)),
                "n_features": int(self.values.shape[1]), "input_length": self.span,
                "train_end": self.train_end, "val_start": int(self.val_start),
                "score_start": int(self.score_start),
                "labelled_points": None if self.label_array is None
                else int(self.label_array.sum()),
                "split_sizes": {"train": len(self.train_windows),
                                "val": len(self.val_windows),
                                "scored": int(len(self.values) - self.score_start)}}


def fit_anomaly_detector(
    series,
    labels=None,
    *,
    train_end: int | None = None,
    scorer: str = "forecast",
    window: int | str = "auto",
    val_fraction: float = 0.2,
    threshold: str = "dynamic",
    quantile: float = 0.999,
    baselines="auto",
    **options,
) -> FitResult:
    """Train a recurrent scorer of a series' windows and flag the points it scores high.

    The series is split in time: the training part ``[0, train_end)`` (anomaly-free by
    assumption: the UCR archive's and TimeEval's semi-supervised setting), whose last
    ``val_fraction`` is validation, and the scored part ``[train_end, T)``; with no
    ``train_end`` (and none from the source) the whole series trains and is scored
    (unsupervised: anomalies are assumed rare). The scorer (:mod:`seqkit.anomaly.model`)
    is trained to minimise its own error on the training windows, with early stopping on
    the validation windows; each point's score (:func:`point_scores`) is its error
    divided by the median validation error.

    Thresholds (:mod:`seqkit.anomaly.thresholds`): ``"dynamic"`` (default: telemanom's
    nonparametric threshold over the scored part's scores, with its pruning; the export
    keeps its value), ``"quantile"`` (the ``quantile`` of the validation scores: normal
    data flags about ``1 - quantile`` of its points, but a scored part many times longer
    than validation exceeds validation's maximum often: on KDD-TSAD 135, 26 times longer,
    it flagged 85 points where the dynamic threshold flagged 18; ``docs/anomaly.md``) or
    ``"best_f1"`` (the threshold of the best range-based F1 on validation: needs labelled
    anomalies there). The export returns ``anomaly_score``
    and ``is_anomaly`` (``anomaly_score > threshold``) for each window.

    With ``labels`` the metrics (``FitResult.metrics``) are
    :func:`seqkit.anomaly.metrics.anomaly_metrics` on the scored part, and the same for the
    seasonal-naive residual and aeon's detectors (:mod:`seqkit.anomaly.baselines`) run on
    the same series, each thresholded by the same rule on its own validation scores;
    ``metrics["beats"]`` compares range-based F1 (and the UCR rule where it applies).

    Args:
        series: ``[T]`` or ``[T, F]`` finite numbers, or the name of a labelled series
            aeon ships (:func:`seqkit.anomaly.data.list_anomaly_series`), which brings its
            labels and its anomaly-free training part.
        labels: 0/1 per point or inclusive ``(start, end)`` ranges; None: no metrics but
            the flags' counts.
        train_end: the end of the anomaly-free training part (see above).
        scorer: ``"forecast"`` or ``"reconstruction"``.
        window: points the RNN reads; ``"auto"``: the training part's period
            (:func:`seqkit.anomaly.baselines.estimate_period`, 8 to 200), else 50.
        val_fraction: the last share of the training part held out.
        threshold: ``"dynamic"``, ``"quantile"`` or ``"best_f1"``.
        quantile: the validation quantile of ``threshold="quantile"``, in (0, 1].
        baselines: ``"auto"``, names of aeon's detectors, or ``()`` (the seasonal-naive
            residual runs whenever there are labels).
        **options: the shared fit options (:class:`seqkit.fit.FitOptions`).

    Returns:
        :class:`FitResult`: ``predict(windows)`` gives ``anomaly_score [N]``;
        :func:`score_series` scores a whole series; ``config["threshold_value"]``.

    Raises:
        DataError: a series too short for its windows, NaN, labels of another length.
        ConfigError: a bad option, ``threshold="best_f1"`` without labelled anomalies in
            validation.

    Example:

    >>> import numpy as np, seqkit
    >>> t = np.arange(300)
    >>> x = np.sin(2 * np.pi * t / 20) + 0.05 * np.random.default_rng(0).normal(size=300)
    >>> x[250] += 2.0
    >>> r = seqkit.fit_anomaly_detector(x, train_end=200, window=10, units=4, epochs=2,
    ...                                 verbose=0)
    >>> r.data_info["input_length"], score_series(r, x).shape
    (11, (300,))
    """
    task = AnomalyDetection.pick(locals())
    return run_fit(task, FitOptions.for_task(AnomalyDetection, options))


AnomalyDetection.fit_function = staticmethod(fit_anomaly_detector)


def _finite(arr: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(arr)):
        raise DataError("windows contain NaN or infinite values")
    return arr


def model_inputs(windows: np.ndarray, scorer: str) -> np.ndarray:
    """Windows of points as the scorer's model takes them.

    Args:
        windows: ``[N, L, F]``.
        scorer: ``"forecast"`` (L = W + 1 points → W pairs ``(x_{t-1}, x_t)``,
            ``[N, W, 2F]``) or ``"reconstruction"`` (unchanged).

    Returns:
        float32 model inputs.

    Example:

    >>> w = np.arange(6.0).reshape(2, 3, 1)      # two windows of 3 points
    >>> model_inputs(w, "forecast")[0].tolist()   # 2 pairs
    [[0.0, 1.0], [1.0, 2.0]]
    """
    windows = np.asarray(windows, "float32")
    if scorer != "forecast":
        return windows
    return np.concatenate([windows[:, :-1], windows[:, 1:]], axis=2)


def _windows(values: np.ndarray, length: int) -> np.ndarray:
    """Every window of ``length`` consecutive points: ``[T - length + 1, length, F]``."""
    view = np.lib.stride_tricks.sliding_window_view(values, length, axis=0)
    return np.ascontiguousarray(np.moveaxis(view, -1, 1)).astype("float32")


def point_scores(model, values, scorer: str, window: int, *, batch_size: int = 256):
    """Each point's score from the scorer's windows.

    The forecast scorer scores point t by the window ending at t (its first ``window``
    points get 0: nothing precedes them); the reconstruction scorer by the mean score of
    the windows that contain t.

    Args:
        model: the served model (:func:`seqkit.anomaly.model.build_scorer`).
        values: ``[T, F]``.
        scorer: ``"forecast"`` or ``"reconstruction"``.
        window: W.
        batch_size: windows per prediction batch.

    Returns:
        ``float64 [T]``.
    """
    length = window + 1 if scorer == "forecast" else window
    scores = np.asarray(model.predict(model_inputs(_windows(values, length), scorer),
                                      batch_size=batch_size, verbose=0), "float64")
    out = np.zeros(len(values))
    if scorer == "forecast":
        out[window:] = scores
        return out
    counts = np.zeros(len(values))
    for k in range(window):  # window i covers points i .. i + window - 1
        out[k:k + len(scores)] += scores
        counts[k:k + len(scores)] += 1
    return out / counts


def score_series(result: FitResult, series) -> np.ndarray:
    """A fitted detector's score of each point of a series (:func:`point_scores`).

    Args:
        result: a result of :func:`fit_anomaly_detector`.
        series: ``[T]`` or ``[T, F]``, at least one window long.

    Returns:
        ``float64 [T]``; flags are ``scores > result.config["threshold_value"]``.

    Raises:
        DataError: another feature count, NaN, a series shorter than a window.
    """
    values = _values(series, "series")
    if values.shape[1] != result.data_info["n_features"] or \
            len(values) < result.data_info["input_length"]:
        raise DataError(f"series must be [T, {result.data_info['n_features']}] with T >= "
                        f"{result.data_info['input_length']}, got shape {values.shape}")
    return point_scores(result.model, values, result.config["scorer"],
                        int(result.config["window"]))


def _values(series, what: str) -> np.ndarray:
    try:
        arr = np.asarray(series, dtype="float64")
    except (TypeError, ValueError):
        raise DataError(f"{what} must be numbers, got {type(series).__name__}") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or not len(arr):
        raise DataError(f"{what} must be [T] or [T, F], got shape {arr.shape}")
    bad = np.argwhere(~np.isfinite(arr))
    if len(bad):
        raise DataError(f"{what} must be finite; {len(bad)} value(s) are NaN or infinite, "
                        f"the first at point {int(bad[0][0])}")
    return arr


def _series_and_labels(task: AnomalyDetection):
    """``(values [T, F], labels [T] or None, source, train_end of the source or None)``."""
    from seqkit.anomaly.data import list_anomaly_series, load_anomaly_series
    from seqkit.anomaly.metrics import labels_from_ranges, ranges_from_labels

    if isinstance(task.series, (str, os.PathLike)):
        name = str(task.series)
        if name.endswith(".npy"):
            values = _values(np.load(name), name)
        else:
            check_choice("series", name, list_anomaly_series())
            if task.labels is not None:
                raise ConfigError(f"a named series ({name!r}) brings its labels: leave "
                                  "labels out")
            data = load_anomaly_series(name)
            return _values(data.values, name), data.labels.astype("int64"), data.source, \
                data.train_end
    else:
        values = _values(task.series, "series")
    if task.labels is None:
        return values, None, describe_source(task.series), None
    labels = labels_from_ranges(ranges_from_labels(task.labels), len(values)) \
        if np.ndim(task.labels) == 1 and len(task.labels) == len(values) \
        else labels_from_ranges(task.labels, len(values))
    return values, np.asarray(labels, "int64"), describe_source(task.series), None


def _resolve_window(window, train: np.ndarray) -> int:
    if window != "auto":
        return int(window)
    from seqkit.anomaly.baselines import estimate_period

    period = estimate_period(train, max_period=MAX_AUTO_WINDOW)
    return DEFAULT_WINDOW if period is None else int(np.clip(period, MIN_AUTO_WINDOW,
                                                             MAX_AUTO_WINDOW))
