"""fit_text_classifier: raw texts and labels in, a trained string-in model out."""

from __future__ import annotations

import warnings

import keras
import numpy as np

from seqkit.errors import DataError
from seqkit.fit.result import FitResult
from seqkit.fit.train import (
    DEFAULT_PATIENCE,
    RNNSpec,
    build_text_model,
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


def fit_text_classifier(
    x,
    y=None,
    *,
    cell="lstm",
    units: int = 64,
    layers: int = 1,
    bidirectional: bool = False,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    embedding_dim: int = 64,
    max_tokens: int = 20000,
    sequence_length: int | None = None,
    length_percentile: float = 95,
    epochs: int = 10,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    seed: int = 0,
    val_fraction: float = 0.1,
    test_fraction: float = 0.1,
    patience: int | None = DEFAULT_PATIENCE,
    data_dir=None,
    text_column: str | None = None,
    label_column: str | None = None,
    empty_policy: str = "error",
    max_examples: int | None = None,
    strategy=None,
    callbacks=None,
    backup_dir=None,
    verbose=1,
) -> FitResult:
    """Train a text classifier: ``strings → TextVectorization → Embedding(mask_zero) →
    RNN stack → softmax``, and evaluate it on a held-out test split.

    Args:
        x: texts in any form ``seqkit.data.text.load_text`` accepts: a TFDS name
            (e.g. ``"imdb_reviews"``; offline it needs ``data_dir``), a file or folder path,
            a list / NumPy (unicode arrays included) / pandas Series of strings with
            labels in ``y``, or a DataFrame with ``text_column`` / ``label_column``.
        y: labels (names or ids) when ``x`` holds the texts.
        cell: a name from ``seqkit.layers.VARIANTS`` ("lstm", "gru", "cifg", ...), a layer
            class or a layer instance (template); ``units`` per layer, ``layers`` deep,
            optionally ``bidirectional``; ``dropout`` / ``recurrent_dropout`` on every RNN.
        embedding_dim, max_tokens: embedding width and vocabulary size (train split only).
        sequence_length: tokens kept per text (post padding/truncation); None picks the
            ``length_percentile`` percentile of the training lengths.
        epochs, batch_size, learning_rate: Adam; early stopping on ``val_loss`` with
            ``patience`` (None: off) restores the best weights.
        seed: seeds Keras/NumPy/TF (``keras.utils.set_random_seed``), the split and the
            shuffling order: the same seed gives the same metrics.
        val_fraction, test_fraction: split sizes (``val_fraction=0``: no validation and no
            early stopping; ``test_fraction=0``: no test metrics).
        strategy: None, a ``tf.distribute.Strategy`` (the model is built and compiled in its
            scope; ``batch_size`` is the global batch) or a name for
            ``seqkit.distribute.get_strategy``.
        callbacks: extra Keras callbacks. backup_dir: ``keras.callbacks.BackupAndRestore``
            folder: re-running the same call after an interruption resumes at the start of
            the interrupted epoch (the folder is deleted when training ends).
        verbose: Keras' progress output (1: progress bar, 0: silent).

    Returns:
        :class:`FitResult` whose ``model`` takes raw strings (input ``text``) and returns
        ``probabilities``; ``result.predict`` also takes NumPy unicode arrays.
    """
    from seqkit.data.text import load_text, make_vectorizer, text_dataset, to_text_array

    rnn = RNNSpec(cell, units, layers, bidirectional, dropout, recurrent_dropout).checked()
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    embedding_dim = check_positive_int("embedding_dim", embedding_dim)
    max_tokens = check_positive_int("max_tokens", max_tokens)
    if sequence_length is not None:
        sequence_length = check_positive_int("sequence_length", sequence_length)
    learning_rate = check_positive_float("learning_rate", learning_rate)
    val_fraction = check_fraction("val_fraction", val_fraction)
    test_fraction = check_fraction("test_fraction", test_fraction)
    patience = check_patience(patience)
    seed = check_seed(seed)
    strategy = resolve_strategy(strategy)

    keras.utils.set_random_seed(seed)
    splits = load_text(x, labels=y, data_dir=data_dir, text_column=text_column,
                       label_column=label_column, val_fraction=val_fraction,
                       test_fraction=test_fraction, seed=seed, empty_policy=empty_policy,
                       max_examples=max_examples)
    train_x, train_y = splits.train
    val_x, val_y = splits.val if splits.val is not None else ((), ())
    test_x, test_y = splits.test if splits.test is not None else ((), ())
    class_names = [str(c) for c in splits.class_names]
    if len(class_names) < 2:
        raise DataError(f"a classifier needs at least 2 classes, got {class_names}")

    with strategy_scope(strategy):
        vectorizer = make_vectorizer(train_x, max_tokens=max_tokens,
                                     sequence_length=sequence_length,
                                     length_percentile=length_percentile)
        model = build_text_model(vectorizer, len(class_names), rnn=rnn,
                                 embedding_dim=embedding_dim)
    train_ds = text_dataset(train_x, train_y, batch_size, shuffle=True, seed=seed)
    val_ds = (text_dataset(val_x, val_y, batch_size, shuffle=False, seed=seed)
              if len(val_x) else None)
    history, timing = compile_and_fit(
        model, train_ds, val_ds, epochs=epochs, learning_rate=learning_rate,
        loss="sparse_categorical_crossentropy", metrics=["accuracy"], patience=patience,
        callbacks=callbacks, backup_dir=backup_dir, verbose=verbose, strategy=strategy,
        train_examples=len(train_x))

    metrics: dict = {}
    if len(test_x):
        probs = model.predict(to_text_array(test_x), batch_size=max(batch_size, 256),
                              verbose=0)
        metrics = classification_metrics(np.asarray(test_y), probs, class_names)
        metrics["majority_baseline"] = majority_baseline(train_y, test_y)
    else:
        warnings.warn("test_fraction=0: no test split, FitResult.metrics is empty",
                      stacklevel=2)

    config = {
        "task": "text_classification", "source": describe_source(x),
        "labels": describe_source(y) if y is not None else None, **rnn.config(),
        "embedding_dim": embedding_dim, "max_tokens": max_tokens,
        # the length actually used (chosen from length_percentile when not given)
        "sequence_length": int(vectorizer.get_config()["output_sequence_length"]),
        "length_percentile": length_percentile,
        "epochs": epochs, "batch_size": batch_size, "learning_rate": learning_rate,
        "seed": seed, "val_fraction": val_fraction, "test_fraction": test_fraction,
        "patience": patience, "data_dir": data_dir, "text_column": text_column,
        "label_column": label_column, "empty_policy": empty_policy,
        "max_examples": max_examples, "strategy": describe_strategy(strategy),
        "callbacks": callback_names(callbacks), "backup_dir": backup_dir,
        "verbose": verbose, "optimizer": "adam",
    }
    data_info = {
        "source": str(getattr(splits, "source", describe_source(x))),
        "split_sizes": {"train": len(train_x), "val": len(val_x), "test": len(test_x)},
        "sequence_length": int(vectorizer.get_config()["output_sequence_length"]),
        "sequence_length_source": getattr(vectorizer, "seqkit_length_source", None),
        "vocabulary_size": int(vectorizer.vocabulary_size()),
        "class_counts_train": {class_names[i]: int(c) for i, c in
                               enumerate(np.bincount(np.asarray(train_y, dtype="int64"),
                                                     minlength=len(class_names)))},
    }
    return FitResult(model=model, task="text_classification", history=history,
                     metrics=jsonable(metrics), config=jsonable(config),
                     class_names=class_names, timing=jsonable(timing),
                     data_info=jsonable(data_info))

