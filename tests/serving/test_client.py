"""The TF Serving client: request bodies (pure), and a live server only when one exists."""

from __future__ import annotations

import base64
import json
import math
import shutil
import socket
import subprocess
import time

import numpy as np
import pytest

from seqkit.errors import ConfigError, DataError
from seqkit.serving.client import (
    ServingClient,
    ServingError,
    encode_body,
    grpc_request,
    parse_rest_response,
    rest_body,
    rest_url,
)


def test_rest_url():
    assert rest_url("h", 8501, "lstm") == "http://h:8501/v1/models/lstm:predict"
    assert rest_url(model="m", version=3) == "http://localhost:8501/v1/models/m/versions/3:predict"
    assert rest_url(model="m", label="stable").endswith("/v1/models/m/labels/stable:predict")
    with pytest.raises(ConfigError):
        rest_url(model="m", version=1, label="x")
    with pytest.raises(ConfigError):
        rest_url(model="a/b")


def test_rest_body_rows_and_columns_for_text():
    texts = np.array(["a great film", "boring"], dtype=object)
    assert rest_body({"text": texts}) == {
        "signature_name": "serving_default",
        "instances": [{"text": "a great film"}, {"text": "boring"}]}
    assert rest_body({"text": ["a great film", "boring"]}, format="inputs") == {
        "signature_name": "serving_default", "inputs": {"text": ["a great film", "boring"]}}
    assert rest_body({"text": "one text"}, format="inputs")["inputs"] == {"text": ["one text"]}


def test_rest_body_windows_and_binary_strings():
    windows = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    rows = rest_body({"window": windows})["instances"]
    assert rows[1] == {"window": [[6.0, 7.0], [8.0, 9.0], [10.0, 11.0]]}
    assert rest_body({"window": windows}, format="inputs")["inputs"]["window"] == windows.tolist()
    raw = b"\xff\xfe binary"
    body = rest_body({"text": np.array([raw, b"plain"], dtype=object)})
    assert body["instances"][0]["text"] == {"b64": base64.b64encode(raw).decode()}
    assert body["instances"][1]["text"] == "plain"


def test_rest_body_nan_handling():
    x = np.array([[[1.0], [np.nan]], [[np.inf], [-np.inf]]], dtype=np.float32)
    body = rest_body({"window": x}, format="inputs")
    assert encode_body(body) == (b'{"signature_name":"serving_default","inputs":'
                                 b'{"window":[[[1.0],[NaN]],[[Infinity],[-Infinity]]]}}')
    assert math.isnan(json.loads(encode_body(body))["inputs"]["window"][0][1][0])
    with pytest.raises(DataError, match="NaN"):
        rest_body({"window": x}, nan="error")
    assert rest_body({"window": x}, nan="null")["instances"][0]["window"] == [[1.0], [None]]
    with pytest.raises(ConfigError):
        rest_body({"window": x}, nan="drop")


def test_rest_body_errors():
    with pytest.raises(DataError, match="different batch sizes"):
        rest_body({"a": [1, 2], "b": [1]})
    with pytest.raises(DataError, match="non-empty"):
        rest_body({})
    with pytest.raises(ConfigError, match="format"):
        rest_body({"a": [1]}, format="rows")


def test_parse_rest_responses():
    rows = {"predictions": [{"probabilities": [0.1, 0.9], "class_ids": 1, "class_names": "pos"},
                            {"probabilities": [0.8, 0.2], "class_ids": 0, "class_names": "neg"}]}
    out = parse_rest_response(json.dumps(rows))
    np.testing.assert_allclose(out["probabilities"], [[0.1, 0.9], [0.8, 0.2]])
    assert out["class_ids"].tolist() == [1, 0] and out["class_names"].tolist() == ["pos", "neg"]
    single = parse_rest_response({"predictions": [[[1.0]], [[2.0]]]}, output_names=["forecast"])
    assert single["forecast"].shape == (2, 1, 1)
    cols = parse_rest_response(b'{"outputs": {"forecast": [[NaN]]}}')
    assert np.isnan(cols["forecast"][0, 0])
    assert parse_rest_response({"outputs": [1, 2]})["output"].tolist() == [1, 2]
    with pytest.raises(ServingError, match="bad input"):
        parse_rest_response({"error": "bad input"})


def test_grpc_request_proto():
    import tensorflow as tf
    from tensorflow.core.framework import types_pb2

    request = grpc_request("lstm", {"text": ["a", "b"]}, version=2)
    assert request.model_spec.name == "lstm" and request.model_spec.version.value == 2
    assert request.model_spec.signature_name == "serving_default"
    assert request.inputs["text"].dtype == types_pb2.DT_STRING
    assert tf.make_ndarray(request.inputs["text"]).tolist() == [b"a", b"b"]
    request = grpc_request("fc", {"window": np.zeros((2, 3, 1))}, label="canary")
    assert request.inputs["window"].dtype == types_pb2.DT_FLOAT  # float64 → float32
    assert request.model_spec.version_label == "canary"
    assert tf.make_ndarray(request.inputs["window"]).shape == (2, 3, 1)


def test_grpc_stub_is_available():
    import grpc
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    with grpc.insecure_channel("localhost:1") as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        assert hasattr(stub, "Predict")


# ------------------------------------------------------------------ live server (if any)

SERVER = shutil.which("tensorflow_model_server")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(SERVER is None, reason="tensorflow_model_server is not on PATH; the "
                    "client is only tested against the real server, never a stand-in")
def test_against_a_real_tensorflow_model_server(tmp_path):
    import tensorflow as tf

    from seqkit.serving import export, write_models_config
    from tests.serving import models

    root = tmp_path / "models"
    text = models.text_classifier("lstm")
    forecaster = models.forecaster("gru")
    export(text, root / "text", class_names=models.CLASS_NAMES)
    export(forecaster, root / "fc", task="forecasting")
    config = write_models_config(root)
    grpc_port, rest_port = _free_port(), _free_port()
    proc = subprocess.Popen([SERVER, f"--port={grpc_port}", f"--rest_api_port={rest_port}",
                             f"--model_config_file={config}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        clients = {name: ServingClient("127.0.0.1", model=name, rest_port=rest_port,
                                       grpc_port=grpc_port) for name in ("text", "fc")}
        deadline = time.monotonic() + 120
        for client in clients.values():
            while True:
                try:
                    states = client.status()["model_version_status"]
                    if any(s["state"] == "AVAILABLE" for s in states):
                        break
                except ServingError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server not ready: {proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.5)
        texts = models.texts(3, 5)
        want = text(tf.constant(texts)).numpy()
        for kwargs in ({"format": "instances"}, {"format": "inputs"}, {"protocol": "grpc"}):
            out = clients["text"].predict({"text": texts}, **kwargs)
            np.testing.assert_allclose(out["probabilities"], want, rtol=1e-5, atol=1e-6)
            assert list(out["class_ids"]) == list(want.argmax(axis=1))
        windows = models.windows(2, 6)
        want = forecaster(windows).numpy()
        for kwargs in ({"format": "instances"}, {"format": "inputs"}, {"protocol": "grpc"}):
            out = clients["fc"].predict({"window": windows}, **kwargs)
            np.testing.assert_allclose(out["forecast"], want, rtol=1e-5, atol=1e-5)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
