"""fit_sequence_classifier: ``[N, T, F]`` arrays or lists of variable-length sequences in,
a masked RNN classifier out."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import tensorflow as tf

from seqkit.errors import DataError
from seqkit.fit.result import FitResult
from seqkit.fit.train import (
    DEFAULT_PATIENCE,
    RNNSpec,
    build_sequence_model,
    callback_names,
    check_fraction,
    check_patience,
    check_positive_float,
    check_positive_int,
    check_seed,
    classification_metrics,
    compile_and_fit,
    describe_source,
    describe_strategy,
    jsonable,
    majority_baseline,
    resolve_strategy,
    strategy_scope,
)


def fit_sequence_classifier(
    x,
    y=None,
    *,
    lengths=None,
    cell="lstm",
    units: int = 32,
    layers: int = 1,
    bidirectional: bool = False,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    epochs: int = 20,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    seed: int = 0,
    val_fraction: float = 0.1,
    test_fraction: float = 0.2,
    patience: int | None = DEFAULT_PATIENCE,
    strategy=None,
    callbacks=None,
    backup_dir=None,
    verbose=1,
) -> FitResult:
    """Train ``sequence → Masking → RNN stack → softmax`` on labelled sequences.

    Args:
        x: ``[N, T, F]`` (or ``[N, T]`` for one feature) array, or a list of ``[T_i, F]``
            arrays of different lengths (post-padded with zeros here), or a dataset name for
            ``seqkit.data.sequences.load_sequence_dataset`` (e.g. ``"digits"``).
        y: labels (names or ids), one per sequence (not with a dataset name).
        lengths: true length of each row of an ``[N, T, F]`` array; steps beyond it are set
            to zero (padding). **A padded step is one whose features are all exactly 0**:
            the model masks such steps wherever they occur, so a real all-zero step is
            skipped too (a warning counts them); shift such data first. NaN is refused
            (``Masking`` does not mask NaN).
        Other arguments as in :func:`seqkit.fit_text_classifier` (``cell``, ``units``,
        ``layers``, ``bidirectional``, ``dropout``, ``recurrent_dropout``, ``epochs``,
        ``batch_size``, ``learning_rate``, ``seed``, ``val_fraction``, ``test_fraction``
        (stratified random split), ``patience``, ``strategy``, ``callbacks``,
        ``backup_dir``, ``verbose``).

    Returns:
        :class:`FitResult`; ``model`` takes ``sequence [B, T, F]`` (any T, zero-padded).
    """
    rnn = RNNSpec(cell, units, layers, bidirectional, dropout, recurrent_dropout).checked()
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    learning_rate = check_positive_float("learning_rate", learning_rate)
    val_fraction = check_fraction("val_fraction", val_fraction)
    test_fraction = check_fraction("test_fraction", test_fraction)
    patience = check_patience(patience)
    seed = check_seed(seed)
    strategy = resolve_strategy(strategy)

    keras.utils.set_random_seed(seed)
    splits, class_names, source = _load(x, y, lengths, val_fraction, test_fraction, seed)
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = splits
    n_features = int(x_tr.shape[2])
    if len(class_names) < 2:
        raise DataError(f"a classifier needs at least 2 classes, got {class_names}")

    with strategy_scope(strategy):
        model = build_sequence_model(n_features, len(class_names), rnn=rnn)
    train_ds = _dataset(x_tr, y_tr, batch_size, shuffle=True, seed=seed)
    val_ds = _dataset(x_va, y_va, batch_size, shuffle=False, seed=seed) if len(x_va) else None
    history, timing = compile_and_fit(
        model, train_ds, val_ds, epochs=epochs, learning_rate=learning_rate,
        loss="sparse_categorical_crossentropy", metrics=["accuracy"], patience=patience,
        callbacks=callbacks, backup_dir=backup_dir, verbose=verbose, strategy=strategy,
        train_examples=len(x_tr))

    metrics: dict = {}
    if len(x_te):
        probs = model.predict(x_te, batch_size=max(batch_size, 256), verbose=0)
        metrics = classification_metrics(y_te, probs, class_names)
        metrics["majority_baseline"] = majority_baseline(y_tr, y_te)
    else:
        warnings.warn("test_fraction=0: no test split, FitResult.metrics is empty",
                      stacklevel=2)

    config = {
        "task": "sequence_classification", "source": describe_source(x),
        "labels": describe_source(y) if y is not None else None,
        "lengths": "given" if lengths is not None else None, **rnn.config(),
        "epochs": epochs, "batch_size": batch_size, "learning_rate": learning_rate,
        "seed": seed, "val_fraction": val_fraction, "test_fraction": test_fraction,
        "patience": patience, "strategy": describe_strategy(strategy),
        "callbacks": callback_names(callbacks), "backup_dir": backup_dir,
        "verbose": verbose, "optimizer": "adam",
    }
    all_lengths = np.concatenate([_lengths(a) for a in (x_tr, x_va, x_te) if len(a)])
    data_info = {
        "source": source, "n_features": n_features,
        "split_sizes": {"train": len(x_tr), "val": len(x_va), "test": len(x_te)},
        "padded_length": int(x_tr.shape[1]),
        "length_min": int(all_lengths.min()), "length_max": int(all_lengths.max()),
        "length_mean": float(all_lengths.mean()),
        "class_counts_train": {class_names[i]: int(c) for i, c in
                               enumerate(np.bincount(y_tr, minlength=len(class_names)))},
    }
    return FitResult(model=model, task="sequence_classification", history=history,
                     metrics=jsonable(metrics), config=jsonable(config),
                     class_names=class_names, timing=jsonable(timing),
                     data_info=jsonable(data_info))


def _lengths(x: np.ndarray) -> np.ndarray:
    """Steps up to and including the last non-padding step of each row."""
    real = np.any(x != 0.0, axis=2)
    has = real.any(axis=1)
    last = x.shape[1] - np.argmax(real[:, ::-1], axis=1)
    return np.where(has, last, 0)


def _dataset(x, y, batch_size, *, shuffle, seed):
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def _checked(x, y, lengths):
    """``(x float32 [N, T, F] with every padded step zeroed, y ids, class names)``."""
    from seqkit.data.sequences import check_sequences

    if isinstance(x, np.ndarray) and x.dtype != object and x.ndim == 2:
        x = x[..., None]  # [N, T] -> one feature
    if isinstance(x, np.ndarray) and x.dtype == object:
        x = list(x)
    checked = check_sequences(x, y, lengths)
    arr = np.where(checked.mask[..., None], checked.x, 0.0).astype("float32")
    inner_zero = int(np.sum(~np.any(arr != 0.0, axis=2) & checked.mask))
    if inner_zero:
        warnings.warn(f"{inner_zero} real time step(s) are all zeros and will be masked as "
                      "padding; shift the data if zero steps carry information",
                      stacklevel=4)
    return arr, checked.y, checked.class_names


def _load(x, y, lengths, val_fraction, test_fraction, seed):
    if isinstance(x, str):
        if y is not None or lengths is not None:
            raise DataError(f"y and lengths must be None with a dataset name ({x!r})")
        from seqkit.data.sequences import load_sequence_dataset

        if val_fraction <= 0 or test_fraction <= 0:
            raise DataError(f"a named dataset ({x!r}) needs val_fraction and test_fraction "
                            "> 0")
        ds = load_sequence_dataset(x, val_fraction=val_fraction, test_fraction=test_fraction,
                                   seed=seed)
        names = [str(c) for c in ds.class_names]
        parts = []
        for px, py in (ds.train, ds.val, ds.test):
            arr, _, _ = _checked(px, None, None)
            parts.append((arr, np.asarray(py, dtype="int64")))
        return parts, names, str(ds.source)
    if y is None:
        raise DataError("y (one label per sequence) is required unless x is a dataset name")
    arr, ids, names = _checked(x, y, lengths)
    ids = np.asarray(ids, dtype="int64")
    return (_split(arr, ids, val_fraction, test_fraction, seed), [str(n) for n in names],
            describe_source(x))


def _split(x, y, val_fraction, test_fraction, seed):
    """Stratified (when every class has >= 2 members) seeded train/val/test split."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(x))

    def cut(index, frac, salt):
        if frac <= 0:
            return index, index[:0]
        labels = y[index]
        n_take = int(round(frac * len(index)))
        if n_take < 1 or len(index) - n_take < 1:
            raise DataError(f"{len(x)} sequences are too few for the requested split "
                            f"(val_fraction={val_fraction}, test_fraction={test_fraction})")
        present, counts = np.unique(labels, return_counts=True)
        strat = labels if (counts.min() >= 2 and n_take >= len(present)
                           and len(index) - n_take >= len(present)) else None
        try:
            return train_test_split(index, test_size=n_take, random_state=seed + salt,
                                    stratify=strat)
        except ValueError:
            return train_test_split(index, test_size=n_take, random_state=seed + salt)

    rest, test = cut(idx, test_fraction, 0)
    train, val = cut(rest, val_fraction / (1.0 - test_fraction) if test_fraction else
                     val_fraction, 1)
    train = np.sort(train)
    return [(x[train], y[train]), (x[np.sort(val)], y[np.sort(val)]),
            (x[np.sort(test)], y[np.sort(test)])]
