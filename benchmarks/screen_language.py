"""Screen fit_language_model on CPython's bundled pydoc topics (offline) beside the
interpolated Kneser-Ney n-gram model of the same text (issue 24).

Usage::

    .venv/bin/python benchmarks/screen_language.py --cells gru lstm --seeds 0 \\
        --set max_seconds=400 --json out.jsonl
    .venv/bin/python benchmarks/screen_language.py --cells gru --set units=256 \\
        --set epochs=500 --set patience=5 --set max_seconds=540 --json out.jsonl

``--set name=value`` passes a keyword to ``fit_language_model`` (JSON values when they
parse). Each row has the test bits per character, Kneser-Ney's on the same tokens, the
steps run, the seconds and the machine's load, and a sample (temperature 0.8, seed 0).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", default="python-docs")
    parser.add_argument("--level", default="char", choices=("char", "word"))
    parser.add_argument("--cells", nargs="+", default=["gru", "lstm"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--json", help="append one JSON row per fit to this file")
    args = parser.parse_args(argv)
    extra = {}
    for item in args.set:
        key, value = item.split("=", 1)
        try:
            extra[key] = json.loads(value)
        except json.JSONDecodeError:
            extra[key] = value
    import seqkit

    for cell in args.cells:
        for seed in args.seeds:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = seqkit.fit_language_model(args.text, level=args.level, cell=cell,
                                              seed=seed, verbose=0, **extra)
            m = r.metrics
            row = {"text": args.text, "level": args.level, "cell": cell, "seed": seed,
                   "options": extra, "bits_per_token": m["bits_per_token"],
                   "kneser_ney": m["baselines"]["kneser_ney"]["bits_per_token"],
                   "n_tokens": m["n_tokens"], "steps": r.timing.get("steps_run"),
                   "stop": r.timing.get("stop_reason"),
                   "seconds": time.perf_counter() - start, "load": os.getloadavg()[0],
                   "sample": r.generate("The ", 200, temperature=0.8, seed=0)}
            print(json.dumps(row), flush=True)
            if args.json:
                with open(args.json, "a", encoding="utf-8") as f:
                    f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
