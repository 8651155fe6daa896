"""Atomic publication: an export killed mid-way leaves no version folder behind.

The exporting process runs in a subprocess with ``SEQKIT_EXPORT_TEST_PAUSE=<stage>:60``:
it sleeps inside the export (after the SavedModel is written, or after everything is
validated, just before the rename) with a marker file beside its temporary folder. The
test waits for the marker and sends SIGKILL.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seqkit.serving import export, list_versions
from seqkit.serving.layout import PAUSE_ENV
from tests.serving import models

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from tests.serving import models
from seqkit.serving import export
export(models.forecaster("gru"), sys.argv[1])
print("PUBLISHED")
"""


def _tree_digest(path: Path) -> dict:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
@pytest.mark.parametrize("stage", ["written", "validated"])
def test_killed_export_publishes_nothing(tmp_path, stage):
    base = tmp_path / "fc"
    first = export(models.forecaster("gru"), base)
    before = _tree_digest(Path(first.path))

    env = {**os.environ, PAUSE_ENV: f"{stage}:60", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(base)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        marker = base / f".tmp-2-{proc.pid}.paused"
        while not marker.exists():
            if proc.poll() is not None:
                pytest.fail(f"exporter exited early: {proc.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("exporter never reached the pause")
            time.sleep(0.05)
        temp = base / f".tmp-2-{proc.pid}"
        assert (temp / "saved_model.pb").is_file()  # it really was mid-export
        if stage == "validated":
            assert (temp / "assets.extra" / "tf_serving_warmup_requests").is_file()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()

    assert proc.returncode == -signal.SIGKILL
    assert not (base / "2").exists()
    assert list_versions(base) == [1]  # what TF Serving would see: the old version only
    assert _tree_digest(Path(first.path)) == before
    assert temp.exists()  # the hidden leftover, ignored by TF Serving

    info = export(models.forecaster("gru"), base)  # the next export cleans up
    assert info.version == 2 and temp.name in info.removed_stale
    assert sorted(p.name for p in base.iterdir()) == ["1", "2"]
