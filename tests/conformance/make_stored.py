"""Write the stored saves that later seqkit versions must keep loading.

For a few golden cases (an LSTM variant, a GRU variant, the layer-norm LSTM and a
Bidirectional model, each shrunk to 3 units) this writes, into
``tests/conformance/stored/v<seqkit version>/``:

- ``<case>.keras``: ``model.save``, loaded back with seqkit's custom objects;
- ``<case>_saved_model/``: ``model.export(..., format="tf_saved_model")``, loaded back
  with ``tf.saved_model.load`` alone;
- ``<case>.npz``: ``inputs`` (a fixed batch) and ``expected`` (the model's output);
- ``manifest.json``: the cases, their configuration and the library versions.

``tests/conformance/test_stored.py`` checks every stored version. Run once per release
(on TensorFlow, CPU) and commit the new folder; never rewrite an old one:

    .venv/bin/python tests/conformance/make_stored.py
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import keras  # noqa: E402
import numpy as np  # noqa: E402

import seqkit  # noqa: E402
from seqkit.conformance import GOLDEN_CASES  # noqa: E402

STORED = Path(__file__).resolve().parent / "stored"
#: Stored cases: an LSTM variant, a GRU variant, the layer-norm LSTM, a Bidirectional model.
CASE_NAMES = ("cifg", "gru_reset_before", "layernorm_lstm", "lstm_bidirectional")
#: Shrunk so each file stays a few KB (units 3 differs from features 4).
SHRINK = {"units": 3, "batch": 2, "time": 5}


def stored_cases():
    """The golden cases to store, shrunk by :data:`SHRINK`."""
    by_name = {case.name: case for case in GOLDEN_CASES}
    return [dataclasses.replace(by_name[name], **SHRINK) for name in CASE_NAMES]


def write_case(case, folder: Path) -> dict:
    """Write one case's .keras, SavedModel and .npz into ``folder``; its manifest entry."""
    model = case.build_model()
    x = case.inputs()
    expected = keras.ops.convert_to_numpy(model(x, training=False))
    model.save(folder / f"{case.name}.keras")
    model.export(str(folder / f"{case.name}_saved_model"), format="tf_saved_model",
                 verbose=False)
    np.savez(folder / f"{case.name}.npz", inputs=x, expected=expected)
    return dataclasses.asdict(case)


def main(version: str = seqkit.__version__) -> Path:
    if keras.backend.backend() != "tensorflow":
        raise SystemExit("make_stored.py needs KERAS_BACKEND=tensorflow (SavedModel export)")
    import tensorflow as tf

    folder = STORED / f"v{version}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    cases = {case.name: write_case(case, folder) for case in stored_cases()}
    manifest = {"seqkit": version, "keras": keras.__version__, "tensorflow": tf.__version__,
                "cases": cases}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return folder


if __name__ == "__main__":
    print(main())
