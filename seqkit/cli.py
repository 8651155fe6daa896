"""The ``seqkit`` command.

    seqkit train TASK [options]                          train → evaluate → export → report
                  (TASK: anomaly_detection, forecasting, language_modelling,
                  sequence_classification, sequence_regression, text_classification)
    seqkit train forecasting --quantiles 0.1 0.5 0.9 --backtest  + intervals, rolling origins
    seqkit compare [--preset quick|full] [options]      the LSTM-vs-GRU study, verdicts
    seqkit export RESULT BASE_PATH [--version N]        export a saved fit result
    seqkit export RESULT BASE_PATH --litert             + assets.extra/model.tflite (LiteRT)
    seqkit report PATH [PATH ...] [--tflite]            memory/latency report of exports
    seqkit report PATH --batching --p99-ms 10           + TF Serving batching_parameters.txt
    seqkit models-config ROOT [--output FILE]           TF Serving models.config for ROOT
    seqkit variants                                     the named cells

Exit codes: 0 ok, 1 failure (one readable line; ``--debug`` for the traceback), 2 usage.
"""

from __future__ import annotations

import argparse
import os
import sys

from seqkit.errors import ConfigError
from seqkit.recipes.config import add_config_arguments, config_class, recipe_names
from seqkit.study.config import CompareConfig

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seqkit",
        description="Recurrent sequence models with explicit gates: train, compare, export, "
                    "report.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    train = sub.add_parser("train", help="run a training recipe end to end")
    recipes = train.add_subparsers(dest="recipe", metavar="RECIPE")
    recipes.required = True
    for task in recipe_names():
        config_cls = config_class(task)
        add_config_arguments(recipes.add_parser(task, help=_recipe_help(task)), config_cls)

    compare = sub.add_parser("compare", help="the LSTM-vs-GRU study: params, memory, speed, "
                             "quality with 95%% intervals over seeds and a verdict per claim "
                             "(--preset quick|full)")
    add_config_arguments(compare, CompareConfig)

    export = sub.add_parser("export", help="export a saved fit result for TF Serving")
    export.add_argument("result", help="a folder written by FitResult.save (runs/<name>/model)")
    export.add_argument("base_path", help="e.g. saved_models/<name>")
    export.add_argument("--version", type=int, default=None,
                        help="version folder to write (default: the next integer)")
    export.add_argument("--overwrite", action="store_true",
                        help="replace an existing version folder (atomically)")
    export.add_argument("--litert", action="store_true",
                        help="also write assets.extra/model.tflite (LiteRT, batch 1), checked "
                             "against the SavedModel")

    report = sub.add_parser("report", help="measure exports the way they are served")
    report.add_argument("paths", nargs="+", help="export folders (base or version)")
    report.add_argument("--tflite", action="store_true", help="also measure a LiteRT version")
    report.add_argument("--batch-sizes", default=None, help="comma-separated, e.g. 1,8,64,256")
    report.add_argument("--seq-lens", default=None, help="comma-separated sequence lengths")
    report.add_argument("--out-dir", default=None,
                        help="where report.md/.json and plots go (default: beside the export)")
    report.add_argument("--batching", action="store_true",
                        help="also write TF Serving's batching_parameters.txt, chosen from "
                             "the measured grid for the --p99-ms budget")
    report.add_argument("--p99-ms", type=float, default=None,
                        help="the p99 latency budget (ms) for --batching")

    models_config = sub.add_parser("models-config", help="write TF Serving's models.config")
    models_config.add_argument("root", help="the folder holding one folder per model")
    models_config.add_argument("--output", default=None, help="default: ROOT/models.config")

    sub.add_parser("variants", help="list the named cells")
    return parser


def _ints(text):
    return None if text is None else tuple(int(v) for v in text.split(",") if v)


def _batching_status(rep) -> int:
    """Print where each batching file went (or why none); 1 when a budget was not met."""
    status = EXIT_OK
    for model in rep["models"]:
        choice = model["batching"]
        if choice["file"]:
            print(f"batching parameters written: {choice['file']} "
                  f"({choice['parameters']})")
        else:
            print(f"seqkit: {model['name']}: {choice['notice']}", file=sys.stderr)
            status = EXIT_FAILURE
    return status


def _recipe_help(task: str) -> str:
    """The task's one-line title: the recipe's help."""
    from seqkit import tasks

    return tasks.task_class(task).title


def run(args) -> int:
    from seqkit.recipes import config as cfg

    if args.command == "train":
        from seqkit.recipes.run import run_recipe

        run_recipe(args.recipe, cfg.config_from_namespace(config_class(args.recipe), args))
    elif args.command == "compare":
        from seqkit.study import run_compare

        run_compare(cfg.config_from_namespace(CompareConfig, args))
    elif args.command == "export":
        import seqkit
        from seqkit.fit import FitResult

        info = seqkit.export(FitResult.load(args.result), args.base_path,
                             version=args.version, overwrite=args.overwrite,
                             litert=args.litert)
        print(f"exported {info.path} ({info.size_bytes / 1e6:.2f} MB, "
              f"inputs {list(info.inputs)}, outputs {list(info.outputs)})")
        if args.litert:
            entry = info.litert
            print(f"LiteRT: {entry['path']} ({entry['ops']['path']}, max abs diff "
                  f"{entry['max_abs_diff']:.2g})" if entry.get("available") else
                  f"LiteRT: not written: {entry.get('reason')}")
    elif args.command == "report":
        import seqkit

        kwargs = {"tflite": args.tflite, "out_dir": args.out_dir}
        if args.batch_sizes:
            kwargs["batch_sizes"] = _ints(args.batch_sizes)
        if args.seq_lens:
            kwargs["seq_lens"] = _ints(args.seq_lens)
        if args.batching != (args.p99_ms is not None):
            raise ConfigError("--batching and --p99-ms go together: --batching --p99-ms N")
        if args.batching:
            kwargs["batching_p99_ms"] = args.p99_ms
        paths = args.paths if len(args.paths) > 1 else args.paths[0]
        rep = seqkit.report(paths, **kwargs)
        print(f"report written: {rep['files']['markdown']} (and report.json, plots)")
        return _batching_status(rep) if args.batching else EXIT_OK
    elif args.command == "models-config":
        from seqkit.serving import write_models_config

        print(f"wrote {write_models_config(args.root, args.output)}")
    elif args.command == "variants":
        from seqkit.layers import VARIANTS

        for name, (cls, options) in VARIANTS.items():
            print(f"{name:18s} {cls.__name__}({', '.join(f'{k}={v}' for k, v in options.items())})")
    return EXIT_OK


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors: one line on stderr, exit 2
    try:
        return run(args)
    except KeyboardInterrupt:
        print("seqkit: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # one readable line unless --debug
        if args.debug:
            raise
        message = str(err).strip().splitlines()[0] if str(err).strip() else repr(err)
        print(f"seqkit: error: {type(err).__name__}: {message}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
