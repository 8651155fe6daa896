"""Strategy selection on this (CPU-only) machine, in-process. Strategies that reconfigure
the runtime (logical CPUs, multi-worker) are covered in subprocesses elsewhere."""

from __future__ import annotations

import glob
import types

import pytest
import tensorflow as tf

from seqkit import distribute as sd
from seqkit.errors import ConfigError

HAS_GPU = bool(tf.config.list_physical_devices("GPU"))
TPU_ENV = ("TPU_NAME", "KUBE_GOOGLE_CLOUD_TPU_ENDPOINTS", "COLAB_TPU_ADDR")


@pytest.fixture
def no_tpu(monkeypatch):
    for var in TPU_ENV:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("TF_CONFIG", raising=False)
    real_glob = glob.glob
    monkeypatch.setattr(glob, "glob",
                        lambda p, *a, **k: [] if p.startswith("/dev/") else real_glob(p, *a, **k))


@pytest.mark.skipif(HAS_GPU, reason="expects a CPU-only machine")
def test_auto_picks_the_cpu(no_tpu):
    info = sd.describe_strategy(sd.get_strategy("auto"))
    assert info["kind"] == "one_device"
    assert info["replicas"] == 1
    assert info["devices"] == ["/job:localhost/replica:0/task:0/device:CPU:0"]
    assert info["device_kind"] == "cpu"
    assert info["is_chief"] is True and info["num_workers"] == 1


def test_cpu_strategy():
    strategy = sd.get_strategy(" CPU ")
    assert isinstance(strategy, tf.distribute.OneDeviceStrategy)
    assert sd.describe_strategy(strategy)["devices"][0].endswith("device:CPU:0")
    assert sd.fit_supported(strategy) is True
    assert sd.scaled_batch_size(16, strategy) == 16


def test_default_strategy_description():
    info = sd.describe_strategy(tf.distribute.get_strategy())
    assert info["kind"] == "default"
    assert info["replicas"] == 1
    assert info["devices"] == (["/gpu:0"] if HAS_GPU else ["/cpu:0"])
    assert sd.is_chief(tf.distribute.get_strategy()) is True


def test_mirrored_without_cpu_replicas_uses_the_existing_devices():
    if HAS_GPU:
        pytest.skip("mirrors over GPUs here")
    strategy = sd.get_strategy("mirrored")
    assert strategy.num_replicas_in_sync == len(tf.config.list_logical_devices("CPU"))


@pytest.mark.parametrize("bad", ["horovod", None, 3])
def test_unknown_name_lists_the_allowed_ones(bad):
    with pytest.raises(ConfigError) as info:
        sd.get_strategy(bad)
    assert str(info.value).startswith("strategy must be one of (")
    assert str(info.value).endswith(f", got {bad!r}")
    for name in ("auto", "cpu", "gpu", "mirrored", "tpu", "multiworker"):
        assert name in str(info.value)


def test_tpu_unreachable_is_a_config_error(no_tpu):
    with pytest.raises(ConfigError, match="no TPU is reachable"):
        sd.get_strategy("tpu")


def test_tpu_resolver_failure_is_a_config_error(no_tpu, monkeypatch):
    calls = []

    def failing_resolver(tpu=None, **kwargs):
        calls.append(tpu)
        raise ValueError("Could not lookup TPU metadata")

    monkeypatch.setattr(tf.distribute.cluster_resolver, "TPUClusterResolver", failing_resolver)
    with pytest.raises(ConfigError, match="'grpc://10.1.2.3:8470' is not reachable: ValueError"):
        sd.get_strategy("tpu", tpu="grpc://10.1.2.3:8470")
    assert calls == ["grpc://10.1.2.3:8470"]
    # auto with TPU_NAME set but unreachable falls back to GPU/CPU instead of failing.
    monkeypatch.setenv("TPU_NAME", "my-tpu")
    strategy = sd.get_strategy("auto")
    assert calls[-1] == "my-tpu"
    assert sd.describe_strategy(strategy)["device_kind"] == ("gpu" if HAS_GPU else "cpu")
    # ...but a TPU the caller named explicitly is not silently replaced.
    with pytest.raises(ConfigError, match="not reachable"):
        sd.get_strategy("auto", tpu="my-tpu")


def test_real_resolver_on_a_machine_without_tpu(reference_run):
    """get_strategy('tpu', tpu='local') with the real TPUClusterResolver (run in the
    reference subprocess so it cannot disturb this process)."""
    assert reference_run["tpu_local"].startswith(
        "ConfigError: strategy 'tpu': TPU 'local' is not reachable: NotFoundError")


def test_multiworker_created_too_late(reference_run):
    """MultiWorkerMirroredStrategy must come before any other TF work (reference subprocess
    tries it at its very end)."""
    message = reference_run["multiworker_late"]
    assert message.startswith("ConfigError: strategy 'multiworker' (task worker:0 of 1)")
    assert "Collective ops must be configured at program startup" in message
    assert "must be created at program start" in message


@pytest.mark.skipif(HAS_GPU, reason="expects a CPU-only machine")
def test_gpu_unavailable_names_what_was_found():
    with pytest.raises(ConfigError, match=r"sees no GPU \(devices found: CPU:0"):
        sd.get_strategy("gpu")


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"name": "cpu", "num_cpu_replicas": 2}, "only applies to strategy 'mirrored'"),
    ({"name": "gpu", "tpu": "local"}, "only applies to strategies 'tpu' and 'auto'"),
    ({"name": "mirrored", "num_cpu_replicas": 0},
     "^num_cpu_replicas must be an integer >= 1, got 0$"),
    ({"name": "mirrored", "num_cpu_replicas": "2"},
     "^num_cpu_replicas must be an integer >= 1, got '2'$"),
])
def test_bad_option_combinations(kwargs, expected):
    with pytest.raises(ConfigError, match=expected):
        sd.get_strategy(**kwargs)


def test_logical_cpus_after_initialization_is_a_clear_error():
    tf.constant(1.0)  # TensorFlow's devices are initialized from here on
    have = len(tf.config.list_logical_devices("CPU"))
    with pytest.raises(ConfigError, match="already initialized its devices"):
        sd.get_strategy("mirrored", num_cpu_replicas=have + 1)
    assert len(tf.config.list_logical_devices("CPU")) == have


def test_scaled_batch_size():
    assert sd.scaled_batch_size(16, types.SimpleNamespace(num_replicas_in_sync=8)) == 128
    assert sd.scaled_batch_size(3, tf.distribute.get_strategy()) == 3
    for bad in (0, -4, 2.5, True, "8"):
        with pytest.raises(ConfigError):
            sd.scaled_batch_size(bad, tf.distribute.get_strategy())
