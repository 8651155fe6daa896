"""fit_sequence_classifier: ``[N, T, F]`` arrays (or aeon's ``[N, channels, T]`` with
``layout="NCT"``), lists of variable-length sequences or a dataset name in, a masked RNN
classifier out, evaluated on the data's own test split when it has one."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np

from seqkit.classification.baselines import SEQUENCE_BASELINES, check_baselines, sequence_lengths
from seqkit.classification.models import (
    FRONTENDS,
    HEADS,
    build_sequence_model,
    masked_feature_stats,
)
from seqkit.classification.task import ClassificationTask, check_class_weight, class_counts
from seqkit.errors import ConfigError, DataError
from seqkit.fit.options import FitOptions, describe_source, option
from seqkit.fit.pipeline import run_fit
from seqkit.fit.result import FitResult
from seqkit.validation import check_choice, check_fraction, check_int, fail

DEFAULT_TEST_FRACTION = 0.2
DEFAULT_HEAD = "last+mean"
DEFAULT_FRONTEND = "lstm-fcn"


@dataclass
class SequenceClassification(ClassificationTask):
    """The sequence task's hooks: checked, zero-padded ``[N, T, F]`` splits (a named
    dataset's, or a stratified seeded split of the arrays with ``test`` as the test split
    when given), ``build_sequence_model``, array datasets."""

    name = "sequence_classification"
    title = "sequence classification (a real offline set by default)"

    x: object = option(recipe_reason="the data: the recipe's data option")
    y: object = option(None, recipe_reason=(
        "the labels come with the recipe's data (a named set or a .ts file)"))
    lengths: object = option(None, recipe_reason=(
        "per-sequence lengths of padded arrays; the recipe's data knows its own"))
    val_fraction: float = option(0.1, "validation share (stratified), in (0, 1)")
    test_fraction: float | None = option(
        None, "test share (stratified); None: the data's own test split, else 0.2")
    classes: list[str] | None = option(
        None, "the class names in output order; default the sorted labels")
    test: object = option(None, recipe_reason=(
        "a test split as arrays; a named set or .ts folder brings its own"))
    layout: str = option("NTF", "NTF ([N, T, F]) or NCT (aeon's [N, channels, T])")
    class_weight: str | None = option(
        None, "balanced: weight each class by the inverse of its training share (a dict of "
        "weights in Python or a JSON config); None: unweighted")
    patch: int | str = option(
        "auto", "steps the RNN reads as one; auto: the fewest that leave <= 50 steps")
    baselines: list[str] | str | None = option(
        "auto", "baselines fitted on the same splits (dtw_1nn, minirocket); auto: each "
        "that suits the data; none: off")
    head: str = option(DEFAULT_HEAD, "last|mean|max or a +-joined mix (e.g. last+mean): "
                                     "what the classifier reads of the RNN's outputs")
    frontend: str = option(DEFAULT_FRONTEND, "patches (the RNN reads the steps), conv "
                           "(FCN convolutions feed the RNN) or lstm-fcn (the convolutions "
                           "beside the RNN, pooled, concatenated with its head)")

    #: the shared options whose default differs for this task
    option_defaults = {"learning_rate": 3e-3}
    recipe_options = {"data": (str, "digits", "digits, ucr:<Name> (a UCR/UEA problem aeon "
                               "ships, e.g. ucr:ArrowHead; its official test split) or a .ts "
                               "file/folder (<Name>_TRAIN.ts [+ _TEST.ts])")}

    def check(self) -> None:
        from seqkit.data.sequences import LAYOUTS

        self.val_fraction = check_fraction("val_fraction", self.val_fraction)
        if self.test_fraction is not None:
            self.test_fraction = check_fraction("test_fraction", self.test_fraction)
        check_choice("layout", self.layout, LAYOUTS)
        if self.patch != "auto":
            check_int("patch", self.patch)
        check_choice("head", self.head, HEADS)
        check_choice("frontend", self.frontend, FRONTENDS)
        check_class_weight(self.class_weight)
        self.baselines = check_baselines(self.baselines, SEQUENCE_BASELINES)
        if self.test is None:
            return
        if not isinstance(self.test, (tuple, list)) or len(self.test) != 2:
            fail("test", "a pair (x_test, y_test)", self.test)
        if self.test_fraction is not None:
            raise ConfigError(f"test_fraction must be None with test= (the metrics are on "
                              f"the given test split), got {self.test_fraction!r}")

    def load(self, seed: int) -> None:
        self.seed = seed
        if isinstance(self.x, (str, os.PathLike)):
            splits, self.class_names, self.source, self.test_split = _load_named(self, seed)
        else:
            splits, self.class_names, self.source, self.test_split = _load_arrays(self, seed)
        (self.train_x, self.train_y), (self.val_x, self.val_y), (self.test_x, self.test_y) = \
            splits
        self.n_features = int(self.train_x.shape[2])
        self.check_classes()

    def build_model(self, rnn):
        mean, std = masked_feature_stats(self.train_x)  # training split only, real steps
        self.patch_size = resolve_patch(self.patch, int(self.train_x.shape[1]))
        return build_sequence_model(self.n_features, len(self.class_names), rnn=rnn,
                                    input_mean=mean, input_std=std, patch=self.patch_size,
                                    head=self.head, frontend=self.frontend)

    def dataset(self, x, y, batch_size: int, *, shuffle: bool, seed: int):
        import tensorflow as tf

        ds = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    @classmethod
    def test_case(cls) -> dict:
        """120 random sequences ``[6, 2]`` labelled by the sign of their first value, 4
        units, one epoch, the RNN alone (``frontend="patches"``) and its last state's head
        (it streams; see :meth:`FitTask.test_case`).

        Returns:
            The case.

        Example:

        >>> SequenceClassification.test_case()["inputs"].shape
        (3, 6, 2)
        """
        x = np.random.default_rng(0).normal(size=(120, 6, 2)).astype("float32")
        return {"fit": fit_sequence_classifier, "streams": True,
                "kwargs": {"x": x, "y": (x[:, 0, 0] > 0).astype(int), "units": 4,
                           "epochs": 1, "verbose": 0, "head": "last", "frontend": "patches"},
                "inputs": x[:3], "recipe": {"units": 4, "epochs": 1, "head": "last",
                                            "frontend": "patches"}}

    @classmethod
    def prepare_inputs(cls, result, x, *, layout=None):
        """Sequences as the model takes them: float32 ``[N, T, F]``, a list of ``[T_i, F]``
        post-padded with zeros.

        Args:
            result: the fitted :class:`~seqkit.fit.FitResult` (``data_info["n_features"]``).
            x: ``[N, T, F]`` or a list of ``[T_i, F]``; aeon's ``[N, channels, T]`` /
                ``[channels, T_i]`` with ``layout="NCT"``.
            layout: ``"NTF"`` or ``"NCT"`` (see :func:`seqkit.data.apply_layout`); None:
                the layout the model was fit with (``config["layout"]``, ``"NTF"`` for
                results saved before it existed).

        Returns:
            The padded float32 array.

        Raises:
            DataError: a shape that does not fit the model, NaN or inf.
        """
        return prepare_sequences(x, result.data_info["n_features"],
                                  layout or result.config.get("layout", "NTF"))

    def config(self) -> dict:
        return {"source": describe_source(self.x),
                "labels": describe_source(self.y) if self.y is not None else None,
                "lengths": "given" if self.lengths is not None else None,
                "test": describe_source(self.test[0]) if self.test is not None else None,
                **self.option_config(), "patch_size": getattr(self, "patch_size", None),
                **self.class_weight_config()}

    def data_info(self) -> dict:
        parts = (self.train_x, self.val_x, self.test_x)
        all_lengths = np.concatenate([sequence_lengths(a) for a in parts if len(a)])
        return {
            "source": self.source, "n_features": self.n_features,
            "split_sizes": {"train": len(self.train_x), "val": len(self.val_x),
                            "test": len(self.test_x)},
            "test_split": self.test_split,
            "padded_length": int(self.train_x.shape[1]),
            "length_min": int(all_lengths.min()), "length_max": int(all_lengths.max()),
            "length_mean": float(all_lengths.mean()),
            "class_counts_train": class_counts(self.train_y, self.class_names),
            **self.validation_info(),
        }


def fit_sequence_classifier(
    x,
    y=None,
    *,
    lengths=None,
    classes=None,
    class_weight=None,
    patch: int | str = "auto",
    head: str = "last+mean",
    frontend: str = DEFAULT_FRONTEND,
    val_fraction: float = 0.1,
    test_fraction: float | None = None,
    test=None,
    layout: str = "NTF",
    baselines="auto",
    **options,
) -> FitResult:
    """Train ``sequence → Masking → standardisation → (patches → RNN stack → head) beside
    (convolutions → masked mean) → softmax`` on labelled sequences.

    The defaults (64 units, Adam at 3e-3, ``patch="auto"``, ``head="last+mean"``,
    ``frontend="lstm-fcn"``) were chosen on UCR/UEA sets and digits against a plain Keras
    RNN and 1-NN DTW; ``docs/classification.md`` has the measurements behind each.

    The metrics (``FitResult.metrics``) are on a test split: ``test=`` when given, the
    dataset's official one for a ``"ucr:<Name>"`` name or a ``_TRAIN.ts`` file with its
    ``_TEST.ts``, else ``test_fraction`` of the data carved here. Validation
    (``val_fraction``) is carved from what remains, by the rule of
    :mod:`seqkit.data.splits`: stratified, seeded, at least one example of every class in
    training and validation when possible.

    Args:
        x: ``[N, T, F]`` (or ``[N, T]`` for one feature) array, or a list of ``[T_i, F]``
            arrays of different lengths (post-padded with zeros here); with
            ``layout="NCT"``, aeon's ``[N, channels, T]`` or a list of ``[channels, T_i]``.
            Or a source for :func:`seqkit.data.load_sequence_dataset`: ``"digits"``,
            ``"ucr:<Name>"`` (a UCR/UEA problem through aeon, offline; its official test
            split is the test split), the path of a ``.ts`` file or folder.
        y: labels, one per sequence (not with a dataset name): strings, integers,
            booleans or a pandas Categorical. The class names are the sorted unique labels
            of their type: ``"1"``/``"2"`` (a UCR file's labels) are two string classes,
            ``{-1, 1}`` two integer classes. See :mod:`seqkit.data.text.convert`.
        lengths: true length of each row of an ``[N, T, F]`` array; steps beyond it are set
            to zero (padding). **A padded step is one whose features are all exactly 0**:
            the model masks such steps wherever they occur, so a real all-zero step is
            skipped too (a warning counts them); shift such data first. NaN is refused
            (``Masking`` does not mask NaN).
        classes: the class names in output order, of the labels' type; may hold classes
            ``y`` lacks; a label not among them is a DataError naming it. None: the sorted
            unique labels (a Categorical's categories).
        val_fraction: the validation fraction: of the arrays (with ``test_fraction``, both of
            the whole), or of the training split when the test split is given or official.
        test_fraction: the test fraction carved from data without a test split of its own;
            None: 0.2. Must be None with ``test=`` or a dataset that has its own test split
            (a ConfigError: the metrics could not be on both).
        test: ``(x_test, y_test)``, the official test split (same layout as ``x``, labels
            among the training classes; classes it lacks are fine): metrics are on exactly
            these examples (``metrics["n"] == len(y_test)``); not with a dataset name.
        layout: ``"NTF"`` (seqkit's ``[N, T, F]``, the default) or ``"NCT"`` (aeon's and
            the UCR/UEA archive's channels-second ``[N, channels, T]``) for ``x`` and
            ``test``; never guessed from the shape. ``FitResult.config["layout"]`` records
            it and ``FitResult.predict`` reads inputs in it unless told another; the
            exported model takes ``[B, T, F]``.
        patch: steps the RNN reads as one (:class:`seqkit.classification.models.TimePatches`: ``k``
            consecutive steps side by side, ``k * F`` features); ``"auto"``: the smallest
            ``k`` that leaves at most :data:`PATCH_TARGET_STEPS` steps of the training
            split's padded length (ArrowHead's 251 steps: 6, so 42 RNN steps;
            JapaneseVowels' 29: 1, unchanged); ``FitResult.config["patch_size"]`` records
            it. The model still takes ``[B, T, F]``.
        head: what the softmax reads: ``"last"`` (the final state), ``"mean"`` / ``"max"``
            (of the last layer's outputs over the real steps), or a ``+`` join of them,
            concatenated (:data:`seqkit.classification.models.HEADS`).
        frontend: what reads the standardised steps
            (:data:`seqkit.classification.models.FRONTENDS`): ``"patches"`` (the RNN, in
            patches of ``patch`` steps), ``"conv"`` (FCN's three convolution blocks,
            :class:`seqkit.classification.models.ConvBlocks`, then the RNN over their
            features, in patches) or ``"lstm-fcn"`` (Karim et al. 2018: the RNN as for
            ``"patches"`` and the convolution blocks beside it, their masked mean
            concatenated with ``head``; the default). Padding stays masked in all three.
            Only ``"patches"`` with ``head="last"`` exports a streaming step signature
            (convolutions and pooling read the whole sequence).
        class_weight: as in :func:`seqkit.fit_text_classifier`.
        baselines: ``"auto"`` (default): 1-nearest-neighbour DTW (``"dtw_1nn"``) and
            MiniRocket (``"minirocket"``), both from aeon
            (:mod:`seqkit.classification.baselines`), fitted on the training and
            validation splits and scored on the test split, each left out (with the
            reason) when it cannot read the data or DTW would be slow; in
            ``metrics["baselines"]`` with ``metrics["beats"]`` and a warning naming a
            baseline that wins. A list of names runs those; ``()`` or None: none.
        **options: the shared fit options, :class:`seqkit.fit.FitOptions` (``cell``,
            ``units``, ``epochs``, ``learning_rate``, ``strategy``, ...); here
            ``learning_rate`` defaults to 3e-3, the rate of the plain Keras baseline of
            ``docs/classification.md``; an unknown name is a ConfigError naming it.

    Returns:
        :class:`FitResult`; ``model`` takes ``sequence [B, T, F]`` (any T, zero-padded).

    Example:

    >>> import numpy as np, seqkit
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(40, 6, 2)).astype("float32")
    >>> y = np.where(x[:, :, 0].sum(axis=1) > 0, "up", "down")
    >>> result = seqkit.fit_sequence_classifier(x, y, units=4, epochs=1, verbose=0)
    >>> result.class_names, result.predict(x[:3]).shape
    (['down', 'up'], (3, 2))
    >>> ucr = seqkit.fit_sequence_classifier(x, np.where(y == "up", "2", "1"), units=4,
    ...                                      epochs=1, verbose=0)
    >>> ucr.class_names  # integer-looking strings stay strings: two classes
    ['1', '2']
    >>> aeon_like = (x[:30].transpose(0, 2, 1), y[:30])  # [N, channels, T]
    >>> given = seqkit.fit_sequence_classifier(*aeon_like, test=(x[30:].transpose(0, 2, 1),
    ...                                        y[30:]), layout="NCT", units=4, epochs=1,
    ...                                        verbose=0)
    >>> given.metrics["n"], given.data_info["test_split"], given.config["layout"]
    (10, 'given', 'NCT')
    """
    task = SequenceClassification.pick(locals())
    return run_fit(task, FitOptions.for_task(SequenceClassification, options))


#: ``patch="auto"`` groups steps so the RNN runs this many steps at most. Measured with
#: benchmarks/bench_classification.py, ArrowHead (T=251) GRU seed 0: 57.1 % with every
#: step (251 RNN steps), 64.6 % in patches of 6 (42 steps), other defaults unchanged.


SequenceClassification.fit_function = staticmethod(fit_sequence_classifier)


PATCH_TARGET_STEPS = 50


def resolve_patch(patch, padded_length: int) -> int:
    """Steps per RNN step: ``patch`` itself, or for ``"auto"`` the smallest ``k`` with
    ``ceil(padded_length / k) <= PATCH_TARGET_STEPS``.

    Args:
        patch: an integer >= 1 or ``"auto"``.
        padded_length: the training split's padded length T.

    Returns:
        The patch size.

    Example:

    >>> resolve_patch("auto", 251), resolve_patch("auto", 29), resolve_patch(3, 251)
    (6, 1, 3)
    """
    if patch == "auto":
        return max(1, -(-int(padded_length) // PATCH_TARGET_STEPS))
    return check_int("patch", patch)


def padded_sequences(x, y, lengths, classes=None, min_classes=2):
    """Checked sequences, zero-padded: what the classifier and the regressor train on.

    Args:
        x: ``[N, T, F]`` or ``[N, T]`` array, or a list of ``[T_i, F]`` arrays.
        y: labels (class ids come back), or None (the regressor checks its targets).
        lengths: true lengths of an array's rows, or None.
        classes: the class names in id order (None: the sorted labels).
        min_classes: the fewest classes ``y`` must hold.

    Returns:
        ``(x float32 [N, T, F] with every padded step zeroed, y ids or None, class names
        or None)``; a warning counts real steps that are all zeros (they are masked).

    Example:

    >>> arr, ids, names = padded_sequences([np.ones((2, 1)), np.ones((1, 1))], None, None)
    >>> arr[:, :, 0].tolist(), ids
    ([[1.0, 1.0], [1.0, 0.0]], None)
    """
    from seqkit.data.sequences import check_sequences

    if isinstance(x, np.ndarray) and x.dtype != object and x.ndim == 2:
        x = x[..., None]  # [N, T] -> one feature
    if isinstance(x, np.ndarray) and x.dtype == object:
        x = list(x)
    checked = check_sequences(x, y, lengths, classes=classes, min_classes=min_classes)
    arr = np.where(checked.mask[..., None], checked.x, 0.0).astype("float32")
    real = checked.mask
    if lengths is None:  # a padded array: trailing zero steps are its padding, not data
        real = real & (np.arange(arr.shape[1])[None, :] < sequence_lengths(arr)[:, None])
    inner_zero = int(np.sum(~np.any(arr != 0.0, axis=2) & real))
    if inner_zero:
        warnings.warn(f"{inner_zero} real time step(s) are all zeros and will be masked as "
                      "padding; shift the data if zero steps carry information",
                      stacklevel=6)  # fit_sequence_classifier's caller
    return arr, checked.y, checked.class_names


def _load_named(task: SequenceClassification, seed: int):
    """A dataset name's splits: ``(parts, class names, source, test split kind)``."""
    from seqkit.data.sequences import has_test_split, load_sequence_dataset

    x = task.x
    given = {k: v for k, v in (("y", task.y), ("lengths", task.lengths),
                               ("classes", task.classes), ("test", task.test)) if v is not None}
    if given or task.layout != "NTF":
        raise ConfigError(f"a dataset name ({str(x)!r}) brings its labels, lengths and "
                          f"splits: {sorted(given) or ['layout']} must be left out")
    official = has_test_split(x)
    if task.test_fraction is None and not official:
        task.test_fraction = DEFAULT_TEST_FRACTION
    ds = load_sequence_dataset(x, val_fraction=task.val_fraction,
                               test_fraction=task.test_fraction, seed=seed)
    parts = []
    for key, (px, py) in zip(("train", "val", "test"), (ds.train, ds.val, ds.test)):
        arr, _, _ = padded_sequences(px, None, ds.lengths[key] if ds.lengths else None)
        parts.append((arr, np.asarray(py, dtype="int64")))
    return parts, list(ds.class_names), str(ds.source), "official" if official else "carved"


def _load_arrays(task: SequenceClassification, seed: int):
    """User arrays (and ``test=``): ``(parts, class names, source, test split kind)``."""
    from seqkit.data.sequences import apply_layout

    if task.y is None:
        raise DataError("y (one label per sequence) is required unless x is a dataset name")
    arr, ids, names = padded_sequences(apply_layout(task.x, task.layout), task.y, task.lengths,
                               task.classes)
    ids = np.asarray(ids, dtype="int64")
    if task.test is None:
        if task.test_fraction is None:
            task.test_fraction = DEFAULT_TEST_FRACTION
        parts = _split(arr, ids, task.val_fraction, task.test_fraction, seed)
        return parts, names, describe_source(task.x), "carved"
    test_x, test_ids, _ = padded_sequences(apply_layout(task.test[0], task.layout), task.test[1],
                                   None, names, min_classes=1)
    if test_x.shape[2] != arr.shape[2]:
        raise DataError(f"test sequences have {test_x.shape[2]} features but the training "
                        f"sequences have {arr.shape[2]} (layout={task.layout!r})")
    train, val = _split(arr, ids, task.val_fraction, 0.0, seed)[:2]
    return ([train, val, (test_x, np.asarray(test_ids, dtype="int64"))], names,
            f"{describe_source(task.x)}; test= given", "given")


def _split(x, y, val_fraction, test_fraction, seed):
    """Train/val/test ``(x, y)`` by :func:`seqkit.data.splits.split_indices` (stratified,
    seeded, at least one example per class on both sides of each cut when possible)."""
    from seqkit.data.splits import split_indices

    return [(x[i], y[i]) for i in split_indices(y, val_fraction, test_fraction, seed)]


def prepare_sequences(x, n_features: int, layout: str = "NTF") -> np.ndarray:
    """Sequences as a sequence model takes them: float32 ``[N, T, F]``, lists post-padded.

    Args:
        x: an array or a list of sequences, in ``layout``.
        n_features: the model's features per step.
        layout: ``"NTF"`` or ``"NCT"``.

    Returns:
        The padded float32 array.

    Raises:
        DataError: a shape that does not fit (with a hint for aeon's layout), NaN or inf.

    Example:

    >>> prepare_sequences([np.ones((2, 1)), np.ones((1, 1))], 1).shape
    (2, 2, 1)
    """
    from seqkit.data.sequences import apply_layout, pad_sequences_post

    x = apply_layout(x, layout)
    if isinstance(x, np.ndarray) and x.dtype != object:
        arr = x.astype("float32")
        if arr.ndim == 2 and n_features == 1:
            arr = arr[..., None]
    else:
        arr, _ = pad_sequences_post(list(x))
    if arr.ndim != 3 or arr.shape[2] != n_features:
        hint = ("; it looks like aeon's [N, channels, T]: pass layout='NCT'"
                if layout == "NTF" and arr.ndim == 3 and arr.shape[1] == n_features else "")
        raise DataError(f"sequences must be [N, T, {n_features}] (or a list of [T_i, "
                        f"{n_features}] arrays) with layout={layout!r}, got shape "
                        f"{arr.shape}{hint}")
    if not np.all(np.isfinite(arr)):
        raise DataError("sequences contain NaN or infinite values (Masking does not mask "
                        "NaN); impute them first")
    return arr
