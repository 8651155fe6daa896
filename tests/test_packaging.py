"""``python -m build`` makes a wheel and an sdist that carry the licence, install quietly and
run the command line from the installed copy (not from this checkout)."""

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    return out, log


def test_build_is_quiet_about_the_licence(dist):
    _, log = dist
    assert "SetuptoolsDeprecationWarning" not in log
    assert "License classifiers are deprecated" not in log
    assert "project.license` as a TOML table is deprecated" not in log


def test_wheel_and_sdist_carry_the_licence(dist):
    out, _ = dist
    wheel = next(out.glob("seqkit-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = zf.read(meta_name).decode()
    assert "License-Expression: Apache-2.0" in meta.splitlines()
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "seqkit/fit/pipeline.py" in names and "seqkit/cli.py" in names
    sdist = next(out.glob("seqkit-*.tar.gz"))
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[-1] for m in tf.getmembers()}
    assert {"LICENSE", "pyproject.toml", "README.md", "seqkit/__init__.py"} <= members
    licence = (ROOT / "LICENSE").read_text()
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence


def test_installed_wheel_runs_the_cli(dist, tmp_path):
    out, _ = dist
    wheel = next(out.glob("seqkit-*.whl"))
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target), "TF_CPP_MIN_LOG_LEVEL": "3"}
    where = subprocess.run([sys.executable, "-c", "import seqkit; print(seqkit.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(target))
    proc = subprocess.run([sys.executable, "-m", "seqkit.cli", "variants"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    assert {"lstm", "gru", "peephole", "cifg", "layernorm_lstm"} <= set(names)
