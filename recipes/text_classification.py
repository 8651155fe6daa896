"""Recipe — text classification: IMDB reviews through tensorflow-datasets
(offline: one clear error naming the dataset and data_dir), or any local
TSV/CSV/JSONL/folder with --data PATH.

    python recipes/text_classification.py --config recipes/configs/text_classification.json \
        [--cell gru] ...

Same as `seqkit train text_classification ...`; `--help` lists every option. Writes runs/<name>/ and
saved_models/<name>/<version>/; rerun the same command to resume after a crash.
"""

import sys

from seqkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", "text_classification", *sys.argv[1:]]))
