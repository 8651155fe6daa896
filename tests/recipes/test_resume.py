"""Kill a recipe mid-training (SIGKILL), rerun the same command: it resumes where it was
(at most one epoch lost) and ends comparable to an uninterrupted run.

The baselines are off (``--baselines none``): DTW and MiniRocket fits have nothing to do
with resuming and cost each process seconds. The uninterrupted run is started beside the
one that is killed (they share nothing but the machine) so the test waits for one fewer
process start."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

EPOCHS = 6


def _command(tmp_path, name):
    return [sys.executable, "-m", "seqkit.cli", "train", "sequence_classification",
            "--data", "digits",
            "--epochs", str(EPOCHS), "--units", "16", "--learning-rate", "0.01",
            "--patience", "none", "--baselines", "none", "--name", name,
            "--runs-dir", str(tmp_path / "runs"), "--saved-models-dir",
            str(tmp_path / "saved_models"), "--no-export", "--verbose", "0"]


def _env():
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}


def _epochs_logged(run_dir: Path) -> list[tuple[int, int]]:
    log = run_dir / "progress.log"
    if not log.exists():
        return []
    return [(r["pid"], r["epoch"]) for r in map(json.loads, log.read_text().splitlines())]


def _kill_after_epoch_2(tmp_path, run_dir) -> tuple[int, int]:
    """Start the "killed" run, SIGKILL it once it has logged epoch 2; (pid, last epoch)."""
    proc = subprocess.Popen(_command(tmp_path, "killed"), env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    try:
        while time.time() < deadline and not any(e >= 2 for _, e in _epochs_logged(run_dir)):
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.1)
        killed_after = max(e for _, e in _epochs_logged(run_dir))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.pid, killed_after


def test_sigkill_then_rerun_resumes(tmp_path):
    run_dir = tmp_path / "runs" / "killed"
    straight = subprocess.Popen(_command(tmp_path, "straight"), env=_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        killed_pid, killed_after = _kill_after_epoch_2(tmp_path, run_dir)
        assert killed_after < EPOCHS and (run_dir / "backup").is_dir()

        rerun = subprocess.run(_command(tmp_path, "killed"), env=_env(), capture_output=True,
                               text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        summary = json.loads((run_dir / "summary.json").read_text())
        assert summary["resumed"] is True
        second = [e for pid, e in _epochs_logged(run_dir) if pid != killed_pid]
        assert second[0] in (killed_after + 1, killed_after + 2)  # ≤ 1 epoch lost
        assert second[-1] == EPOCHS
        assert not (run_dir / "backup").exists()

        _, straight_err = straight.communicate(timeout=300)
        assert straight.returncode == 0, straight_err[-2000:]
    finally:
        if straight.poll() is None:
            straight.kill()
            straight.communicate()
    reference = json.loads((tmp_path / "runs" / "straight" / "summary.json").read_text())
    assert abs(summary["metrics"]["accuracy"] - reference["metrics"]["accuracy"]) < 0.15
    assert summary["metrics"]["accuracy"] > 0.6  # 10 classes (chance 0.1); ~0.9 when run straight
