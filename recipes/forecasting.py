"""Recipe — time-series forecasting with intervals and a backtest.

The Mauna Loa weekly CO2 series shipped with statsmodels (offline) by default; also
``--data elnino``, ``--data uschange --target-columns Consumption`` (the other four
columns become past covariates), ``--data m1_yearly`` (181 short yearly series, one global
model) or a CSV path (a long one, many series, with ``--id-column``).

    python recipes/forecasting.py                      # recipes/configs/forecasting.json
    python recipes/forecasting.py --data elnino --window 36 --horizon 3 --backtest-stride 3

One run, top to bottom (``seqkit/recipes/run.py``), everything in ``runs/<name>/``:

1. config: defaults < ``configs/forecasting.json`` < flags, checked before any training;
2. data, model, training: ``seqkit.fit_forecaster`` with quantile heads 0.1 / 0.5 / 0.9
   trained with the pinball loss (the median is the point forecast);
3. test: textbook MASE on the test origins beside the seasonal naive, last value, drift,
   ETS and Theta forecasts of the same origins, the pinball loss and the 80% interval's
   coverage (``metrics.json``);
4. backtest: forecasts from rolling origins over the test part (``--backtest-stride``;
   ``--backtest-retrain true|k`` refits on the data before each origin) into
   ``backtest.json`` / ``backtest.png``; ``forecast.png`` draws the last test origin with
   its 80% band;
5. export to ``saved_models/<name>/<version>/`` (``serving_default`` returns ``forecast``
   and ``quantiles``) and its serving report beside it.

Same as ``seqkit train forecasting --config recipes/configs/forecasting.json ...``; ``--help``
lists every option; rerun the same command to resume after a crash.
"""

import sys
from pathlib import Path

from seqkit.cli import main

CONFIG = Path(__file__).parent / "configs" / "forecasting.json"

if __name__ == "__main__":  # a --config given on the command line wins over CONFIG
    sys.exit(main(["train", "forecasting", "--config", str(CONFIG), *sys.argv[1:]]))
