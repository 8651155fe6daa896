"""Recipe — sequence classification: scikit-learn's bundled handwritten
digits read row by row (8 steps x 8 features, works offline).

    python recipes/sequence_classification.py \
        --config recipes/configs/sequence_classification.json \
        [--cell gru] ...

Same as `seqkit train sequence_classification ...`; `--help` lists every option. Writes
runs/<name>/ and saved_models/<name>/<version>/; rerun the same command to resume after a
crash.
"""

import sys

from seqkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", "sequence_classification", *sys.argv[1:]]))
