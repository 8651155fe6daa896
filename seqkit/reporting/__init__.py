"""Memory and latency reports of exported models, measured in fresh processes.

Public API::

    report(export_path, *, out_dir=None, batch_sizes=(1, 8, 64, 256), seq_lens=None,
           repeats=5, compare=None, tflite=False, threads=None, calls_per_repeat=None,
           concurrency=8, concurrent_calls=200, cold_start=True, plots=True,
           timeout_s=1800) -> dict

See :func:`seqkit.reporting.report.report` for every argument and what is measured.
Importing this package does not import TensorFlow; the measuring happens in
``seqkit.reporting._worker`` processes.

Modules: ``report`` (arguments, files, one model's entry), ``runner`` (one worker
process), ``_worker`` / ``modes`` (SavedModel, streaming latency, LiteRT) / ``probes`` /
``timing`` (inside the worker), ``estimates`` (derived numbers), ``batching`` (TF Serving's
batching parameters), ``render`` (``report.md`` and plots).
"""

from seqkit.reporting.estimates import ACTIVATION_FORMULA
from seqkit.reporting.report import report
from seqkit.reporting.runner import ReportError

__all__ = ["ACTIVATION_FORMULA", "ReportError", "report"]
