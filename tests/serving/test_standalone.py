"""The export needs TensorFlow only: fresh process without seqkit/Keras, saved_model_cli."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from seqkit.serving import export
from tests.serving import models

SAVED_MODEL_CLI = Path(sys.executable).parent / "saved_model_cli"
ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": "", "PATH": "/usr/bin:/bin"}

# Runs with ``python -I -S`` (no site processing, so no .pth files: the editable install's
# hook for seqkit is not there) and a copy of site-packages, as symlinks, without keras.
LOADER = r"""
import json, sys
sys.path.append(sys.argv[2])
for name in ("seqkit", "keras"):
    try:
        __import__(name)
        print("IMPORTABLE", name)
    except ImportError:
        pass
import numpy as np
import tensorflow as tf

results = {}
for name, path, inputs in json.loads(sys.argv[1]):
    signature = tf.saved_model.load(path).signatures["serving_default"]
    feeds = {k: tf.constant(np.load(v, allow_pickle=True)) for k, v in inputs.items()}
    out = signature(**feeds)
    files = {}
    for key, value in out.items():
        files[key] = f"{path}.{key}.out.npy"
        np.save(files[key], value.numpy(), allow_pickle=True)
    results[name] = files
print("MODULES", json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in
                                   ("keras", "seqkit", "tf_keras"))))
print("RESULTS", json.dumps(results))
"""


def _site_without_keras_or_seqkit(folder: Path) -> Path:
    folder.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        name = entry.name.lower()
        if name.endswith(".pth") or name.startswith(("keras", "seqkit", "__editable__")):
            continue
        (folder / entry.name).symlink_to(entry)
    return folder


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    root = tmp_path_factory.mktemp("standalone")
    text = models.text_classifier("gru")
    forecaster = models.forecaster("lstm")
    seq = models.sequence_classifier("lstm", bidirectional=True, stacked=True)
    texts = models.texts(4, 7)
    cases = {
        "text": (text, export(text, root / "text", class_names=models.CLASS_NAMES),
                 {"text": texts}, {"probabilities": text(tf.constant(texts)).numpy()}),
        "forecaster": (forecaster, export(forecaster, root / "fc", task="forecasting"),
                       {"window": models.windows(3, 8)}, None),
        "sequence": (seq, export(seq, root / "seq"), {"sequence": models.padded_sequences(
            3, 6)}, None),
    }
    out = {}
    for name, (model, info, inputs, expected) in cases.items():
        if expected is None:
            value = model(next(iter(inputs.values()))).numpy()
            expected = {"forecast" if name == "forecaster" else "probabilities": value}
        files = {}
        for key, value in inputs.items():
            files[key] = str(root / f"{name}.{key}.npy")
            np.save(files[key], value, allow_pickle=True)
        out[name] = (info, files, expected)
    return out


def test_fresh_process_without_seqkit_or_keras(exports, tmp_path):
    job = [(name, info.path, files) for name, (info, files, _) in exports.items()]
    site = _site_without_keras_or_seqkit(tmp_path / "site")
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", LOADER, json.dumps(job), str(site)],
                          cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "IMPORTABLE" not in proc.stdout, proc.stdout
    lines = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in proc.stdout.splitlines()
             if line.startswith(("MODULES ", "RESULTS "))}
    assert json.loads(lines["MODULES"]) == []
    results = json.loads(lines["RESULTS"])
    for name, (_, _, expected) in exports.items():
        for key, want in expected.items():
            got = np.load(results[name][key], allow_pickle=True)
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    classes = np.load(results["text"]["class_names"], allow_pickle=True)
    ids = expected_ids = exports["text"][2]["probabilities"].argmax(axis=1)
    assert list(classes) == [models.CLASS_NAMES[i].encode() for i in expected_ids]
    assert list(np.load(results["text"]["class_ids"])) == list(ids)


def _cli(*args):
    if not SAVED_MODEL_CLI.exists():
        pytest.skip(f"saved_model_cli not found next to {sys.executable}")
    proc = subprocess.run([str(SAVED_MODEL_CLI), *args], capture_output=True, text=True,
                          env=ENV, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_saved_model_cli_show_all(exports):
    info = exports["text"][0]
    out = _cli("show", "--all", "--dir", info.path)
    assert "signature_def['serving_default']" in out
    assert "inputs['text'] tensor_info:\n        dtype: DT_STRING\n        shape: (-1)" in out
    assert ("outputs['probabilities'] tensor_info:\n        dtype: DT_FLOAT\n"
            "        shape: (-1, 3)") in out
    assert "outputs['class_ids'] tensor_info:\n        dtype: DT_INT64" in out
    assert "outputs['class_names'] tensor_info:\n        dtype: DT_STRING" in out
    assert "Method name is: tensorflow/serving/predict" in out
    assert "Cudnn" not in out


@pytest.mark.parametrize("name", ["text", "forecaster"])
def test_saved_model_cli_run_matches_the_model(exports, tmp_path, name):
    """``run`` loads through the TF1 loader, as TF Serving does; string inputs go in as an
    .npy of bytes objects (``--input_exprs`` takes Python literals only in TF 2.21)."""
    info, files, expected = exports[name]
    inputs = ";".join(f"{key}={path}" for key, path in files.items())
    out = _cli("run", "--dir", info.path, "--tag_set", "serve", "--signature_def",
               "serving_default", "--inputs", inputs, "--outdir", str(tmp_path))
    for key, want in expected.items():
        assert f"Result for output key {key}:" in out
        got = np.load(tmp_path / f"{key}.npy", allow_pickle=True)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
