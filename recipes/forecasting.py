"""Recipe — time-series forecasting: the real Mauna Loa CO2 series shipped
with statsmodels (weekly, works offline), or a CSV with --data PATH; reports MASE
against the seasonal naive forecast.

    python recipes/forecasting.py --config recipes/configs/forecasting.json \
        [--cell gru] ...

Same as `seqkit train forecast ...`; `--help` lists every option. Writes runs/<name>/ and
saved_models/<name>/<version>/; rerun the same command to resume after a crash.
"""

import sys

from seqkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", "forecast", *sys.argv[1:]]))
