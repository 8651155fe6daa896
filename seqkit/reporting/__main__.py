"""``python -m seqkit.reporting PATH [PATH ...]``: run :func:`seqkit.reporting.report`.

Several paths compare the models (the first is the reference). Example::

    python -m seqkit.reporting saved_models/text_lstm saved_models/text_gru --tflite
"""

from __future__ import annotations

import argparse
import sys

from seqkit.errors import SeqkitError


def main(argv=None) -> int:
    """Parse the command line and run :func:`seqkit.report`; print the ``report.md`` path.

    Args:
        argv: the arguments (default ``sys.argv[1:]``): paths, then ``--out-dir``,
            ``--batch-sizes``, ``--seq-lens``, ``--repeats``, ``--threads``,
            ``--calls-per-repeat``, ``--concurrency``, ``--concurrent-calls``, ``--tflite``,
            ``--no-cold-start``, ``--no-plots``.

    Returns:
        The exit status: 0, or 2 after a seqkit error (printed on stderr).

    Example:

    >>> main(["/no/such/model"])
    2
    """
    parser = argparse.ArgumentParser(prog="python -m seqkit.reporting",
                                     description="Memory/latency report of exported models.")
    parser.add_argument("paths", nargs="+", help="version folders or base paths")
    parser.add_argument("--out-dir")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 64, 256])
    parser.add_argument("--seq-lens", type=int, nargs="+")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--calls-per-repeat", type=int)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--concurrent-calls", type=int, default=200)
    parser.add_argument("--tflite", action="store_true")
    parser.add_argument("--no-cold-start", action="store_true")
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args(argv)

    from seqkit.reporting import report

    try:
        result = report(args.paths, out_dir=args.out_dir, batch_sizes=args.batch_sizes,
                        seq_lens=args.seq_lens, repeats=args.repeats, tflite=args.tflite,
                        threads=args.threads, calls_per_repeat=args.calls_per_repeat,
                        concurrency=args.concurrency, concurrent_calls=args.concurrent_calls,
                        cold_start=not args.no_cold_start, plots=not args.no_plots)
    except SeqkitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(result["files"]["markdown"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
