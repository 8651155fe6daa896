"""Recipe — sequence (extrinsic) regression: a TSER problem aeon ships (Covid3Month by
default: 1 channel x 84 days of COVID-19 cases per country, target the death rate; its
official test split), read offline.

    python recipes/sequence_regression.py \
        --config recipes/configs/sequence_regression.json \
        [--cell gru] [--data tser:CardanoSentiment] ...

Same as `seqkit train sequence_regression ...`; `--help` lists every option. Writes
runs/<name>/ and saved_models/<name>/<version>/; rerun the same command to resume after a
crash.
"""

import sys

from seqkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", "sequence_regression", *sys.argv[1:]]))
