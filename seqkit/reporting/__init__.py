"""Memory and latency reports of exported models, measured in fresh processes.

Public API::

    report(export_path, *, out_dir=None, batch_sizes=(1, 8, 64, 256), seq_lens=None,
           repeats=5, compare=None, tflite=False, threads=None, calls_per_repeat=None,
           concurrency=8, concurrent_calls=200, cold_start=True, plots=True) -> dict

See :mod:`seqkit.reporting.report` for what is measured and how. Importing this package
does not import TensorFlow; the measuring happens in ``seqkit.reporting._worker``
processes.
"""

from seqkit.reporting.report import ACTIVATION_FORMULA, ReportError, report

__all__ = ["ACTIVATION_FORMULA", "ReportError", "report"]
