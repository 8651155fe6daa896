"""Resume after a simulated interruption: a process that dies right after epoch 2 (its
checkpoint written), then a new process that continues to epoch 4. It must start at epoch
3 and end where an uninterrupted 4-epoch run ends (same losses for epochs 3-4, same
weights), which needs the model *and* the Adam state back."""

from __future__ import annotations

import numpy as np
import pytest
import worker_script as ws
from conftest import run_script

pytestmark = pytest.mark.slow


def test_resume_continues_at_the_next_epoch(tmp_path, reference_run):
    import tensorflow as tf

    ckpt = tmp_path / "ckpt"
    crashed = run_script(tmp_path, "first", ["single", "--epochs", 4, "--checkpoint-dir", ckpt,
                                             "--crash-after-epoch", 2], expect_rc=ws.CRASH_RC)
    assert crashed is None  # died before writing its report
    assert tf.train.latest_checkpoint(str(ckpt)).endswith("ckpt-2")

    resumed = run_script(tmp_path, "second", ["single", "--epochs", 4, "--checkpoint-dir", ckpt])
    run = resumed["adam"]
    assert run["initial_epoch"] == 2
    assert run["history"]["epoch"] == [3, 4]
    assert run["steps"] == [4, 4]
    reference = reference_run["fit_adam"]
    np.testing.assert_allclose(run["history"]["loss"], reference["history"]["loss"][2:],
                               rtol=1e-5)
    for a, b in zip(run["weights"], reference["weights"]):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=1e-5)
    assert tf.train.latest_checkpoint(str(ckpt)).endswith("ckpt-4")
