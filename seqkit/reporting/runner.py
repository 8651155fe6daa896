"""Run one measuring worker (``python -m seqkit.reporting._worker``) and read its answer.

Each worker is a fresh process: its memory and timings are those of a process that loaded
the SavedModel and nothing else. The worker prints one line ``SEQKIT_REPORT_JSON {...}``;
everything else on its stdout/stderr is TensorFlow's logging.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from seqkit.errors import DataError, SeqkitError

MARKER = "SEQKIT_REPORT_JSON "


class ReportError(SeqkitError, RuntimeError):
    """A measurement process failed (not because of the SavedModel itself).

    Example:

    >>> raise ReportError("measure worker for m/1 took longer than 1800 s")
    Traceback (most recent call last):
    ...
    seqkit.reporting.runner.ReportError: measure worker for m/1 took longer than 1800 s
    """


def run_worker(config: dict, timeout_s: float) -> dict:
    """Run ``python -m seqkit.reporting._worker`` on ``config``; return its JSON result.

    Args:
        config: the worker's configuration (``mode``, ``path`` and the mode's options;
            see :mod:`seqkit.reporting._worker`).
        timeout_s: the limit for the process.

    Returns:
        The worker's result.

    Raises:
        DataError: the SavedModel could not be loaded.
        ReportError: the worker timed out, crashed, or failed after loading.

    Example:

    >>> run_worker({"mode": "cold", "path": "m/1"}, timeout_s=0.01)
    Traceback (most recent call last):
    ...
    seqkit.reporting.runner.ReportError: cold worker for m/1 took longer than 0.01 s
    """
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONPATH"] = os.pathsep.join(
        [package_root] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(config, f)
        config_path = f.name
    try:
        proc = subprocess.run([sys.executable, "-m", "seqkit.reporting._worker", config_path],
                              capture_output=True, text=True, env=env, timeout=timeout_s,
                              cwd=package_root)
    except subprocess.TimeoutExpired as err:
        raise ReportError(f"{config['mode']} worker for {config['path']} took longer than "
                          f"{timeout_s} s") from err
    finally:
        os.unlink(config_path)
    return _result(proc, config)


def _result(proc, config) -> dict:
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise ReportError(f"{config['mode']} worker for {config['path']} exited with "
                          f"{proc.returncode} and no result:\n{proc.stderr[-3000:]}")
    result = json.loads(lines[-1][len(MARKER):])
    if "error" in result:
        if result.get("stage") == "load":
            raise DataError(f"cannot load the SavedModel at {config['path']!r}: "
                            f"{result['error']}")
        raise ReportError(f"{config['mode']} worker for {config['path']} failed at "
                          f"{result.get('stage')}: {result['error']}\n"
                          f"{result.get('traceback', '')}")
    return result
