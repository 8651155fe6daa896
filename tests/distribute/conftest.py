"""Helpers for the distribute tests: run ``worker_script.py`` in fresh processes, bounded.

Subprocess runs are session-scoped fixtures so that each (costly: TF import + tracing) run
happens once and several tests assert on its report.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCRIPT = HERE / "worker_script.py"
PROCESS_TIMEOUT_S = 150  # per process; the tests kill anything still running after it


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["KERAS_BACKEND"] = "tensorflow"
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env.pop("TF_CONFIG", None)
    env.pop("TPU_NAME", None)
    return env


def _launch(args, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - closed by the caller via proc.log
    proc = subprocess.Popen([sys.executable, str(SCRIPT), *map(str, args)], cwd=REPO,
                            env=_env(), stdout=log, stderr=subprocess.STDOUT)
    proc.log = log
    proc.log_path = log_path
    return proc


def _tail(path: Path, n=40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def wait_all(procs, timeout=PROCESS_TIMEOUT_S):
    """Wait for every process; kill stragglers after ``timeout`` s. Returns return codes."""
    deadline = time.monotonic() + timeout
    codes = []
    try:
        for proc in procs:
            try:
                codes.append(proc.wait(timeout=max(0.1, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                codes.append(None)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.log.close()
    return codes


def run_script(tmp: Path, name: str, args, expect_rc=0) -> dict | None:
    """Run one worker_script process; return its JSON report (None when it wrote none)."""
    out = tmp / f"{name}.json"
    proc = _launch([args[0], out, *args[1:]], tmp / f"{name}.log")
    (rc,) = wait_all([proc])
    assert rc == expect_rc, f"{name}: exit {rc} (expected {expect_rc})\n{_tail(proc.log_path)}"
    return json.loads(out.read_text()) if out.exists() else None


def free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def run_two_workers(tmp: Path, extra=(), attempts=2) -> list[dict]:
    """Two MultiWorkerMirroredStrategy workers on 127.0.0.1 (retried once on a port race)."""
    for attempt in range(attempts):
        ports = ",".join(map(str, free_ports(2)))
        procs = [
            _launch(["multiworker", tmp / f"worker{i}.json", "--index", i, "--ports", ports,
                     *extra], tmp / f"worker{i}.log")
            for i in range(2)
        ]
        codes = wait_all(procs)
        logs = [_tail(p.log_path) for p in procs]
        if codes == [0, 0]:
            return [json.loads((tmp / f"worker{i}.json").read_text()) for i in range(2)]
        port_race = any("already in use" in log.lower() for log in logs)
        if not port_race or attempt == attempts - 1:
            pytest.fail(f"workers exited {codes} (None = killed after {PROCESS_TIMEOUT_S}s)\n"
                        + "\n----\n".join(logs))
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory):
    """Single process: custom loop (default strategy) and plain Keras fit, 4 epochs."""
    tmp = tmp_path_factory.mktemp("reference")
    return run_script(tmp, "reference", ["reference", "--epochs", 4])


@pytest.fixture(scope="session")
def two_worker_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("two_workers")
    ckpt = tmp / "ckpt"
    reports = run_two_workers(tmp, ["--epochs", 4, "--checkpoint-dir", ckpt, "--try-fit"])
    return {"reports": reports, "checkpoint_dir": ckpt}


@pytest.fixture(scope="session")
def mirrored_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mirrored")
    return run_script(tmp, "mirrored", ["mirrored", "--epochs", 4])
