"""Recipe — anomaly detection: the UCR anomaly archive's series 135 (KDD-TSAD, shipped in
aeon's wheel: 7,501 points, an anomaly-free prefix of 1,200, one labelled anomaly), read
offline; the metrics beside aeon's detectors and the seasonal-naive residual.

    python recipes/anomaly_detection.py \
        --config recipes/configs/anomaly_detection.json [--scorer reconstruction] ...

Same as `seqkit train anomaly_detection ...`; `--help` lists every option. Writes
runs/<name>/ (with anomalies.png) and saved_models/<name>/<version>/.
"""

import sys

from seqkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", "anomaly_detection", *sys.argv[1:]]))
