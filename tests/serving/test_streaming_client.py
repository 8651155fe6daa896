"""StreamingSession against the exported SavedModel in-process (the loaded ``serving_step``
signature is the transport; no stand-in server): step by step and in chunks it answers
what the full Keras call answers, over the REST body, the gRPC request/response protos
and a plain callable; bad inputs are refused with what was expected."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2

import seqkit
from seqkit.errors import ConfigError, DataError
from seqkit.fit.options import RNNSpec
from seqkit.forecasting.model import build_forecast_model
from seqkit.serving import export, read_metadata
from seqkit.serving.client.streaming import StreamingSession, signature_transport
from seqkit.serving.client.transport import ServingError, encode_body

TOL = 1e-5


def _stacked_model():
    keras.utils.set_random_seed(0)
    inp = keras.Input((None, 3), name="sequence")
    x = keras.layers.Masking()(inp)
    x = seqkit.ExplicitLSTM(5, layer_norm=True, return_sequences=True)(x)
    x = keras.layers.Dense(4, activation="tanh")(x)
    x = seqkit.ExplicitGRU(4)(x)
    return keras.Model(inp, keras.layers.Dense(2, name="head")(x), name="stacked")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = _stacked_model()
    info = export(model, tmp_path_factory.mktemp("client") / "sensor", warmup=False)
    loaded = tf.saved_model.load(info.path)
    x = np.random.default_rng(0).normal(size=(3, 16, 3)).astype("float32")
    return model, info, loaded, x, keras.ops.convert_to_numpy(model(x))


def _own_transport(signature):
    """What a test writes itself: call the signature with the feeds, answer NumPy."""
    def send(feeds):
        return {k: v.numpy() for k, v in
                signature(**{n: tf.constant(v) for n, v in feeds.items()}).items()}
    return send


@pytest.mark.parametrize("k", [1, 7])
def test_session_over_a_callable_equals_the_full_call(exported, k):
    model, info, loaded, x, want = exported
    session = StreamingSession(info.path, transport=_own_transport(
        loaded.signatures["serving_step"]))
    assert session.model_name == "sensor" and session.version == info.version
    for start in range(0, x.shape[1], k):
        out = session.step(x[:, start:start + k])
    np.testing.assert_allclose(out["output"], want, atol=TOL)
    assert set(out) == {"output"} and session.steps == x.shape[1]
    assert sorted(session.states) == ["rnn_0_c", "rnn_0_h", "rnn_1_h"]


def test_reset_starts_a_new_sequence(exported):
    model, info, loaded, x, want = exported
    session = StreamingSession(read_metadata(info.path),
                               transport=signature_transport(loaded.signatures["serving_step"]))
    session.step(x[:, :5])
    session.reset()
    assert session.states is None and session.steps == 0
    out = session.step(x[:2, :9])   # another batch size after reset()
    want_short = keras.ops.convert_to_numpy(model(x[:2, :9]))
    np.testing.assert_allclose(out["output"], want_short, atol=TOL)
    with pytest.raises(DataError, match="x_new has 3 rows, the session's states 2"):
        session.step(x[:, 9:])
    session.reset(3)
    assert all(not v.any() and v.shape[0] == 3 for v in session.states.values())


def test_rest_body_round_trip(exported):
    """The JSON body TF Serving would get; the signature runs on what the JSON holds, and
    the answer goes back as TF Serving's column-format response."""
    model, info, loaded, x, want = exported
    signature = loaded.signatures["serving_step"]
    session = StreamingSession(info.path)
    for start in range(0, x.shape[1], 7):
        body = session.rest_request(x[:, start:start + 7])
        assert body["signature_name"] == "serving_step"
        assert sorted(body["inputs"]) == ["rnn_0_c", "rnn_0_h", "rnn_1_h", "sequence"]
        sent = json.loads(encode_body(body))["inputs"]
        result = signature(**{k: tf.constant(np.asarray(v, "float32")) for k, v in sent.items()})
        response = json.dumps({"outputs": {k: v.numpy().tolist() for k, v in result.items()}})
        out = session.update(response)
    np.testing.assert_allclose(out["output"], want, atol=TOL)


def test_grpc_request_and_response_protos(exported):
    model, info, loaded, x, want = exported
    signature = loaded.signatures["serving_step"]
    session = StreamingSession(info.path, model_name="sensor_tfs")
    for t in range(x.shape[1]):
        request = session.grpc_request(x[:, t])
        assert request.model_spec.name == "sensor_tfs"
        assert request.model_spec.signature_name == "serving_step"
        assert request.model_spec.version.value == info.version
        feeds = {k: tf.constant(tf.make_ndarray(v)) for k, v in request.inputs.items()}
        response = predict_pb2.PredictResponse()
        for key, value in signature(**feeds).items():
            response.outputs[key].CopyFrom(tf.make_tensor_proto(value.numpy()))
        out = session.update(response)
    np.testing.assert_allclose(out["output"], want, atol=TOL)


def test_covariates_go_with_every_step(tmp_path):
    keras.utils.set_random_seed(1)
    model = build_forecast_model(6, 1, 2, 1, input_mean=[0.0], input_std=[1.0],
                                 window_inputs="absolute", static_stats=([0.0], [1.0]),
                                 rnn=RNNSpec("gru", 3))
    info = export(model, tmp_path / "f", task="forecasting", warmup=False)
    signature = tf.saved_model.load(info.path).signatures["serving_step"]
    session = StreamingSession(info.path, transport=signature_transport(signature))
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 6, 1)).astype("float32")
    static = rng.normal(size=(2, 1)).astype("float32")
    with pytest.raises(DataError, match=r"extra_inputs must be \['static_covariates'\]"):
        session.step(x[:, 0])
    for t in range(6):
        out = session.step(x[:, t], extra_inputs={"static_covariates": static})
    np.testing.assert_allclose(out["forecast"], model.predict([x, static], verbose=0),
                               atol=TOL)


def test_bad_inputs_and_responses_are_refused(exported):
    model, info, loaded, x, want = exported
    session = StreamingSession(info.path)
    with pytest.raises(DataError, match=r"x_new must be \[B, k, 3\] new steps"):
        session.feeds(np.zeros((3, 2, 4), "float32"))
    with pytest.raises(DataError, match="no step"):
        session.feeds(np.zeros((3, 0, 3), "float32"))
    with pytest.raises(ConfigError, match="needs a transport"):
        session.step(x[:, :1])
    with pytest.raises(ServingError, match=r"no states \['rnn_0_h', 'rnn_0_c', 'rnn_1_h'\]"):
        session.update({"output": np.zeros((3, 2))})
    with pytest.raises(ServingError, match="Input size mismatch"):
        session.update({"error": "Input size mismatch"})
    bad = {"output": np.zeros((3, 2)), "rnn_0_h": np.zeros((3, 4)),
           "rnn_0_c": np.zeros((3, 5)), "rnn_1_h": np.zeros((3, 4))}
    with pytest.raises(DataError, match=r"state 'rnn_0_h' must be \[B, 5\]"):
        session.update(bad)
    with pytest.raises(ConfigError, match="grpc_request needs the model's name"):
        StreamingSession(read_metadata(info.path)).grpc_request(x[:, 0])


def test_a_declined_export_cannot_open_a_session(tmp_path):
    inp = keras.Input((None, 2), name="sequence")
    info = export(keras.Model(inp, keras.layers.Dense(2)(inp)), tmp_path / "dense",
                  warmup=False)
    with pytest.raises(ConfigError, match="no serving_step signature: .*no recurrent layer"):
        StreamingSession(tmp_path / "dense")   # the base path: its latest version
    with pytest.raises(ConfigError, match="no 'streaming' entry"):
        StreamingSession({"format": 1})
    assert info.streaming["available"] is False
