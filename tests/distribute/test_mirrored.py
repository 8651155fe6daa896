"""MirroredStrategy over 2 logical CPUs (a fresh process: logical devices must be set
before TensorFlow initializes). Compared with single-process Keras ``fit`` (same
tolerances as the multi-worker test, same reasoning)."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_mirrored_over_logical_cpus(mirrored_run):
    info = mirrored_run["strategy"]
    assert info["kind"] == "mirrored"
    assert info["replicas"] == 2
    assert [d.rsplit("/", 1)[-1] for d in info["devices"]] == ["device:CPU:0", "device:CPU:1"]
    assert mirrored_run["scaled_batch_16"] == 32
    assert mirrored_run["fit_supported"] is True


def test_mirrored_training_matches_keras_fit(mirrored_run, reference_run):
    losses = np.asarray(mirrored_run["adam"]["history"]["loss"])
    np.testing.assert_allclose(losses, reference_run["fit_adam"]["history"]["loss"], rtol=1e-5)
    assert np.all(np.diff(losses) < 0)
    assert mirrored_run["adam"]["examples"] == [128] * 4


def test_clipnorm_means_the_global_gradient(mirrored_run, reference_run):
    """Keras 3 clips each replica's local gradient before the all-reduce; the loop clips
    the all-reduced one, so 2 replicas train exactly like one device (Keras fit)."""
    np.testing.assert_allclose(mirrored_run["clip"]["history"]["loss"],
                               reference_run["fit_clip"]["history"]["loss"], rtol=1e-5)
    for a, b in zip(mirrored_run["clip"]["weights"], reference_run["fit_clip"]["weights"]):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=1e-5)


def test_overflow_on_one_replica_skips_the_step_everywhere(mirrored_run):
    """mixed_float16: only replica 1's gradients overflow. Every replica must skip the
    update (weights unchanged, finite) and the loss scale halves."""
    result = mirrored_run["overflow"]
    assert result["policy"] == "mixed_float16"
    assert result["optimizer"] == "LossScaleOptimizer"
    assert result["all_finite"] is True
    assert result["max_change"] == 0.0
    assert result["scale_after"] == result["initial_scale"] / 2
