"""Every golden case survives get_config/from_config, .keras save/load and XLA."""

import keras
import numpy as np
import pytest

from seqkit.conformance import GOLDEN_CASES
from seqkit.layers import ExplicitGRU, ExplicitLSTM

CASES = [pytest.param(c, id=c.name) for c in GOLDEN_CASES]


def _rnn_layers(model):
    for layer in model.layers:
        inner = getattr(layer, "forward_layer", layer)
        if isinstance(inner, (ExplicitLSTM, ExplicitGRU)):
            yield inner


@pytest.mark.parametrize("case", CASES)
def test_keras_file_round_trip(case, tmp_path):
    model = case.build_model()
    x = case.inputs()
    path = tmp_path / f"{case.name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    for a, b in zip(_rnn_layers(model), _rnn_layers(loaded), strict=True):
        assert type(a) is type(b)
        assert a.get_config() == b.get_config()
        assert a.cell.options == b.cell.options
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))


@pytest.mark.parametrize("case", CASES)
@pytest.mark.skipif(keras.backend.backend() not in ("tensorflow", "jax"),
                    reason="jit_compile=True means XLA on TensorFlow and JAX only")
def test_xla_matches_graph(case):
    model = case.build_model()
    x = case.inputs()
    expected = model.predict(x, verbose=0)
    model.compile(jit_compile=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-5)


@pytest.mark.parametrize("cls,options", [
    (ExplicitLSTM, {"peephole": True, "forget_bias": 0.5, "layer_norm": True,
                    "norm_epsilon": 1e-4, "use_cudnn": False}),
    (ExplicitLSTM, {"coupled_input_forget": True, "output_activation": False}),
    (ExplicitGRU, {"reset_after": False, "layer_norm": True, "use_cudnn": False}),
])
def test_every_option_is_in_get_config(cls, options):
    layer = cls(3, **options)
    config = layer.get_config()
    for key, value in options.items():
        assert config[key] == value, key
    clone = cls.from_config(config)
    assert clone.get_config() == config
    assert clone.use_cudnn == options.get("use_cudnn", "auto")
