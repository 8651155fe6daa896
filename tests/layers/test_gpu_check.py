"""benchmarks/gpu_check.py keeps working where there is no GPU: on the CPU under Keras'
PyTorch backend, in a fresh process without TensorFlow imported, every check passes."""

import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch not installed")
def test_gpu_check_runs_on_cpu_under_torch():
    env = {**os.environ, "KERAS_BACKEND": "torch", "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "gpu_check.py"), "--batch", "2",
         "--steps", "3", "--features", "2", "--units", "3", "--repeats", "1",
         "--variants", "lstm", "gru", "peephole", "layernorm_lstm"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "backend torch" in out and "no GPU visible" in out
    assert "6/6 rows pass" in out  # the 4 variants + lstm/gru with use_cudnn=False
    for row in ("| lstm use_cudnn=False | explicit", "| layernorm_lstm | explicit"):
        assert row in out
