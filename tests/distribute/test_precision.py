"""Mixed precision: policy names per device kind, set and restore (no leaked state)."""

from __future__ import annotations

import keras
import pytest

from seqkit.distribute import (
    get_strategy,
    mixed_precision_policy_for,
    mixed_precision_scope,
    set_mixed_precision,
)
from seqkit.errors import ConfigError


@pytest.fixture(autouse=True)
def _policy_unchanged():
    before = keras.mixed_precision.global_policy().name
    yield
    after = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy(before)
    assert after == before, f"test leaked the global policy {after!r}"


@pytest.mark.parametrize(("kind", "policy"), [
    ("gpu", "mixed_float16"), ("tpu", "mixed_bfloat16"), ("cpu", "mixed_bfloat16"),
    (" GPU ", "mixed_float16"),
])
def test_policy_names(kind, policy):
    assert mixed_precision_policy_for(kind) == policy


def test_policy_for_a_cpu_strategy():
    assert mixed_precision_policy_for(get_strategy("cpu")) == "mixed_bfloat16"


@pytest.mark.parametrize("bad", ["npu", "", None, 3])
def test_bad_device_kind(bad):
    with pytest.raises(ConfigError):
        mixed_precision_policy_for(bad)


@pytest.mark.parametrize(("kind", "compute"), [("gpu", "float16"), ("cpu", "bfloat16")])
def test_scope_sets_then_restores(kind, compute):
    before = keras.mixed_precision.global_policy().name
    with mixed_precision_scope(kind) as name:
        assert name == mixed_precision_policy_for(kind)
        assert keras.mixed_precision.global_policy().name == name
        layer = keras.layers.Dense(2)
        assert layer.compute_dtype == compute
        assert layer.variable_dtype == "float32"
    assert keras.mixed_precision.global_policy().name == before
    assert keras.layers.Dense(2).compute_dtype == before


def test_scope_restores_after_an_error_and_after_set_mixed_precision():
    before = keras.mixed_precision.global_policy().name
    with pytest.raises(RuntimeError), mixed_precision_scope():
        assert set_mixed_precision("tpu") == "mixed_bfloat16"
        assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
        raise RuntimeError("boom")
    assert keras.mixed_precision.global_policy().name == before
