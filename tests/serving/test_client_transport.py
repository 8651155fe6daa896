"""The client's transport over loopback: HTTPS with a CA bundle, gRPC ``secure_channel``
with root certificates, auth headers / call metadata, bounded retries with backoff.

The servers here are transport stand-ins (an ``http.server`` HTTPS server and a gRPC
``PredictionService`` that echoes its inputs), not TF Serving: they check the token,
fail the first requests with a transient error, and count what arrived. The certificate
is self-signed, made here (``cryptography`` if installed, else the ``openssl`` CLI)."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import json
import shutil
import ssl
import subprocess
import threading
from concurrent import futures

import grpc
import numpy as np
import pytest
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from seqkit.errors import ConfigError
from seqkit.serving.client import (
    ServingClient,
    StreamingSession,
    grpc_predict,
    rest_predict,
    rest_url,
)
from seqkit.serving.client.transport import RetryPolicy, ServingError, check_headers, http_json

TOKEN = "Bearer s3cret-t0ken"
X = [[1.0, 2.0], [3.0, 4.0]]


# ------------------------------------------------------------------------ certificate


def _cert_with_cryptography(folder):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _cert_with_openssl(folder):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
                    "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)


def make_certificate(folder, name="server"):
    """``(cert.pem, key.pem)`` of a self-signed certificate for localhost and 127.0.0.1."""
    folder = folder / name
    folder.mkdir()
    try:
        import cryptography  # noqa: F401
        _cert_with_cryptography(folder)
    except ImportError:
        if shutil.which("openssl") is None:
            pytest.skip("neither the cryptography package nor the openssl CLI is available "
                        "to make a self-signed certificate")
        _cert_with_openssl(folder)
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


# ------------------------------------------------------------------------ HTTPS server


class _Handler(http.server.BaseHTTPRequestHandler):
    """Counts requests; 401 without the token; 503 or a dropped connection for the first
    ``fail_first``; then echoes ``inputs`` (and ``output`` = their sum) as TF Serving's
    column format would answer."""

    def log_message(self, *args):
        pass

    def _answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, body):
        state = self.server.state
        state["requests"] += 1
        state["tokens"].append(self.headers.get("Authorization"))
        if self.headers.get("Authorization") != TOKEN:
            return self._answer(401, {"error": "missing or wrong token"})
        if state["requests"] <= state["fail_first"]:
            if state["mode"] == "reset":
                self.close_connection = True  # no answer at all: the client sees a reset
                return None
            return self._answer(503, {"error": "Servable not available yet"})
        if body is None:
            return self._answer(200, {"model_version_status": [{"state": "AVAILABLE"}]})
        inputs = body["inputs"]
        return self._answer(200, {"outputs": {**inputs, "output": float(np.sum(
            np.asarray(next(iter(inputs.values())))))}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self._handle(json.loads(self.rfile.read(length)))

    def do_GET(self):
        self._handle(None)


@pytest.fixture
def https_server(certificate):
    cert, key = certificate
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.state = {"requests": 0, "fail_first": 0, "mode": "503", "tokens": []}
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def _url(server, host="localhost"):
    return rest_url(host, server.server_address[1], "m", scheme="https")


def test_https_with_ca_file_and_token_retries_503_then_answers(https_server, certificate):
    https_server.state["fail_first"] = 2
    out = rest_predict(_url(https_server), {"x": X}, format="inputs", ca_file=certificate[0],
                       headers={"Authorization": TOKEN}, retries=3, backoff=0.01)
    np.testing.assert_array_equal(out["x"], X)
    assert float(out["output"]) == 10.0
    assert https_server.state["requests"] == 3  # two 503s, then the answer
    assert https_server.state["tokens"] == [TOKEN] * 3


def test_https_gives_up_after_the_retries_naming_url_and_status(https_server, certificate):
    https_server.state["fail_first"] = 100
    url = _url(https_server)
    with pytest.raises(ServingError) as caught:
        rest_predict(url, {"x": X}, format="inputs", ca_file=certificate[0],
                     headers={"Authorization": TOKEN}, retries=2, backoff=0.01)
    message = str(caught.value)
    assert url in message and "HTTP 503" in message and "after 3 attempts" in message
    assert "Servable not available yet" in message  # the server's body
    assert https_server.state["requests"] == 3


def test_a_dropped_connection_is_retried(https_server, certificate):
    https_server.state.update(fail_first=1, mode="reset")
    out = rest_predict(_url(https_server), {"x": X}, format="inputs", ca_file=certificate[0],
                       headers={"Authorization": TOKEN}, backoff=0.01)
    np.testing.assert_array_equal(out["x"], X)
    assert https_server.state["requests"] == 2


def test_other_errors_are_raised_at_once(https_server, certificate, tmp_path):
    with pytest.raises(ServingError, match=r"HTTP 401 from https://.*missing or wrong token"):
        rest_predict(_url(https_server), {"x": X}, format="inputs", ca_file=certificate[0],
                     headers={"Authorization": "Bearer wrong"}, retries=3)
    assert https_server.state["requests"] == 1
    # the system's CAs do not know the self-signed certificate: TLS fails, nothing is sent
    with pytest.raises(ServingError, match="CERTIFICATE_VERIFY_FAILED"):
        rest_predict(_url(https_server), {"x": X}, headers={"Authorization": TOKEN})
    # a CA bundle that did not sign the server's certificate fails the same way
    other, _ = make_certificate(tmp_path, "other")
    with pytest.raises(ServingError, match="CERTIFICATE_VERIFY_FAILED"):
        rest_predict(_url(https_server), {"x": X}, ca_file=other)
    assert https_server.state["requests"] == 1


def test_serving_client_over_https_and_a_streaming_session(https_server, certificate):
    https_server.state["fail_first"] = 1
    client = ServingClient("localhost", model="m", rest_port=https_server.server_address[1],
                           ca_file=certificate[0], headers={"Authorization": TOKEN},
                           backoff=0.01, timeout=10)
    assert client.url().startswith("https://localhost:")
    assert client.status() == {"model_version_status": [{"state": "AVAILABLE"}]}
    out = client.predict({"x": X}, format="inputs")
    np.testing.assert_array_equal(out["x"], X)
    # a StreamingSession's requests go through the client (TLS, token, retries); the echo
    # server sends the states back, as serving_step would send the new ones
    session = StreamingSession({"available": True, "sequence_input": "sequence",
                                "states": [{"name": "rnn_0_h", "units": 2}],
                                "inputs": {"sequence": {"dtype": "float32",
                                                        "shape": [None, None, 1]}}},
                               transport=client.transport())
    session.reset(1)
    session.states["rnn_0_h"][:] = [[0.5, -0.5]]
    answer = session.step([[0.25]])
    assert float(answer["output"]) == 0.25
    np.testing.assert_array_equal(session.states["rnn_0_h"], [[0.5, -0.5]])
    assert session.steps == 1
    # 503, status, /metadata (predict reads the output names), predict, step
    assert https_server.state["tokens"] == [TOKEN] * 5


def test_transport_arguments_are_checked(certificate):
    with pytest.raises(ConfigError, match="ca_file checks https servers"):
        rest_predict("http://localhost:1/v1/models/m:predict", {"x": X},
                     ca_file=certificate[0])
    with pytest.raises(ConfigError, match="need tls=True"):
        ServingClient(model="m", tls=False, ca_file=certificate[0])
    with pytest.raises(ConfigError, match="root_certificates .*no such file"):
        grpc_predict("localhost:1", "m", {"x": X}, root_certificates="/no/such.pem")
    with pytest.raises(ConfigError, match=r"headers\['Authorization'\] must be a string"):
        check_headers({"Authorization": b"Bearer x"})
    with pytest.raises(ConfigError, match="max_backoff must be a number >= backoff"):
        RetryPolicy(backoff=1.0, max_backoff=0.5)
    with pytest.raises(ConfigError, match="retries must be an integer >= 0"):
        ServingClient(model="m", retries=-1)


def test_http_json_without_retry_raises_the_first_503(https_server, certificate):
    import urllib.request

    https_server.state["fail_first"] = 1
    request = urllib.request.Request(_url(https_server), headers={"Authorization": TOKEN})
    with pytest.raises(ServingError, match=r"HTTP 503 from https://[^ ]*: "):
        http_json(request, 10, ca_file=certificate[0])
    assert https_server.state["requests"] == 1


# ------------------------------------------------------------------------- gRPC server


class _Echo(prediction_service_pb2_grpc.PredictionServiceServicer):
    """Predict: UNAUTHENTICATED without the token, ``fail_code`` for the first
    ``fail_first`` calls, then the inputs back as outputs."""

    def __init__(self):
        self.calls, self.fail_first, self.fail_code, self.tokens = 0, 0, None, []

    def Predict(self, request, context):
        self.calls += 1
        token = dict(context.invocation_metadata()).get("authorization")
        self.tokens.append(token)
        if token != TOKEN:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong token")
        if self.calls <= self.fail_first:
            context.abort(self.fail_code, "not now")
        response = predict_pb2.PredictResponse()
        response.model_spec.CopyFrom(request.model_spec)
        for name, tensor in request.inputs.items():
            response.outputs[name].CopyFrom(tensor)
        return response


@pytest.fixture
def grpc_server(certificate):
    cert, key = certificate
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    echo = _Echo()
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(echo, server)
    port = server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials(
        [(key.read_bytes(), cert.read_bytes())]))
    server.start()
    yield f"127.0.0.1:{port}", echo
    server.stop(grace=None)


def test_grpc_secure_channel_with_metadata_retries_unavailable(grpc_server, certificate):
    target, echo = grpc_server
    echo.fail_first, echo.fail_code = 1, grpc.StatusCode.UNAVAILABLE
    out = grpc_predict(target, "m", {"x": X}, root_certificates=certificate[0].read_bytes(),
                       headers={"Authorization": TOKEN}, backoff=0.01, timeout=10)
    np.testing.assert_array_equal(out["x"], np.asarray(X, "float32"))
    assert echo.calls == 2 and echo.tokens == [TOKEN] * 2


def test_grpc_gives_up_and_raises_other_codes_at_once(grpc_server, certificate):
    target, echo = grpc_server
    echo.fail_first, echo.fail_code = 100, grpc.StatusCode.UNAVAILABLE
    with pytest.raises(ServingError, match=r"at 127.0.0.1:\d+ failed \(after 3 attempts\): "
                                           r"UNAVAILABLE: not now"):
        grpc_predict(target, "m", {"x": X}, root_certificates=certificate[0],
                     headers={"Authorization": TOKEN}, retries=2, backoff=0.01)
    assert echo.calls == 3
    with pytest.raises(ServingError, match="UNAUTHENTICATED: missing or wrong token"):
        grpc_predict(target, "m", {"x": X}, root_certificates=certificate[0], retries=3)
    assert echo.calls == 4  # not retried


def test_grpc_untrusted_certificate_fails_at_once(grpc_server, tmp_path):
    target, echo = grpc_server
    other, _ = make_certificate(tmp_path, "other")
    with pytest.raises(ServingError, match=r"failed: UNAVAILABLE: .*CERTIFICATE_VERIFY_FAILED"):
        grpc_predict(target, "m", {"x": X}, root_certificates=other,
                     headers={"Authorization": TOKEN}, retries=3, backoff=0.01)
    assert echo.calls == 0  # the handshake failed: nothing was sent, and it is not retried


def test_grpc_deadline_exceeded_is_retried_only_when_asked(grpc_server, certificate):
    target, echo = grpc_server
    echo.fail_first, echo.fail_code = 1, grpc.StatusCode.DEADLINE_EXCEEDED
    with pytest.raises(ServingError, match="failed: DEADLINE_EXCEEDED"):
        grpc_predict(target, "m", {"x": X}, root_certificates=certificate[0],
                     headers={"Authorization": TOKEN}, backoff=0.01)
    assert echo.calls == 1
    echo.calls = 0
    out = grpc_predict(target, "m", {"x": X}, root_certificates=certificate[0],
                       headers={"Authorization": TOKEN}, backoff=0.01, retry_timeouts=True)
    assert echo.calls == 2 and out["x"].shape == (2, 2)


def test_serving_client_over_grpc_tls(grpc_server, certificate):
    target, echo = grpc_server
    echo.fail_first, echo.fail_code = 1, grpc.StatusCode.UNAVAILABLE
    host, port = target.rsplit(":", 1)
    client = ServingClient(host, model="m", grpc_port=int(port), ca_file=certificate[0],
                           headers={"Authorization": TOKEN}, backoff=0.01, timeout=10)
    out = client.predict({"x": X}, protocol="grpc")   # ca_file is gRPC's root too
    np.testing.assert_array_equal(out["x"], np.asarray(X, "float32"))
    out = client.transport(protocol="grpc")({"x": np.asarray(X, "float32")})
    assert echo.calls == 3 and echo.tokens == [TOKEN] * 3
