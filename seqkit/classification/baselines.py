"""The first baselines a practitioner tries, fitted beside every classifier on the same
splits: TF-IDF + logistic regression for text (scikit-learn), 1-nearest-neighbour DTW and
MiniRocket for sequences (aeon).

Each is trained on everything the classifier learnt from (its training split and its
validation split: the validation examples steer the network's early stopping, so the
baseline gets them as training data) and scored on the same test split with the same
metrics (:func:`seqkit.classification.task.classification_metrics`). The classifier's
``metrics["baselines"]`` holds one record per baseline and ``metrics["beats"]`` whether
the network's test accuracy is at least the baseline's; a baseline that wins is named in a
warning. A baseline too slow for the data (1-NN DTW's cost grows with ``n_train * n_test *
T**2``) or that cannot read it (MiniRocket needs equal lengths of at least 9 steps) is
left out of the default set with the reason recorded; named explicitly it runs anyway
when it can.

Example:

>>> import numpy as np
>>> from seqkit.classification.baselines import run_baselines
>>> texts = np.array(["good film", "great film", "bad film", "awful film"] * 5, object)
>>> ids = np.array([1, 1, 0, 0] * 5)
>>> out = run_baselines(("tfidf_logreg",), (texts, ids), (texts[:4], ids[:4]),
...                     ["neg", "pos"], seed=0)
>>> out["tfidf_logreg"]["accuracy"], out["tfidf_logreg"]["model"]
(1.0, 'TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True) + LogisticRegression(max_iter=1000)')
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from seqkit.errors import ConfigError

#: The baselines of each kind of input, by name.
TEXT_BASELINES = ("tfidf_logreg",)
SEQUENCE_BASELINES = ("dtw_1nn", "minirocket")
BASELINES = TEXT_BASELINES + SEQUENCE_BASELINES

#: 1-NN DTW is left out of the default set above this many cell updates
#: (``n_train * n_test * T**2``): about a minute of aeon's numba DTW on one core.
DTW_MAX_CELLS = 5e10
#: MiniRocket's shortest series (its kernels have 9 taps).
MINIROCKET_MIN_LENGTH = 9


def check_baselines(value, allowed) -> tuple:
    """``value`` as a tuple of baseline names, each one of ``allowed``.

    Args:
        value: None or ``()`` (none), ``"auto"`` (every one of ``allowed``, each left out
            with a reason when too slow for the data), one name, or a list of names.
        allowed: the names this task's input can use.

    Returns:
        ``("auto",)`` for ``"auto"``, else the names.

    Raises:
        ConfigError: a name that is not one of ``allowed``.

    Example:

    >>> check_baselines("dtw_1nn", SEQUENCE_BASELINES)
    ('dtw_1nn',)
    >>> check_baselines(["tfidf_logreg"], SEQUENCE_BASELINES)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: baselines: 'tfidf_logreg' is not a baseline of this task; \
expected some of ('dtw_1nn', 'minirocket'), 'auto' or ()
    """
    if value is None:
        return ()
    if isinstance(value, str):
        value = ("auto",) if value == "auto" else (value,)
    names = tuple(value)
    for name in names:
        if name != "auto" and name not in allowed:
            raise ConfigError(f"baselines: {name!r} is not a baseline of this task; expected "
                              f"some of {tuple(allowed)}, 'auto' or ()")
    return names


def tfidf_logreg(seed: int, class_weight=None):
    """The text baseline: word uni- and bigram TF-IDF (sublinear term frequency) and an
    L2-regularised logistic regression (scikit-learn's defaults otherwise).

    Args:
        seed: the solver's random state.
        class_weight: None or ``"balanced"``, as the classifier was given.

    Returns:
        An unfitted scikit-learn pipeline.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                         LogisticRegression(max_iter=1000, random_state=seed,
                                            class_weight=class_weight))


def _describe(estimator) -> str:
    """``Vectorizer(...) + Classifier(...)``: the non-default parameters of each step."""
    steps = getattr(estimator, "steps", None) or [(None, estimator)]
    parts = []
    for _, step in steps:
        params = {k: v for k, v in step.get_params(deep=False).items()
                  if k != "random_state" and v != type(step)().get_params(deep=False).get(k)}
        parts.append(f"{type(step).__name__}("
                     + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")")
    return " + ".join(parts)


def sequence_lengths(x) -> np.ndarray:
    """The real lengths of post-padded ``[N, T, F]`` sequences (a padding step is all
    zeros, as the classifier's mask has it).

    Args:
        x: ``[N, T, F]``.

    Returns:
        ``int [N]``.

    Example:

    >>> sequence_lengths(np.array([[[1.0], [2.0], [0.0]], [[1.0], [0.0], [3.0]]])).tolist()
    [2, 3]
    """
    real = np.any(np.asarray(x) != 0, axis=-1)
    last = real.shape[1] - np.argmax(real[:, ::-1], axis=1)
    return np.where(real.any(axis=1), last, 0)


def aeon_input(x):
    """Zero-padded sequences in aeon's layout.

    Args:
        x: ``[N, T, F]`` post-padded sequences.

    Returns:
        ``(X, lengths)``: ``X`` float64 ``[N, F, T]`` when every length is equal, else a
        list of ``[F, T_i]``.

    Example:

    >>> X, lengths = aeon_input(np.array([[[1.0], [2.0]], [[3.0], [0.0]]]))
    >>> [s.tolist() for s in X], lengths.tolist()
    ([[[1.0, 2.0]], [[3.0]]], [2, 1])
    """
    lengths = sequence_lengths(x)
    if np.all(lengths == x.shape[1]):
        return np.transpose(np.asarray(x, "float64"), (0, 2, 1)), lengths
    return [np.asarray(s[:n], "float64").T for s, n in zip(x, lengths)], lengths


def has_aeon() -> bool:
    """Whether aeon (the sequence baselines' library, ``seqkit[ucr]``) is installed.

    Returns:
        True when it can be imported.
    """
    import importlib.util

    return importlib.util.find_spec("aeon") is not None


def _sequence_estimator(name: str, train_x, test_x, seed: int, class_weight, auto: bool):
    """``(estimator, None)`` or ``(None, reason)`` when ``name`` cannot (or, in the
    ``auto`` set, should not) run on this data."""
    lengths = np.concatenate([sequence_lengths(train_x), sequence_lengths(test_x)])
    if name == "dtw_1nn":
        from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier

        cells = float(len(train_x)) * len(test_x) * float(lengths.max()) ** 2
        if auto and cells > DTW_MAX_CELLS:
            return None, (f"left out: about {cells:.1e} DTW cell updates (over "
                          f"{DTW_MAX_CELLS:.0e}); name it in baselines= to run it")
        return KNeighborsTimeSeriesClassifier(distance="dtw", n_neighbors=1), None
    from aeon.classification.convolution_based import MiniRocketClassifier

    if lengths.min() != lengths.max():
        return None, "left out: MiniRocket needs equal-length series"
    if lengths.min() < MINIROCKET_MIN_LENGTH:
        return None, (f"left out: MiniRocket needs at least {MINIROCKET_MIN_LENGTH} steps, "
                      f"the series have {int(lengths.min())}")
    return MiniRocketClassifier(random_state=seed, class_weight=class_weight), None


def _scored(estimator, train, test, class_names, prepare) -> dict:
    """Fit ``estimator`` on ``train``, score it on ``test``; its metrics and seconds."""
    from seqkit.classification.metrics import classification_metrics

    start = time.perf_counter()
    estimator.fit(prepare(train[0]), np.asarray(train[1]))
    pred = np.asarray(estimator.predict(prepare(test[0]))).astype("int64")
    seconds = time.perf_counter() - start
    onehot = np.eye(len(class_names))[pred]
    out = classification_metrics(np.asarray(test[1]), onehot, class_names)
    out.pop("class_names", None)
    return {**out, "fit_seconds": seconds, "trained_on": int(len(train[0])),
            "model": _describe(estimator)}


def run_baselines(names, train, test, class_names, *, seed: int = 0,
                  class_weight=None) -> dict:
    """Fit each baseline of ``names`` on ``train`` and score it on ``test``.

    Args:
        names: baseline names (:data:`BASELINES`), or ``("auto",)``: every baseline of
            the input's kind, each left out with a reason when it cannot or should not
            run (see the module docstring).
        train: ``(x, class ids)``: texts (an array of strings) or ``[N, T, F]`` sequences.
        test: ``(x, class ids)`` of the same kind.
        class_names: the class names in id order.
        seed: the baselines' random state.
        class_weight: ``"balanced"`` weights the baselines' classes as the classifier's
            (a dict of weights is not passed on: the baselines stay unweighted).

    Returns:
        ``{name: metrics}``: accuracy, macro-F1, per-class recall, the confusion matrix,
        ``fit_seconds`` (fit and predict; the classifiers move it to
        ``FitResult.timing["baseline_seconds"]``), ``trained_on`` and ``model``; or
        ``{name: {"skipped": reason}}``.
    """
    text = np.asarray(train[0]).ndim == 1
    auto = tuple(names) == ("auto",)
    if auto:
        names = TEXT_BASELINES if text else SEQUENCE_BASELINES
    if not text and not has_aeon():
        if auto:
            return {name: {"skipped": "left out: aeon is not installed (pip install "
                                      "'seqkit[ucr]')"} for name in names}
        raise ConfigError(f"baselines {list(names)} need aeon: pip install 'seqkit[ucr]' "
                          "(or pass baselines=())")
    weight = class_weight if class_weight == "balanced" else None
    out = {}
    for name in names:
        if (name in TEXT_BASELINES) != text:
            raise ConfigError(f"baselines: {name!r} does not take "
                              f"{'texts' if text else 'sequences'}")
        if text:
            out[name] = _scored(tfidf_logreg(seed, weight), train, test, class_names,
                                lambda x: [str(t) for t in x])
            continue
        estimator, reason = _sequence_estimator(name, train[0], test[0], seed, weight, auto)
        if estimator is None:
            out[name] = {"skipped": reason}
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # aeon's numba/sklearn chatter
            out[name] = _scored(estimator, train, test, class_names,
                                lambda x: aeon_input(x)[0])
    return out


def compare_with_baselines(metrics: dict, baselines: dict) -> dict:
    """``metrics`` with ``"baselines"`` and ``"beats"`` (the network's test accuracy is
    at least the baseline's); warns naming each baseline that wins.

    Args:
        metrics: the classifier's test metrics (``accuracy``, ``macro_f1``).
        baselines: :func:`run_baselines`' result.

    Returns:
        ``metrics``, updated in place.

    Example:

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     m = compare_with_baselines({"accuracy": 0.7, "macro_f1": 0.6},
    ...                                {"tfidf_logreg": {"accuracy": 0.8, "macro_f1": 0.8}})
    >>> m["beats"], str(caught[0].message).split(":")[0]
    ({'tfidf_logreg': False}, 'the baseline tfidf_logreg beats the network on the test split')
    """
    metrics["baselines"] = baselines
    metrics["beats"] = {}
    for name, b in baselines.items():
        if "accuracy" not in b:
            continue
        metrics["beats"][name] = bool(metrics["accuracy"] >= b["accuracy"])
        if not metrics["beats"][name]:
            warnings.warn(
                f"the baseline {name} beats the network on the test split: accuracy "
                f"{b['accuracy']:.4f} vs {metrics['accuracy']:.4f}, macro-F1 "
                f"{b['macro_f1']:.4f} vs {metrics['macro_f1']:.4f} ({b.get('model', name)})",
                stacklevel=6)
    return metrics
