"""Classification on real data nobody tuned seqkit on: seqkit's defaults vs a plain Keras
RNN on the same split vs published deep-learning figures (issue 10, "Measure").

    python benchmarks/bench_classification.py          # the study: 5 sets x 2 cells x 3 seeds
    python benchmarks/bench_classification.py --quick  # smoke run (minutes), not for quoting
    python benchmarks/bench_classification.py --datasets ucr:ArrowHead --cells gru --json arrow.json
    python benchmarks/bench_classification.py --systems seqkit --keras-from earlier.json

For each dataset and cell (``lstm``, ``gru``), seeds ``0 .. --seeds - 1``, one fit at a time,
in one process, seqkit and Keras alternating (seed 0 lstm seqkit, seed 0 lstm Keras, ...):

- **seqkit defaults**: ``seqkit.fit_sequence_classifier(x_train, y_train, test=(x_test,
  y_test), cell=C, seed=S, verbose=0)`` and nothing else (``"digits"``: the name instead of
  arrays, seqkit's own seeded split; sentiment: ``seqkit.fit_text_classifier(path, cell=C,
  seed=S, verbose=0)``, seqkit's split). ``x_train, y_train`` is the whole official training
  split (seqkit carves its validation split from it), labels as the file writes them.
- **plain Keras**: what a user would write: ``Sequential([Input((None, F)), Masking(),
  GRU(64) | LSTM(64), Dense(K, softmax)])``, Adam(3e-3), sparse categorical cross-entropy,
  200 epochs, batch 32, no early stopping, no normalisation, trained on the whole training
  split (for ``digits`` and sentiment: seqkit's train + validation parts of the same seed,
  i.e. everything but seqkit's test split); text: ``TextVectorization(max_tokens=20000)``
  adapted on those texts, ``Embedding(vocabulary, 64, mask_zero=True)``, the RNN, 10 epochs.
  ``keras.utils.set_random_seed(S)`` before each.
- accuracy on the **official test split** (UCR/UEA) or seqkit's test split of that seed
  (``digits``, sentiment: the same examples for both); the wall time of each fit (seqkit:
  the whole call, data checks and test evaluation included; Keras: build, fit, evaluate).
- the published figures of :data:`PUBLISHED`, each with its source.

Tables give accuracy in percent, mean ± sample std over the seeds and the worst seed, and
medians of optimizer steps and seconds. ``--json`` keeps every fit's record.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402
import numpy as np  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SENTIMENT = os.path.normpath(os.path.join(REPO, "..", "shared", "data",
                                                  "sentiment_sentences"))
DATASETS = ["ucr:ArrowHead", "ucr:BasicMotions", "ucr:JapaneseVowels", "digits", "sentiment"]
QUICK_DATASETS = ["ucr:BasicMotions", "ucr:JapaneseVowels"]
CELLS = ["lstm", "gru"]
SYSTEMS = ["seqkit", "keras"]
BASELINE = {"units": 64, "learning_rate": 3e-3, "batch_size": 32, "epochs": 200,
            "text_epochs": 10, "embedding_dim": 64, "max_tokens": 20000}
QUICK_EPOCHS = {"epochs": 10, "text_epochs": 1}

_FAWAZ = ("Ismail Fawaz, Forestier, Weber, Idoumghar, Muller (2019), 'Deep learning for time "
          "series classification: a review', DMKD 33(4):917-963; companion repository "
          "github.com/hfawaz/dl-4-tsc")
_FAWAZ_UCR = (_FAWAZ + ", results/results-uea-avg-std.csv (UCR/UEA 2015 archive, official "
              "split): mean (std) of 10 runs")
_FAWAZ_MTS = (_FAWAZ + ", results/results-mts-avg-std.csv: mean (std) of 10 runs on "
              "Baydogan's MTS archive copy (same 270/370 split as UEA; every series "
              "cubic-interpolated to the longest length, not padded)")
_RUIZ = ("Ruiz, Flynn, Large, Middlehurst, Bagnall (2021), 'The great multivariate time "
         "series classification bake off', DMKD 35:401-449; per-resample results in "
         "github.com/time-series-machine-learning/tsml-eval")
_REDUX = ("Middlehurst, Schafer, Bagnall (2024), 'Bake off redux', DMKD 38:1958-2031; "
          "github.com/time-series-machine-learning/tsml-eval")

# Published accuracies on the same train/test split (fractions). family: "recurrent"
# (recurrent only: ESN, LSTM, GRU), "hybrid" (recurrent + convolutional), "convolutional".
# Sources searched: timeseriesclassification.com pages, Fawaz et al. 2019 and its
# dl-4-tsc results CSVs, Ruiz et al. 2021 / tsml-eval results CSVs, Karim et al.'s
# LSTM-FCN and MLSTM-FCN papers and repositories (MLSTM-FCN's per-dataset scores are only
# in images there), Kotzias et al. 2015 (sentiment sentences).
PUBLISHED = {
    "ucr:ArrowHead": [
        {"model": "ResNet", "family": "convolutional", "accuracy": 0.845, "std": 0.012,
         "source": _FAWAZ_UCR},
        {"model": "FCN", "family": "convolutional", "accuracy": 0.843, "std": 0.015,
         "source": _FAWAZ_UCR},
        {"model": "InceptionTime", "family": "convolutional", "accuracy": 0.8629,
         "std": None, "source": _REDUX + ", results/classification/Univariate/"
         "InceptionT_ACC.csv, fold 0 (the official split), one run"},
        {"model": "LSTM-FCN", "family": "hybrid", "accuracy": 0.89714, "std": None,
         "source": "Karim, Majumdar, Darabi, Chen (2018), 'LSTM fully convolutional "
         "networks for time series classification', IEEE Access 6:1662-1669; "
         "github.com/titu1994/LSTM-FCN Results/train_loss_old_datasets.csv (model chosen "
         "by training loss), one run"},
        {"model": "TWIESN (echo state network)", "family": "recurrent", "accuracy": 0.659,
         "std": 0.094, "source": _FAWAZ_UCR},
    ],
    "ucr:BasicMotions": [
        {"model": "ResNet", "family": "convolutional", "accuracy": 1.0, "std": 0.0,
         "source": _RUIZ + ", results/classification/Multivariate/ResNet_ACC.csv: 1.0 on "
         "fold 0 (the official split) and on all 30 resamples"},
        {"model": "InceptionTime", "family": "convolutional", "accuracy": 1.0, "std": None,
         "source": _RUIZ + ", results/tsml/MultivariateDefaultTrainTest.csv (official "
         "split), one run"},
        {"model": "TapNet", "family": "hybrid", "accuracy": 1.0, "std": None,
         "source": _RUIZ + ", results/tsml/MultivariateDefaultTrainTest.csv (official "
         "split), one run; TapNet (Zhang et al. AAAI 2020) has an LSTM and a CNN branch"},
    ],
    "ucr:JapaneseVowels": [
        {"model": "FCN", "family": "convolutional", "accuracy": 0.993, "std": 0.002,
         "source": _FAWAZ_MTS},
        {"model": "ResNet", "family": "convolutional", "accuracy": 0.992, "std": 0.003,
         "source": _FAWAZ_MTS},
        {"model": "TWIESN (echo state network)", "family": "recurrent", "accuracy": 0.965,
         "std": 0.007, "source": _FAWAZ_MTS},
    ],
    "digits": [],  # n/a (not found): no official split; none published on seqkit's split
    "sentiment": [],  # n/a (not found): Kotzias et al. 2015 learn sentence labels from
    # review-level labels (another task); no supervised figure on these 3000 sentences
}
NOT_FOUND = {
    "digits": "n/a (not found): scikit-learn's 8x8 digits has no official train/test split "
              "and no published deep-learning figure on seqkit's seeded split",
    "sentiment": "n/a (not found): Kotzias et al. (KDD 2015), who published the set, infer "
                 "sentence labels from review-level labels (another task); no supervised "
                 "sentence-level figure on these 3000 sentences was found",
}


@dataclass
class Split:
    """One seed's data: the training split (the whole of it), the test split, and how
    seqkit is called on it."""

    x_train: object
    y_train: object
    x_test: object
    y_test: object
    n_classes: int
    info: dict
    seqkit_source: object = None  # a name or path: seqkit loads and splits it itself


def load_split(dataset: str, seed: int, sentiment_path: str) -> Split:
    """The data both systems see for ``dataset`` and ``seed``."""
    from seqkit.data.sequences import load_sequence_dataset

    if dataset.startswith("ucr:"):  # the official split; the same for every seed
        s = load_sequence_dataset(dataset, val_fraction=0.0)
        names = np.asarray(s.class_names, dtype=object)
        return Split(s.train[0], names[s.train[1]], s.test[0], names[s.test[1]],
                     len(s.class_names), _info(s, "official"))
    if dataset == "digits":  # what fit_sequence_classifier("digits", seed=S) carves
        s = load_sequence_dataset("digits", val_fraction=0.1, test_fraction=0.2, seed=seed)
        x = np.concatenate([s.train[0], s.val[0]])
        y = np.concatenate([s.train[1], s.val[1]])
        return Split(x, y, s.test[0], s.test[1], len(s.class_names),
                     _info(s, "seqkit's (val 0.1, test 0.2)"), seqkit_source="digits")
    from seqkit.data.text import load_text

    s = load_text(sentiment_path, val_fraction=0.1, test_fraction=0.1, seed=seed)
    x = np.concatenate([np.asarray(s.train[0]), np.asarray(s.val[0])])
    y = np.concatenate([np.asarray(s.train[1]), np.asarray(s.val[1])])
    return Split(x, y, np.asarray(s.test[0]), np.asarray(s.test[1]), len(s.class_names),
                 {"source": str(s.source), "test_split": "seqkit's (val 0.1, test 0.1)",
                  "sizes": s.sizes(), "classes": [str(c) for c in s.class_names]},
                 seqkit_source=sentiment_path)


def _info(s, test_split: str) -> dict:
    lengths = s.lengths["train"] if s.lengths else None
    return {"source": str(s.source), "test_split": test_split, "sizes": s.sizes(),
            "classes": [str(c) for c in s.class_names],
            "steps": int(s.train[0].shape[1]), "features": int(s.train[0].shape[2]),
            "train_lengths": (f"{int(lengths.min())}..{int(lengths.max())}"
                              if lengths is not None else None)}


def run_seqkit(dataset: str, split: Split, cell: str, seed: int, **options) -> dict:
    """One fit with seqkit's defaults (but ``options``, e.g. ``frontend="conv"``); accuracy
    and macro-F1 on the test split, steps, why it stopped."""
    import seqkit

    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:  # kept, printed once a dataset
        warnings.simplefilter("always")
        if dataset == "sentiment":
            result = seqkit.fit_text_classifier(split.seqkit_source, cell=cell, seed=seed,
                                                verbose=0)
        elif split.seqkit_source is not None:
            result = seqkit.fit_sequence_classifier(split.seqkit_source, cell=cell,
                                                    seed=seed, verbose=0, **options)
        else:
            result = seqkit.fit_sequence_classifier(split.x_train, split.y_train,
                                                    test=(split.x_test, split.y_test),
                                                    cell=cell, seed=seed, verbose=0,
                                                    **options)
    seconds = time.perf_counter() - start
    if result.metrics["n"] != len(split.y_test):  # the same test examples as the baseline
        raise SystemExit(f"{dataset}: seqkit tested on {result.metrics['n']} examples, the "
                         f"baseline's test split has {len(split.y_test)}")
    timing = result.timing
    return {"system": "seqkit", "cell": cell, "seed": seed,
            "accuracy": float(result.metrics["accuracy"]),
            "macro_f1": float(result.metrics["macro_f1"]), "seconds": seconds,
            "steps_run": timing.get("steps_run"), "epochs_run": timing.get("epochs_run"),
            "best_epoch": timing.get("best_epoch"), "stop_reason": timing.get("stop_reason"),
            "batch_size": timing["plan"]["batch_size"],
            "split_sizes": result.data_info["split_sizes"],
            "majority_baseline": result.metrics.get("majority_baseline"),
            "config": {k: result.config.get(k) for k in ("units", "learning_rate", "patch",
                                                           "patch_size", "head",
                                                           "frontend")},
            "warnings": sorted({f"{w.category.__name__}: {w.message}" for w in caught})}


def _text_inputs(split: Split):
    import keras

    vectorize = keras.layers.TextVectorization(max_tokens=BASELINE["max_tokens"])
    vectorize.adapt(split.x_train)
    return (np.asarray(vectorize(split.x_train)), np.asarray(vectorize(split.x_test)),
            int(vectorize.vocabulary_size()))


def run_keras(dataset: str, split: Split, cell: str, seed: int, epochs: int) -> dict:
    """One fit of the plain Keras baseline (module docstring); accuracy on the test split."""
    import keras

    rnn = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell]
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    if dataset == "sentiment":
        x_train, x_test, vocabulary = _text_inputs(split)
        front = [keras.Input((None,), dtype="int64"),
                 keras.layers.Embedding(vocabulary, BASELINE["embedding_dim"], mask_zero=True)]
    else:
        x_train, x_test = split.x_train, split.x_test
        front = [keras.Input((None, x_train.shape[2])), keras.layers.Masking()]
    model = keras.Sequential([*front, rnn(BASELINE["units"]),
                              keras.layers.Dense(split.n_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(BASELINE["learning_rate"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    y_train, y_test = _class_ids(split)
    model.fit(x_train, y_train, epochs=epochs, batch_size=BASELINE["batch_size"], verbose=0)
    accuracy = float(np.mean(model.predict(x_test, verbose=0).argmax(axis=1) == y_test))
    seconds = time.perf_counter() - start
    steps = epochs * -(-len(y_train) // BASELINE["batch_size"])
    return {"system": "keras", "cell": cell, "seed": seed, "accuracy": accuracy,
            "seconds": seconds, "steps_run": steps, "epochs_run": epochs}


def _class_ids(split: Split):
    """Integer ids of the labels (the sorted training labels, as seqkit orders them)."""
    names = sorted(set(split.y_train.tolist()))
    index = {name: i for i, name in enumerate(names)}
    return (np.array([index[v] for v in split.y_train.tolist()], dtype="int64"),
            np.array([index[v] for v in split.y_test.tolist()], dtype="int64"))


def stats(runs: list[dict]) -> dict | None:
    """Mean, sample std (None for one seed), worst accuracy; medians of steps and seconds."""
    if not runs:
        return None
    acc = [r["accuracy"] for r in runs]
    steps = [r["steps_run"] for r in runs if r.get("steps_run") is not None]
    return {"n": len(acc), "mean": statistics.fmean(acc),
            "std": statistics.stdev(acc) if len(acc) > 1 else None, "worst": min(acc),
            "median_steps": statistics.median(steps) if steps else None,
            "median_seconds": statistics.median(r["seconds"] for r in runs)}


def _pct(s: dict | None) -> tuple[str, str]:
    if s is None:
        return "–", "–"
    spread = f" ± {100 * s['std']:.1f}" if s["std"] is not None else ""
    return f"{100 * s['mean']:.1f}{spread}", f"{100 * s['worst']:.1f}"


def _best(dataset: str, family=None) -> dict | None:
    figures = [p for p in PUBLISHED.get(dataset, []) if family is None or p["family"] == family]
    return max(figures, key=lambda p: p["accuracy"]) if figures else None


def _figure(p: dict | None) -> str:
    if p is None:
        return "n/a (not found)"
    return f"{p['model']} {100 * p['accuracy']:.1f}"


def dataset_table(dataset: str, summary: dict, baseline_epochs: int) -> str:
    """The per-dataset Markdown table, then every published figure with its source and the
    gap of seqkit's better cell to it."""
    headers = ["cell", "seqkit defaults % (mean ± std)", "worst", "steps", "fit s",
               f"Keras {BASELINE['units']}-unit RNN, {baseline_epochs} ep %", "worst", "fit s",
               "best published DL", "best published recurrent"]
    rows = []
    for cell, by_system in summary.items():
        sk, ke = by_system.get("seqkit"), by_system.get("keras")
        rows.append([cell, *_pct(sk), _num(sk, "median_steps"), _num(sk, "median_seconds"),
                     *_pct(ke), _num(ke, "median_seconds"), _figure(_best(dataset)),
                     _figure(_best(dataset, "recurrent"))])
    lines = [_common.markdown_table(headers, rows, "lllrrllrll"), ""]
    means = [s["seqkit"]["mean"] for s in summary.values() if s.get("seqkit")]
    sources = []
    for p in PUBLISHED.get(dataset, []):
        if p["source"] not in sources:
            sources.append(p["source"])
        spread = f" ± {100 * p['std']:.1f}" if p["std"] is not None else ""
        gap = (f"; seqkit's better cell {100 * (max(means) - p['accuracy']):+.1f} points"
               if means else "")
        lines.append(f"- {p['model']} ({p['family']}): {100 * p['accuracy']:.1f}{spread} "
                     f"[{sources.index(p['source']) + 1}]{gap}")
    lines += [f"  [{i}] {source}" for i, source in enumerate(sources, 1)]
    if not PUBLISHED.get(dataset):
        lines.append(f"- {NOT_FOUND.get(dataset, 'n/a (not found)')}")
    return "\n".join(lines)


def _num(s: dict | None, key: str):
    if s is None or s[key] is None:
        return None
    return round(float(s[key]), 1) if key == "median_seconds" else int(s[key])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="seqkit defaults vs a plain Keras RNN vs "
                                     "published figures, on real classification sets")
    parser.add_argument("--datasets", nargs="+", metavar="NAME",
                        help=f"of {DATASETS} (default: all; --quick: {QUICK_DATASETS})")
    parser.add_argument("--cells", nargs="+", choices=CELLS, default=CELLS)
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: 1 seed, {QUICK_DATASETS}, the Keras baseline "
                        f"{QUICK_EPOCHS['epochs']} epochs ({QUICK_EPOCHS['text_epochs']} for "
                        "text); seqkit keeps its defaults. Not for quoting")
    parser.add_argument("--baseline-epochs", type=int,
                        help=f"override the Keras baseline's epochs ({BASELINE['epochs']}; "
                        f"text {BASELINE['text_epochs']})")
    parser.add_argument("--sentiment-path", default=DEFAULT_SENTIMENT,
                        help="the sentiment sentences folder (default: %(default)s; "
                        "skipped when absent)")
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=SYSTEMS,
                        help="which systems to fit (default both)")
    parser.add_argument("--keras-from", metavar="JSON",
                        help="take the Keras baseline's records from an earlier --json run "
                        "instead of fitting it again (it is seeded, so deterministic on one "
                        "machine; the settings must match BASELINE)")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.datasets or []) - set(DATASETS))
    if unknown:
        parser.error(f"unknown datasets {unknown}; choose from {DATASETS}")
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got {args.seeds}")
    args.datasets = args.datasets or (QUICK_DATASETS if args.quick else DATASETS)
    args.seeds = 1 if args.quick else args.seeds
    return args


def epochs_for(dataset: str, args) -> int:
    if args.baseline_epochs is not None:
        return args.baseline_epochs
    table = QUICK_EPOCHS if args.quick else BASELINE
    return table["text_epochs"] if dataset == "sentiment" else table["epochs"]


def earlier_keras(path: str | None) -> dict:
    """``{(dataset, cell, seed): record}`` of the Keras runs of an earlier ``--json``."""
    if path is None:
        return {}
    import json

    with open(path) as f:
        earlier = json.load(f)
    if earlier["baseline"] != BASELINE:
        raise SystemExit(f"{path}: its baseline {earlier['baseline']} is not {BASELINE}")
    return {(name, r["cell"], r["seed"]): {**r, "from": path}
            for name, data in earlier["datasets"].items() for r in data["runs"]
            if r["system"] == "keras"}


def _fits(dataset, split, cell, seed, epochs, args, reused):
    """The records of one seed and cell: seqkit's and Keras' (fitted or reused)."""
    if "seqkit" in args.systems:
        yield run_seqkit(dataset, split, cell, seed)
    if (dataset, cell, seed) in reused:
        yield reused[(dataset, cell, seed)]
    elif "keras" in args.systems:
        yield run_keras(dataset, split, cell, seed, epochs)


def run_dataset(dataset: str, args, reused: dict | None = None) -> dict:
    """Every fit of one dataset, one at a time: seed, cell, seqkit then Keras."""
    runs, info, warned = [], None, set()
    epochs = epochs_for(dataset, args)
    for seed in range(args.seeds):
        split = load_split(dataset, seed, args.sentiment_path)
        info = info or split.info
        for cell in args.cells:
            for record in _fits(dataset, split, cell, seed, epochs, args, reused or {}):
                runs.append(record)
                print(f"  {dataset} seed {seed} {cell} {record['system']}: accuracy "
                      f"{record['accuracy']:.4f}, {record['seconds']:.1f} s, "
                      f"{record.get('steps_run')} steps"
                      + (f" ({record['stop_reason']})" if record.get("stop_reason") else "")
                      + (f" (from {record['from']})" if record.get("from") else ""),
                      flush=True)
                for message in record.get("warnings", []):  # all of them are in --json
                    if message not in warned and not message.startswith("Deprecation"):
                        warned.add(message)
                        print(f"    seqkit warned (shown once): {message}")
    summary = {cell: {system: stats([r for r in runs
                                     if r["cell"] == cell and r["system"] == system])
                      for system in SYSTEMS} for cell in args.cells}
    return {"info": info, "baseline_epochs": epochs, "runs": runs, "summary": summary,
            "published": PUBLISHED.get(dataset, []),
            "not_found": NOT_FOUND.get(dataset) if not PUBLISHED.get(dataset) else None}


def main(argv=None):
    args = parse_args(argv)
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    machine = _common.machine()
    command = " ".join(["python", os.path.relpath(sys.argv[0], REPO), *sys.argv[1:]])
    print(_common.machine_line(machine))
    print(f"command: {command}")
    print(f"baseline: {BASELINE}" + (f", quick: {QUICK_EPOCHS}" if args.quick else ""))
    results, reused = {}, earlier_keras(args.keras_from)
    for dataset in args.datasets:
        if dataset == "sentiment" and not os.path.isdir(args.sentiment_path):
            print(f"\nskipped sentiment: {args.sentiment_path} is not there")
            continue
        print(f"\n## {dataset}", flush=True)
        results[dataset] = run_dataset(dataset, args, reused)
        info = results[dataset]["info"]
        print(f"\ndata (as the baseline reads it): {info['source']}\ntest split: "
              f"{info['test_split']}; sizes {info['sizes']}; {len(info['classes'])} classes")
        print(dataset_table(dataset, results[dataset]["summary"],
                            results[dataset]["baseline_epochs"]), flush=True)
    if args.json:
        _common.write_json(args.json, {
            "machine": machine, "command": command, "quick": args.quick,
            "seeds": list(range(args.seeds)), "cells": args.cells, "baseline": BASELINE,
            "quick_epochs": QUICK_EPOCHS if args.quick else None, "datasets": results})


if __name__ == "__main__":
    main()
