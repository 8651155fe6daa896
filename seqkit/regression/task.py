"""fit_sequence_regressor: sequences and one number per sequence in (time series
extrinsic regression, Tan et al. 2021), a masked RNN regressor out, evaluated on the
data's own test split when it has one, beside the training mean and aeon's regressors."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np

from seqkit.classification.models import FRONTENDS, HEADS, masked_feature_stats
from seqkit.classification.sequences import (
    DEFAULT_FRONTEND,
    DEFAULT_HEAD,
    padded_sequences,
    prepare_sequences,
    resolve_patch,
    sequence_lengths,
)
from seqkit.errors import ConfigError, DataError
from seqkit.fit.options import FitOptions, describe_source, option
from seqkit.fit.pipeline import FitTask, run_fit
from seqkit.fit.result import FitResult
from seqkit.regression.baselines import REGRESSION_BASELINES
from seqkit.regression.metrics import check_targets, mean_baseline, regression_metrics
from seqkit.regression.model import (
    build_regression_model,
    regression_training_view,
    target_stats,
)
from seqkit.validation import check_bool, check_choice, check_fraction, check_int, fail

DEFAULT_TEST_FRACTION = 0.2
#: the targets are cut into this many quantile bins, and every split takes its share of
#: each (a stratified split of a continuous target: each split spans its range)
SPLIT_BINS = 5


@dataclass
class SequenceRegression(FitTask):
    """The regression task's hooks: checked, zero-padded ``[N, T, F]`` splits with their
    targets, :func:`~seqkit.regression.model.build_regression_model` trained on the
    standardised target, the test metrics beside the training mean and aeon's
    regressors."""

    name = "sequence_regression"
    title = "sequence (extrinsic) regression (a TSER set aeon ships by default)"
    loss = "mse"
    metrics = ("mae",)

    x: object = option(recipe_reason="the data: the recipe's data option")
    y: object = option(None, recipe_reason=(
        "the targets come with the recipe's data (a tser: name)"))
    lengths: object = option(None, recipe_reason=(
        "per-sequence lengths of padded arrays; the recipe's data knows its own"))
    val_fraction: float = option(0.1, "validation share, in (0, 1)")
    test_fraction: float | None = option(
        None, "test share; None: the data's own test split, else 0.2")
    test: object = option(None, recipe_reason=(
        "a test split as arrays; a tser: name brings its own"))
    layout: str = option("NTF", "NTF ([N, T, F]) or NCT (aeon's [N, channels, T])")
    patch: int | str = option(
        "auto", "steps the RNN reads as one; auto: the fewest that leave <= 50 steps")
    head: str = option(DEFAULT_HEAD, "last|mean|max or a +-joined mix: what the regression "
                                     "head reads of the RNN's outputs")
    frontend: str = option(DEFAULT_FRONTEND, "patches, conv or lstm-fcn (as the sequence "
                                             "classifier's)")
    masking: bool | str = option(
        "auto", "true: an all-zero step is padding (masked); false: every step is real; "
                "auto: true for a list of sequences or with lengths, false for an "
                "equal-length array or a tser: set (their zeros are values)")
    quantiles: list[float] | None = option(
        None, "quantile levels trained with the pinball loss (0.5 added); None: a point "
              "prediction (mean squared error)")
    baselines: list[str] | str | None = option(
        "auto", "aeon regressors fitted on the same splits (dtw_1nn, rocket, minirocket); "
                "auto: each that suits the data; none: off (the training mean always runs)")

    option_defaults = {"learning_rate": 3e-3}
    recipe_options = {"data": (str, "tser:Covid3Month", "tser:<Name> (a TSER problem aeon "
                               "ships: Covid3Month, CardanoSentiment; its official test "
                               "split)")}

    def check(self) -> None:
        from seqkit.classification.baselines import check_baselines
        from seqkit.data.sequences import LAYOUTS
        from seqkit.forecasting.quantiles import PinballLoss, check_quantiles

        self.val_fraction = check_fraction("val_fraction", self.val_fraction)
        if self.test_fraction is not None:
            self.test_fraction = check_fraction("test_fraction", self.test_fraction)
        check_choice("layout", self.layout, LAYOUTS)
        if self.patch != "auto":
            check_int("patch", self.patch)
        check_choice("head", self.head, HEADS)
        check_choice("frontend", self.frontend, FRONTENDS)
        if self.masking != "auto":
            self.masking = check_bool("masking", self.masking)
        self.baselines = check_baselines(self.baselines, REGRESSION_BASELINES)
        if self.quantiles is not None:
            self.quantiles = list(check_quantiles(self.quantiles))
            self.loss, self.metrics = PinballLoss(self.quantiles), ()
        if self.test is not None:
            if not isinstance(self.test, (tuple, list)) or len(self.test) != 2:
                fail("test", "a pair (x_test, y_test)", self.test)
            if self.test_fraction is not None:
                raise ConfigError(f"test_fraction must be None with test= (the metrics are "
                                  f"on the given test split), got {self.test_fraction!r}")

    def load(self, seed: int) -> None:
        self.seed = seed
        self.masked = (self.masking if self.masking != "auto" else
                       self.lengths is not None or not isinstance(self.x, (str, os.PathLike,
                                                                           np.ndarray))
                       or np.asarray(self.x).dtype == object)
        loader = _load_named if isinstance(self.x, (str, os.PathLike)) else _load_arrays
        splits, self.source, self.test_split = loader(self, seed)
        (self.train_x, self.train_y), (self.val_x, self.val_y), (self.test_x, self.test_y) = \
            splits
        self.n_features = int(self.train_x.shape[2])
        if len(self.train_x) < 2:
            raise DataError(f"a regressor needs at least 2 training sequences, got "
                            f"{len(self.train_x)}")
        # unlike the classifiers (MIN_VALIDATION), a small validation split is kept: the
        # weights of the lowest training loss overfit a regression target (measured, 3000
        # steps on 140 Covid3Month series: RMSE 0.063 against 0.043 stopping on 14)
        if not len(self.val_x):
            self.monitor = "loss"
        self.target_mean, self.target_std = target_stats(self.train_y)

    def build_model(self, rnn):
        mask_value = 0.0 if self.masked else None
        mean, std = masked_feature_stats(self.train_x, mask_value)
        self.patch_size = resolve_patch(self.patch, int(self.train_x.shape[1]))
        return build_regression_model(
            self.n_features, target_mean=self.target_mean, target_std=self.target_std,
            rnn=rnn, mask_value=mask_value, input_mean=mean, input_std=std,
            patch=self.patch_size, head=self.head,
            frontend=self.frontend, quantiles=self.quantiles)

    def training_model(self, model):
        return regression_training_view(model)

    def _dataset(self, x, y, batch_size: int, *, shuffle: bool, seed: int):
        import tensorflow as tf

        scaled = ((np.asarray(y) - self.target_mean) / self.target_std).astype("float32")
        ds = tf.data.Dataset.from_tensor_slices((x, scaled[:, None]))
        if shuffle:
            ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    def datasets(self, batch_size: int, seed: int) -> tuple:
        train = self._dataset(self.train_x, self.train_y, batch_size, shuffle=True, seed=seed)
        val = (self._dataset(self.val_x, self.val_y, batch_size, shuffle=False, seed=seed)
               if len(self.val_x) else None)
        return train, val

    @property
    def train_examples(self) -> int:
        return len(self.train_x)

    def evaluate(self, model, batch_size: int) -> dict:
        """RMSE, MAE and R² on the test split beside the training mean and aeon's
        regressors (``metrics["baselines"]``, ``metrics["beats"]``); with quantiles also
        the pinball loss per level and the coverage of each central interval."""
        from seqkit.regression.baselines import compare_with_baselines, run_baselines

        if not len(self.test_x):
            warnings.warn("test_fraction=0: no test split, FitResult.metrics is empty",
                          stacklevel=4)
            return {}
        out = model.predict(self.test_x, batch_size=max(batch_size, 256), verbose=0)
        point = out["prediction"] if isinstance(out, dict) else out
        metrics = regression_metrics(self.test_y, point)
        if isinstance(out, dict):
            from seqkit.forecasting.metrics import quantile_metrics

            metrics["quantiles"] = quantile_metrics(self.test_y[:, None],
                                                    out["quantiles"][:, :, None],
                                                    self.quantiles)
        seen_x = np.concatenate([self.train_x, self.val_x])
        seen_y = np.concatenate([self.train_y, self.val_y])
        found = {"mean": mean_baseline(seen_y, self.test_y)}
        if self.baselines:
            found.update(run_baselines(self.baselines, (seen_x, seen_y),
                                       (self.test_x, self.test_y), seed=self.seed,
                                       masked=self.masked))
        self.timing_extra = {"baseline_seconds": {
            name: b.pop("fit_seconds") for name, b in found.items() if "fit_seconds" in b}}
        return compare_with_baselines(metrics, found)

    @classmethod
    def test_case(cls) -> dict:
        """120 random sequences ``[6, 2]`` whose target is the first feature's sum, 4
        units, one epoch, the RNN alone and its last state (it streams).

        Returns:
            The case.

        Example:

        >>> SequenceRegression.test_case()["inputs"].shape
        (3, 6, 2)
        """
        x = np.random.default_rng(0).normal(size=(120, 6, 2)).astype("float32")
        return {"fit": fit_sequence_regressor, "streams": True,
                "kwargs": {"x": x, "y": x[:, :, 0].sum(axis=1), "units": 4, "epochs": 1,
                           "verbose": 0, "head": "last", "frontend": "patches",
                           "baselines": ()},
                "inputs": x[:3], "recipe": {"units": 4, "epochs": 1, "head": "last",
                                            "frontend": "patches"}}

    # ------------------------------------------------ what a fitted regressor does

    outputs = "regression"

    @classmethod
    def prepare_inputs(cls, result, x, *, layout=None):
        """Sequences as the model takes them (as the sequence classifier's:
        :func:`seqkit.classification.sequences.prepare_sequences`).

        Args:
            result: the fitted :class:`~seqkit.fit.FitResult`.
            x: ``[N, T, F]`` or a list of ``[T_i, F]`` (aeon's ``[N, channels, T]`` with
                ``layout="NCT"``).
            layout: ``"NTF"`` or ``"NCT"``; None: the layout of the fit.

        Returns:
            The padded float32 array.
        """
        return prepare_sequences(x, result.data_info["n_features"],
                                 layout or result.config.get("layout", "NTF"))

    @classmethod
    def summary_lines(cls, result) -> list[str]:
        """The test line and one line per baseline (beaten or not).

        Args:
            result: the fitted result.

        Returns:
            Lines of text.
        """
        m = result.metrics
        if not m:
            return []
        r2 = "n/a" if m.get("r2") is None else f"{m['r2']:.4f}"
        lines = [f"test: RMSE {m['rmse']:.4g}  MAE {m['mae']:.4g}  R² {r2}  (n={m['n']})"]
        for name, b in m.get("baselines", {}).items():
            if "skipped" in b:
                lines.append(f"baseline {name}: {b['skipped']}")
                continue
            verdict = "beaten" if m["beats"].get(name) else "NOT beaten"
            lines.append(f"baseline {name}: RMSE {b['rmse']:.4g}  MAE {b['mae']:.4g} "
                         f"({verdict})")
        return lines

    @classmethod
    def score(cls, result, x, y, *, batch_size: int = 256, **inputs) -> dict:
        """RMSE, MAE and R² of the result's model on new sequences and targets.

        Args:
            result: the fitted result.
            x: raw inputs.
            y: their targets.
            batch_size: examples per prediction batch.
            **inputs: :meth:`prepare_inputs`' keywords (``layout``).

        Returns:
            :func:`seqkit.regression.metrics.regression_metrics` of the predictions.
        """
        out = result.predict(x, batch_size=batch_size, **inputs)
        return regression_metrics(check_targets(y), out["prediction"]
                                  if isinstance(out, dict) else out)

    def config(self) -> dict:
        return {"source": describe_source(self.x),
                "targets": describe_source(self.y) if self.y is not None else None,
                "lengths": "given" if self.lengths is not None else None,
                "test": describe_source(self.test[0]) if self.test is not None else None,
                **self.option_config(), "patch_size": getattr(self, "patch_size", None)}

    def data_info(self) -> dict:
        parts = (self.train_x, self.val_x, self.test_x)
        lengths = np.concatenate([sequence_lengths(a) if self.masked else
                                  np.full(len(a), a.shape[1]) for a in parts if len(a)])
        return {
            "source": self.source, "n_features": self.n_features,
            "split_sizes": {"train": len(self.train_x), "val": len(self.val_x),
                            "test": len(self.test_x)},
            "test_split": self.test_split, "padded_length": int(self.train_x.shape[1]),
            "masked": bool(self.masked),
            "length_min": int(lengths.min()), "length_max": int(lengths.max()),
            "target_mean": self.target_mean, "target_std": self.target_std,
        }


def fit_sequence_regressor(
    x,
    y=None,
    *,
    lengths=None,
    masking="auto",
    patch: int | str = "auto",
    head: str = DEFAULT_HEAD,
    frontend: str = DEFAULT_FRONTEND,
    quantiles=None,
    val_fraction: float = 0.1,
    test_fraction: float | None = None,
    test=None,
    layout: str = "NTF",
    baselines="auto",
    **options,
) -> FitResult:
    """Train ``sequence → Masking → standardisation → (patches → RNN stack → head) beside
    (convolutions → masked mean) → linear → the target's units`` on sequences with one
    number each: time series extrinsic regression (Tan et al. 2021), aeon's
    ``RecurrentRegressor`` with seqkit's explicit cells, masking and serving.

    It is the sequence classifier's pipeline (:func:`seqkit.fit_sequence_classifier`: the
    same inputs, layouts, padding rule, ``patch``, ``head`` and ``frontend``) with a
    regression head: the network learns the target standardised with the training split's
    mean and standard deviation, and the served model returns it in the target's units
    (:mod:`seqkit.regression.model`). Splits are seeded and stratified by quintile of the
    target, so each split spans its range.

    The metrics (``FitResult.metrics``: ``rmse``, ``mae``, ``r2``, ``n``) are on a test
    split: ``test=`` when given, a ``"tser:<Name>"`` problem's official one, else
    ``test_fraction`` of the data. Beside them, fitted on the same training and validation
    sequences and scored on the same test split (:mod:`seqkit.regression.baselines`):
    the training mean (always) and aeon's 1-NN DTW, ROCKET and MiniRocket regressors
    (``baselines``); ``metrics["beats"]`` says whether the network's RMSE is at most each
    one's, and a warning names each that wins.

    Args:
        x: ``[N, T, F]`` (or ``[N, T]``) array or a list of ``[T_i, F]`` arrays (aeon's
            ``[N, channels, T]`` with ``layout="NCT"``); or ``"tser:<Name>"``, a TSER
            problem aeon ships (``Covid3Month``, ``CardanoSentiment``; read offline with
            its official splits, :func:`seqkit.data.sequences.load_tser`).
        y: one finite number per sequence (not with a dataset name).
        lengths: true lengths of an array's rows (as the classifier's).
        masking: whether an all-zero step is padding, masked as the classifier masks it
            (True), or a value like any other (False: no ``Masking`` layer). ``"auto"``:
            True for a list of sequences or with ``lengths``, False for an equal-length
            array or a ``tser:`` set, whose zeros are values (Covid3Month is 81 % zero
            days; masked, its series look like different lengths and ROCKET/MiniRocket
            cannot run beside the network; the network's own RMSE moved little, 0.0432
            masked against 0.0429, GRU, 3 seeds).
        patch, head, frontend: as :func:`seqkit.fit_sequence_classifier` takes them.
        quantiles: None (a point prediction trained with the mean squared error) or
            quantile levels in (0, 1) (0.5 is added): the model is trained with the
            pinball loss and returns ``{"prediction": median [N], "quantiles": [N, Q]}``
            (non-crossing); the metrics add the pinball loss per level and the coverage
            of each central interval.
        val_fraction: the validation share (of the whole, or of the training split when
            the test split is given or official). Early stopping watches it however
            small (unlike the classifiers, which fold fewer than 20 into training): the
            lowest training loss overfits a regression target.
        test_fraction: the test share carved from data without its own; None: 0.2.
        test: ``(x_test, y_test)``, the test split; not with a dataset name.
        layout: ``"NTF"`` or ``"NCT"`` for ``x`` and ``test``.
        baselines: ``"auto"``, names of
            :data:`seqkit.regression.baselines.REGRESSION_BASELINES`, or ``()``/None
            (the training mean still runs).
        **options: the shared fit options (:class:`seqkit.fit.FitOptions`); here
            ``learning_rate`` defaults to 3e-3, as the sequence classifier's.

    Returns:
        :class:`FitResult`; ``predict(x)`` gives ``prediction [N]`` in the target's units
        (a dict with the quantiles when asked).

    Raises:
        DataError: targets that are not one finite number per sequence, shapes that do
            not fit, NaN in the sequences.
        ConfigError: a dataset name with ``y``/``test``, an unknown option.

    Example:

    >>> import numpy as np, seqkit
    >>> x = np.random.default_rng(0).normal(size=(60, 8, 1)).astype("float32")
    >>> result = seqkit.fit_sequence_regressor(x, x[:, :, 0].mean(axis=1), units=4,
    ...                                        epochs=1, verbose=0, baselines=())
    >>> result.predict(x[:3]).shape, sorted(result.metrics["baselines"])
    ((3,), ['mean'])
    """
    task = SequenceRegression.pick(locals())
    return run_fit(task, FitOptions.for_task(SequenceRegression, options))


SequenceRegression.fit_function = staticmethod(fit_sequence_regressor)


def _load_named(task: SequenceRegression, seed: int):
    """A ``"tser:<Name>"`` problem: its official splits, validation carved from train."""
    from seqkit.data.sequences import TSER_PREFIX, apply_layout, load_tser

    name = str(task.x)
    if not name.startswith(TSER_PREFIX):
        raise DataError(f"x must be sequences or 'tser:<Name>' (a TSER problem aeon ships), "
                        f"got {name!r}")
    given = [k for k, v in (("y", task.y), ("lengths", task.lengths), ("test", task.test),
                            ("test_fraction", task.test_fraction)) if v is not None]
    if given:
        raise ConfigError(f"a dataset name ({name!r}) brings its targets and its splits: "
                          f"{given} must be left out")
    parts, source = load_tser(name)
    x = _sequences(apply_layout(parts["train"][0], "NCT"), None, task.masked)
    y = check_targets(parts["train"][1])
    test_x = _sequences(apply_layout(parts["test"][0], "NCT"), None, task.masked)
    train, val = _split(x, y, task.val_fraction, 0.0, seed)[:2]
    return [train, val, (test_x, check_targets(parts["test"][1], "y_test"))], source, \
        "official"


def _load_arrays(task: SequenceRegression, seed: int):
    """User arrays (and ``test=``): ``(parts, source, test split kind)``."""
    from seqkit.data.sequences import apply_layout

    if task.y is None:
        raise DataError("y (one number per sequence) is required unless x is a dataset name")
    x = _sequences(apply_layout(task.x, task.layout), task.lengths, task.masked)
    y = check_targets(task.y)
    if len(y) != len(x):
        raise DataError(f"y has {len(y)} targets but x has {len(x)} sequences")
    if task.test is None:
        fraction = DEFAULT_TEST_FRACTION if task.test_fraction is None else task.test_fraction
        return _split(x, y, task.val_fraction, fraction, seed), describe_source(task.x), \
            "carved"
    test_x = _sequences(apply_layout(task.test[0], task.layout), None, task.masked)
    test_y = check_targets(task.test[1], "y_test")
    if test_x.shape[2] != x.shape[2] or len(test_y) != len(test_x):
        raise DataError(f"test= must hold sequences of {x.shape[2]} feature(s) and one target "
                        f"each, got shape {test_x.shape} and {len(test_y)} targets")
    train, val = _split(x, y, task.val_fraction, 0.0, seed)[:2]
    return [train, val, (test_x, test_y)], f"{describe_source(task.x)}; test= given", "given"


def _sequences(x, lengths, masked: bool) -> np.ndarray:
    """Checked float32 ``[N, T, F]``: zero-padded as the classifier's when ``masked``, else
    as given (every step real; a list of different lengths is refused)."""
    if masked:
        return padded_sequences(x, None, lengths)[0]
    shapes = {np.shape(s) for s in x} if not isinstance(x, np.ndarray) else set()
    if len(shapes) > 1 or (isinstance(x, np.ndarray) and x.dtype == object):
        raise DataError("masking=False needs an equal-length [N, T, F] array, got sequences "
                        "of different lengths; pass masking=True (all-zero steps are "
                        "padding) or cut them to one length")
    arr = np.asarray(x, dtype="float32")
    if arr.ndim not in (2, 3):
        raise DataError(f"sequences must be [N, T, F] (or [N, T]), got shape {arr.shape}")
    if arr.ndim == 2:
        arr = arr[..., None]
    return prepare_sequences(arr, arr.shape[2])


def _split(x, y, val_fraction, test_fraction, seed):
    """Train/val/test ``(x, y)``, stratified by :data:`SPLIT_BINS` quantile bins of
    ``y`` (:func:`seqkit.data.splits.split_indices`)."""
    from seqkit.data.splits import split_indices

    edges = np.quantile(y, np.linspace(0, 1, SPLIT_BINS + 1)[1:-1])
    bins = np.searchsorted(edges, y, side="right")
    return [(x[i], y[i]) for i in split_indices(bins, val_fraction, test_fraction, seed)]
