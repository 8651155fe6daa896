"""Recipe — language modelling: a character model of CPython's bundled pydoc topics (the
language reference's text, ~700k characters, in every Python), read offline; bits per
character beside an interpolated Kneser-Ney 5-gram of the same text.

    python recipes/language_modelling.py \
        --config recipes/configs/language_modelling.json [--level word] ...

Same as `seqkit train language_modelling ...`; `--help` lists every option. Writes
runs/<name>/ and saved_models/<name>/<version>/.
"""

import sys

from seqkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", "language_modelling", *sys.argv[1:]]))
