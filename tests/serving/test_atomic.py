"""Atomic publication: an export killed mid-way leaves no version folder behind.

The exporting process runs in a subprocess whose ``export(..., on_stage=...)`` callback
sleeps at one stage (after the SavedModel is written, or after everything is validated,
just before the rename), having written the temporary folder's path into a marker file.
The test waits for the marker and sends SIGKILL.
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
from tests.serving import models

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys, time
from pathlib import Path
from tests.serving import models
from seqkit.serving import export

def pause(stage, folder):
    if stage == sys.argv[2]:
        Path(sys.argv[3] + ".part").write_text(str(folder))
        Path(sys.argv[3] + ".part").rename(sys.argv[3])  # the marker appears whole
        time.sleep(60)

export(models.forecaster("gru"), sys.argv[1], on_stage=pause)
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

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    marker = tmp_path / "paused"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(base), stage, str(marker)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            if proc.poll() is not None:
                pytest.fail(f"exporter exited early: {proc.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("exporter never reached the pause")
            time.sleep(0.05)
        temp = base / f".tmp-2-{proc.pid}"
        assert Path(marker.read_text()) == temp
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


def test_on_stage_sees_each_stage_and_can_abort(tmp_path):
    seen = []

    def record(stage, folder):
        seen.append((stage, Path(folder).name, (Path(folder) / "saved_model.pb").is_file()))

    info = export(models.forecaster("gru"), tmp_path / "fc", warmup=False, on_stage=record)
    pid = os.getpid()
    assert seen == [("written", f".tmp-1-{pid}", True), ("validated", f".tmp-1-{pid}", True)]

    def stop(stage, folder):
        if stage == "validated":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export(models.forecaster("gru"), tmp_path / "fc", warmup=False, on_stage=stop)
    assert list_versions(tmp_path / "fc") == [info.version]
    assert sorted(p.name for p in (tmp_path / "fc").iterdir()) == ["1"]
