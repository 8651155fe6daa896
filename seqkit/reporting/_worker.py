"""Measurement worker: ``python -m seqkit.reporting._worker CONFIG.json``.

Runs in a fresh process, loads the SavedModel with TensorFlow only (no Keras, no seqkit
model code: only seqkit's NumPy input generator and proto readers are imported), measures,
and prints one line ``SEQKIT_REPORT_JSON {...}`` on stdout. On failure it prints
``SEQKIT_REPORT_JSON {"error": ..., "stage": ...}`` and exits with status 1.

Modes (``config["mode"]``):

- ``cold``, ``measure``: :mod:`seqkit.reporting.modes` (``measure`` then times
  ``serving_step``: :mod:`seqkit.reporting.modes`);
- ``tflite_convert``, ``tflite_measure``: :mod:`seqkit.reporting.modes`.

The readings of the process itself (RSS, environment) are :mod:`seqkit.reporting.probes`;
the statistics of a time-grid point are :mod:`seqkit.reporting.timing`.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

from seqkit.reporting.modes import (  # noqa: E402  # noqa: E402
    STAGE,
    mode_cold,
    mode_measure,
    mode_tflite_convert,
    mode_tflite_measure,
    with_extras,  # noqa: E402
)
from seqkit.reporting.probes import rss_point  # noqa: E402
from seqkit.reporting.runner import MARKER  # noqa: E402

MODES = {"cold": mode_cold, "measure": with_extras(mode_measure),
         "tflite_convert": mode_tflite_convert, "tflite_measure": mode_tflite_measure}


def main(argv=None) -> int:
    """Run the mode of ``CONFIG.json`` (``argv[0]``) and print its result line.

    Args:
        argv: ``[config path]`` (default ``sys.argv[1:]``).

    Returns:
        The exit status: 0, or 1 after printing ``{"error", "stage", "traceback"}``.

    Example (the parent, :func:`seqkit.reporting.runner.run_worker`, runs it as a
    process)::

        python -m seqkit.reporting._worker /tmp/config.json
        SEQKIT_REPORT_JSON {"load_s": 0.04, "first_call_ms": 12.1, ...}
    """
    argv = sys.argv[1:] if argv is None else argv
    config = json.loads(Path(argv[0]).read_text())
    try:
        threads = config.get("threads")
        rss_before = rss_point()
        start = time.perf_counter()
        STAGE["name"] = "import"
        import tensorflow as tf

        config["_import_s"] = time.perf_counter() - start
        config["_rss_before_import"] = rss_before
        if threads:
            tf.config.threading.set_intra_op_parallelism_threads(int(threads))
            tf.config.threading.set_inter_op_parallelism_threads(int(threads))
        STAGE["name"] = "run"
        result = MODES[config["mode"]](tf, config)
        result["worker_s"] = time.perf_counter() - _T0
        print(MARKER + json.dumps(result), flush=True)
        return 0
    except Exception as err:  # noqa: BLE001
        print(MARKER + json.dumps({"error": f"{type(err).__name__}: {err}",
                                   "stage": STAGE["name"],
                                   "traceback": traceback.format_exc()[-4000:]}), flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
