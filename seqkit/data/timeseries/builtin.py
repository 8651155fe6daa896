"""Built-in real series (offline: their data ship inside the ``statsmodels`` and ``aeon``
wheels).

- ``"co2"``: Mauna Loa atmospheric CO2 (ppm), weekly, 1958-03-29 .. 2001-12-29, 2284
  points, 59 missing values, strong trend + yearly cycle (period 52). Keeling & Whorf (2004),
  Scripps Institution of Oceanography / CDIAC; public domain (``statsmodels.datasets.co2``).
- ``"elnino"``: Nino 1+2 sea-surface temperature (deg C), monthly, 1950-01 .. 2010-12, 732
  points, period 12. NOAA NWS Climate Prediction Center, ERSST.V3B; public domain
  (``statsmodels.datasets.elnino``).
- ``"sunspots"``: yearly sunspot activity 1700 .. 2008, 309 points, ~11-year solar cycle
  (period 11, approximate). NOAA NGDC; public domain (``statsmodels.datasets.sunspots``).
- ``"uschange"``: quarterly percentage changes of US personal consumption expenditure,
  personal disposable income, industrial production, personal savings and the change of the
  unemployment rate, 1970 Q1 .. 2016 Q3, 187 points, 5 columns, period 4. The ``uschange``
  data of Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (2nd ed., R
  package ``fpp2``, GPL-3; source: Federal Reserve Bank of St. Louis, US federal statistics
  in the public domain), bundled in ``aeon`` (BSD-3-Clause) as
  ``aeon/datasets/data/Uschange/Uschange.csv`` and read with ``aeon.datasets.load_uschange``.
  The textbook regresses consumption on the others: a series with covariates.
"""

from __future__ import annotations

import numpy as np

from seqkit.errors import DatasetUnavailableError


def _sm_dataset(module: str):
    import importlib

    try:
        return importlib.import_module(f"statsmodels.datasets.{module}")
    except ImportError as err:
        raise DatasetUnavailableError(
            f"built-in series {module!r} ships with statsmodels, which is not installed "
            "(pip install statsmodels)"
        ) from err


def _load_co2():
    import pandas as pd

    df = _sm_dataset("co2").load_pandas().data
    idx = pd.DatetimeIndex(df.index, name="date")
    return df["co2"].to_numpy(np.float64)[:, None], idx, ["co2"], 52


def _load_elnino():
    import pandas as pd

    df = _sm_dataset("elnino").load_pandas().data
    months = [c for c in df.columns if c != "YEAR"]
    values = df[months].to_numpy(np.float64).reshape(-1, 1)  # row-major: year by year
    start = f"{int(df['YEAR'].iloc[0])}-01-01"
    idx = pd.date_range(start, periods=len(values), freq="MS", name="date")
    return values, idx, ["nino12_sst"], 12


def _load_sunspots():
    import pandas as pd

    df = _sm_dataset("sunspots").load_pandas().data
    idx = pd.DatetimeIndex(
        pd.to_datetime(df["YEAR"].astype(int).astype(str), format="%Y"), name="year"
    )
    return df[["SUNACTIVITY"]].to_numpy(np.float64), idx, ["sunactivity"], 11


def _aeon_datasets(name: str):
    """``aeon.datasets``, or DatasetUnavailableError naming the built-in ``name``."""
    import importlib

    try:
        return importlib.import_module("aeon.datasets")
    except ImportError as err:
        raise DatasetUnavailableError(
            f"built-in {name!r} ships with aeon, which is not installed (pip install aeon)"
        ) from err


def _load_uschange():
    import pandas as pd

    frame = _aeon_datasets("uschange").load_uschange(return_array=False).T  # [time, 5]
    idx = pd.date_range("1970-01-01", periods=len(frame), freq="QS", name="quarter")
    return frame.to_numpy(np.float64), idx, [str(c) for c in frame.columns], 4


# name -> (loader returning (values [N, F] float64, DatetimeIndex, columns, period), line)
_BUILTIN = {
    "co2": (
        _load_co2,
        "Mauna Loa CO2 (ppm), weekly 1958-2001, 2284 points with 59 NaN, period 52; "
        "Keeling & Whorf 2004 (SIO/CDIAC), public domain, via statsmodels.datasets.co2",
    ),
    "elnino": (
        _load_elnino,
        "Nino 1+2 sea-surface temperature, monthly 1950-2010, 732 points, period 12; "
        "NOAA CPC ERSST.V3B, public domain, via statsmodels.datasets.elnino",
    ),
    "sunspots": (
        _load_sunspots,
        "yearly sunspot activity 1700-2008, 309 points, period ~11; NOAA NGDC, public domain, "
        "via statsmodels.datasets.sunspots",
    ),
    "uschange": (
        _load_uschange,
        "US consumption, income, production, savings, unemployment (% changes), quarterly "
        "1970-2016, 187 points, period 4; Hyndman & Athanasopoulos fpp2 uschange (GPL-3), "
        "Federal Reserve Bank of St. Louis data, via aeon.datasets.load_uschange",
    ),
}


def list_builtin_series() -> dict[str, str]:
    """Names of the built-in real series with a one-line description (source, licence).

    Returns:
        ``{name: description}``; each name is a valid ``source`` of
        :func:`seqkit.data.load_series`.

    Example:

    >>> sorted(list_builtin_series())
    ['co2', 'elnino', 'sunspots', 'uschange']
    >>> list_builtin_series()["sunspots"]
    'yearly sunspot activity 1700-2008, 309 points, period ~11; NOAA NGDC, public domain, \
via statsmodels.datasets.sunspots'
    """
    return {name: desc for name, (_, desc) in _BUILTIN.items()}
