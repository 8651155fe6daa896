"""Run every benchmark, one after the other, each in its own process, with JSON results.

    python benchmarks/run_all.py                     # default settings (~5 min, 2-core CPU;
                                                     # layers at the default shape only)
    python benchmarks/run_all.py --out results/ --quick
    python benchmarks/run_all.py --xla               # bench_layers with XLA rows
    python benchmarks/run_all.py --only classification   # the classification study (long)

Prints each script's tables (each begins with the machine line) and writes
``<out>/{layers,scaling,memory}.json``. PyTorch rows run when torch is installed
(``pip install torch==2.13.0``, CPU wheel; a benchmark-only dependency). The
classification study (``bench_classification.py``, ~40 min; ``docs/classification.md``)
runs only when ``--only`` names it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OPT_IN = {"classification"}  # too long for the default run: only with --only


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "seqkit-bench"),
                        help="folder for the JSON files (default: %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats (a smoke run, not for quoting)")
    parser.add_argument("--xla", action="store_true")
    parser.add_argument("--only", nargs="+",
                        choices=["layers", "scaling", "memory", "classification"])
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    runs = {
        "layers": ["bench_layers.py", "--shapes", "64x100x64x128",
                   *(["--xla"] if args.xla else []),
                   *(["--repeats", "5"] if args.quick else [])],
        "scaling": ["bench_scaling.py", *(["--repeats", "3"] if args.quick else [])],
        "memory": ["bench_memory.py", *(["--repeats", "1"] if args.quick else [])],
        "classification": ["bench_classification.py", *(["--quick"] if args.quick else [])],
    }
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    failed = []
    for name, (script, *extra) in runs.items():
        if (args.only and name not in args.only) or (not args.only and name in OPT_IN):
            continue
        cmd = [sys.executable, os.path.join(HERE, script), *extra,
               "--json", os.path.join(args.out, f"{name}.json")]
        print(f"\n## {name}: {' '.join(cmd[1:])}\n", flush=True)
        start = time.perf_counter()
        if subprocess.run(cmd, env=env, check=False).returncode != 0:
            failed.append(name)
        print(f"\n({name}: {time.perf_counter() - start:.0f} s)", flush=True)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
